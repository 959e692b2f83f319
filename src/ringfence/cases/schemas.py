"""Case records in and out."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from ringfence.cases.models import CaseStatus, Classification, FoundVia


class CaseCreate(BaseModel):
    person_id: str
    classification: Classification
    confirmed_at: AwareDatetime
    onset_at: AwareDatetime | None = None
    sampled_at: AwareDatetime | None = None
    isolated_at: AwareDatetime | None = None
    found_via: FoundVia = FoundVia.other


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: int
    person_id: str
    classification: Classification
    status: CaseStatus
    confirmed_at: datetime
    onset_at: datetime | None
    sampled_at: datetime | None
    isolated_at: datetime | None
    found_via: FoundVia
    traced_at: datetime | None = None


class CaseStatusChange(BaseModel):
    status: CaseStatus
    at: AwareDatetime | None = None  # default: now


class TimelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    detail: str | None


class CaseDetail(CaseRead):
    """A case with its timeline: every status change, who made it and when."""

    timeline: list[TimelineRead]
