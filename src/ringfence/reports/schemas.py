"""The situation document (`/api/situation`, the daily report's figures) and the report's parts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from ringfence.cases.models import FoundVia
from ringfence.surveillance.schemas import AlarmRow


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


class ReportLanguage(StrEnum):
    zh = "zh"
    en = "en"


class DistrictRow(BaseModel):
    district_id: str
    name: str


class DailyCaseRow(BaseModel):
    """New cases confirmed on one local day in one district, found one way."""

    day: date
    district_id: str
    found_via: FoundVia
    cases: int


class Headline(BaseModel):
    new_cases: int
    community_cases: int  # 社会面: found outside control (found_via other than `controlled`)
    controlled_cases: int
    community_share: float | None  # of the day's new cases; None without cases
    cases_last_7_days: int
    cases_previous_7_days: int
    change_7_days: float | None  # relative change of the last 7 days over the 7 before
    community_share_7_days: float | None


class RtPoint(BaseModel):
    """R over one 7-day window, labelled by its last day."""

    day: date
    t_start: int
    t_end: int
    mean: float
    q025: float
    q975: float


class RtFigures(BaseModel):
    si_mean: float
    si_sd: float
    window: int
    first_day: date | None  # day 1 of the incidence series
    points: list[RtPoint]
    latest: RtPoint | None


class PlacementFigures(BaseModel):
    """Hours from a case's positive sample to its last isolating contact placed (cases of the last 7 days)."""

    available: bool  # False: no contact records in this installation yet
    median_hours: float | None = None
    cases_measured: int = 0  # cases whose contacts are all placed
    cases_waiting: int = 0  # cases with a contact not placed yet


class CoverageRow(BaseModel):
    district_id: str
    residents: int
    sampled: int
    coverage: float | None


class CoverageFigures(BaseModel):
    available: bool
    window_hours: int
    residents: int = 0
    sampled: int = 0
    coverage: float | None = None
    districts: list[CoverageRow] = []


class OccupancyFigures(BaseModel):
    available: bool
    beds: int = 0
    occupied: int = 0
    waiting: int = 0
    occupancy: float | None = None
    threshold: float | None = None
    alert_on: date | None = None  # the first projected day past the threshold


class OverdueTaskRow(BaseModel):
    task_id: int
    kind: str
    area_id: str | None
    district_id: str
    due_at: datetime
    hours_overdue: float
    escalated_to: str | None


class OverdueFigures(BaseModel):
    available: bool
    total: int = 0
    by_kind: dict[str, int] = {}
    by_district: dict[str, int] = {}
    longest: list[OverdueTaskRow] = []


class SentinelFigures(BaseModel):
    followups_missed: int  # owed a test whose window closed without one (as of the report's end)
    followups_pending: int
    events_today: int
    history_from: date | None
    alarms: list[AlarmRow]  # raised alarms only


class Situation(BaseModel):
    """The city's situation on `day`, as known at `as_of` (the end of that local day)."""

    day: date
    as_of: datetime
    districts: list[DistrictRow]
    headline: Headline
    daily_cases: list[DailyCaseRow]  # the epidemic curve's days, per district and way found
    rt: RtFigures
    placement: PlacementFigures
    coverage: CoverageFigures
    occupancy: OccupancyFigures
    overdue: OverdueFigures
    sentinel: SentinelFigures
