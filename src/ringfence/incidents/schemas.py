"""Incidents as a district reports them at the headquarters meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ringfence.incidents.models import IncidentStatus, LinkKind, Party, TeamRole
from ringfence.tasks.schemas import CommandInput, HistoryEntry, TaskRow

_ORM = ConfigDict(from_attributes=True)


class MemberIn(CommandInput):
    model_config = _ORM

    name: str = Field(min_length=1, max_length=120)
    role: TeamRole = TeamRole.member
    party: Party
    organisation: str | None = Field(default=None, max_length=200)


class IncidentCreate(CommandInput):
    name: str = Field(min_length=1, max_length=200)
    area_id: str = Field(min_length=1, max_length=64)
    summary: str | None = Field(default=None, max_length=2000)
    opened_at: datetime | None = None
    team: list[MemberIn] = Field(default_factory=list, max_length=100)
    case_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(default_factory=list, max_length=10_000)


class IncidentRead(BaseModel):
    model_config = _ORM

    incident_id: int
    name: str
    area_id: str
    status: IncidentStatus
    opened_at: datetime
    status_at: datetime
    summary: str | None


class LinkIn(CommandInput):
    kind: LinkKind
    ref: str = Field(min_length=1, max_length=120)


class StatusChange(CommandInput):
    status: IncidentStatus
    note: str | None = Field(default=None, max_length=1000)


class IncidentCase(BaseModel):
    case_id: int
    person_id: str
    classification: str
    confirmed_at: datetime


class IncidentView(IncidentRead):
    """The report: team, cases, zones, tasks (with what is overdue) and the timeline."""

    lead: str | None
    team: list[MemberIn]
    cases: list[IncidentCase]
    zones: list[str]
    tasks: list[TaskRow]
    open_tasks: int
    overdue_tasks: int
    timeline: list[HistoryEntry]
