"""Sentinel documents: follow-ups owed, daily counts, and the day's aberration verdicts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from ringfence.surveillance.aberration import AlarmMethod
from ringfence.surveillance.rules import FollowUpStatus


class FollowUpRow(BaseModel):
    """One sentinel visitor or buyer who owes a test, and where that stands."""

    person_id: str
    site_id: str
    site_kind: str
    occurred_at: datetime
    categories: list[str]
    community_id: str | None
    test_by: datetime
    status: FollowUpStatus
    tested_at: datetime | None  # the first sample inside the window
    first_sample_at: datetime | None  # the first sample after the event at all (may be late)
    # the person's community path, for jurisdiction checks; not part of the document
    community_path: str | None = Field(default=None, exclude=True)


class FollowUpDocument(BaseModel):
    as_of: datetime
    since: datetime
    followups: list[FollowUpRow]


class CountDimension(StrEnum):
    site = "site"
    district = "district"
    category = "category"


class CountRow(BaseModel):
    """Sentinel events on one day; dimensions not grouped by are None."""

    day: date
    site_id: str | None = None
    site_kind: str | None = None
    district_id: str | None = None
    category: str | None = None
    count: int


class CountsDocument(BaseModel):
    first: date
    last: date
    by: list[CountDimension]
    counts: list[CountRow]


class AlarmRow(BaseModel):
    """One method's verdict on one district's sentinel events of one day."""

    day: date
    district_id: str
    method: AlarmMethod
    observed: float
    upperbound: float | None
    alarm: bool
    judged: bool  # False: not enough history for the method yet


class AlarmsDocument(BaseModel):
    day: date
    history_from: date | None  # the first day of the series the methods saw
    alarms: list[AlarmRow]  # every verdict; `alarm` says which raise one
