"""Inspections and findings as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.supervision.models import FindingStatus, PlaceKind
from ringfence.tasks.schemas import CommandInput

_ORM = ConfigDict(from_attributes=True)
_TEXT = Field(min_length=1, max_length=120)


class FindingCreate(CommandInput):
    category: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_]+$")
    description: str = Field(min_length=1, max_length=2000)
    department: str | None = Field(default=None, max_length=80)
    unit: str | None = Field(default=None, max_length=120)
    person: str | None = Field(default=None, max_length=120)
    rectify_by: datetime


class InspectionCreate(CommandInput):
    place_kind: PlaceKind
    place_id: str = _TEXT
    area_id: str = Field(min_length=1, max_length=64)
    team: str = _TEXT
    inspector: str = _TEXT
    inspected_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=2000)
    findings: list[FindingCreate] = Field(default_factory=list, max_length=100)


class FindingRead(BaseModel):
    model_config = _ORM

    finding_id: int
    inspection_id: int
    category: str
    description: str
    department: str | None
    unit: str | None
    person: str | None
    rectify_by: datetime
    status: FindingStatus
    rectified_at: datetime | None
    closure_note: str | None
    closed_by: str | None
    task_id: int | None


class InspectionRead(BaseModel):
    model_config = _ORM

    inspection_id: int
    place_kind: PlaceKind
    place_id: str
    area_id: str
    team: str
    inspector: str
    inspected_at: datetime
    notes: str | None
    findings: list[FindingRead] = Field(default_factory=list)


class FindingClose(CommandInput):
    note: str = Field(min_length=1, max_length=2000)


class FindingFilter(CommandInput):
    status: FindingStatus | None = None
    category: str | None = Field(default=None, max_length=80)
    department: str | None = Field(default=None, max_length=80)
    overdue: bool = False


class RepeatedFinding(BaseModel):
    """The same gap found again under the same responsible party."""

    party: str  # area:<id>, department:<name>, unit:<name> or person:<name>
    category: str
    count: int
