"""What the faces show of screening: rounds, recalls, uncovered residents, coverage, routine and key places."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.areas.schemas import ID_PATTERN
from ringfence.protocols.models import ArrivalMeasure
from ringfence.testing.models import OriginRisk, RiskLevel
from ringfence.testing.rules import ArrivalTestState, ReportState

MAX_LAB_ROWS = 50_000


class RoundCreate(BaseModel):
    round_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)
    area_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    level: RiskLevel
    starts_at: datetime
    deadline_hours: int | None = Field(default=None, ge=1, le=24 * 14)
    sites: list[str] = Field(default_factory=list, max_length=10_000)


class RoundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    round_id: str
    area_id: str
    level: RiskLevel
    pool_size: int
    starts_at: datetime
    deadline_at: datetime
    sites: list[str]
    created_at: datetime
    created_by: str


class AreaCoverage(BaseModel):
    area_id: str
    residents: int
    sampled: int
    coverage: float | None


class Coverage(BaseModel):
    """The dashboard's figures of one round: sampled / residents, tubes, positive pools, hours left."""

    round_id: str
    area_id: str
    level: RiskLevel
    pool_size: int
    starts_at: datetime
    deadline_at: datetime
    as_of: datetime
    residents: int
    sampled: int
    coverage: float | None
    tubes: int
    tubes_pending: int
    tubes_invalid: int
    positive_pools: int
    positive_single_tubes: int
    conflicting_tubes: int
    hours_left: float
    overdue: bool
    areas: list[AreaCoverage]


class RecallRow(BaseModel):
    person_id: str
    tube_id: str
    collected_at: datetime
    sample_id: str
    round_id: str | None
    reported_at: datetime
    due_at: datetime
    building_id: str | None
    community_id: str | None


class CandidateRow(BaseModel):
    person_id: str
    sample_id: str
    tube_id: str
    collected_at: datetime
    reported_at: datetime
    ct: float | None
    building_id: str | None
    community_id: str | None
    status: str | None  # what the person already is (a case, in isolation…), if anything


class ConflictRow(BaseModel):
    tube_id: str
    positive_at: datetime
    negative_at: datetime
    samples: int


class RecallDocument(BaseModel):
    """`ringfence testing recall --json`: the contract's `recall`, plus case candidates and conflicting tubes."""

    as_of: datetime
    recall: list[RecallRow]
    candidates: list[CandidateRow]
    conflicts: list[ConflictRow]


class UncoveredRow(BaseModel):
    person_id: str
    building_id: str
    community_id: str
    status: str | None  # e.g. case:confirmed, isolation:central — listed, never left out


class BuildingGroup(BaseModel):
    building_id: str
    community_id: str
    address: str | None
    uncovered: int
    people: list[str]


class UncoveredDocument(BaseModel):
    area_id: str
    since: datetime
    as_of: datetime
    uncovered: list[UncoveredRow]
    buildings: list[BuildingGroup]


class OverdueRow(BaseModel):
    person_id: str
    key_group: str
    workplace_id: str | None
    building_id: str | None
    last_sampled_at: datetime | None
    due_at: datetime | None
    hours: int


class GroupFigures(BaseModel):
    key: str | None
    members: int
    overdue: int


class OverdueDocument(BaseModel):
    as_of: datetime
    overdue: list[OverdueRow]
    groups: list[GroupFigures]
    employers: list[GroupFigures]


class ViolationRow(BaseModel):
    venue_id: str
    kind: str
    day: date
    person_id: str
    scanned_at: datetime
    hours: int
    last_negative_at: datetime | None


class VenueDay(BaseModel):
    venue_id: str
    kind: str
    building_id: str | None
    day: date
    checkins: int
    violations: int


class KeyPlaceDocument(BaseModel):
    start: datetime
    end: datetime
    violations: list[ViolationRow]
    venues: list[VenueDay]


class ArrivalCheck(BaseModel):
    arrival_id: int
    person_id: str
    origin: str
    origin_risk: OriginRisk
    arrive_at: datetime
    building_id: str
    community_id: str
    measure: ArrivalMeasure
    advance_report: ReportState
    arrival_test: ArrivalTestState | None  # None when the measure asks for no tests
    later_test: ArrivalTestState | None
    problems: list[str]


class ArrivalsDocument(BaseModel):
    as_of: datetime
    arrivals: list[ArrivalCheck]


class SampleIn(BaseModel):
    """One sample as a lab sends it: the person by exactly one of person_id / id_number / phone."""

    sample_id: str | None = None
    person_id: str | None = None
    id_number: str | None = None
    phone: str | None = None
    tube_id: str | None = None
    collected_at: str | None = None
    site_id: str | None = None
    round_id: str | None = None


class TubeResultIn(BaseModel):
    tube_id: str | None = None
    result: str | None = None
    reported_at: str | None = None
    lab_id: str | None = None
    ct: float | str | None = None


class SamplesUpload(BaseModel):
    rows: list[SampleIn] = Field(min_length=1, max_length=MAX_LAB_ROWS)


class TubeResultsUpload(BaseModel):
    rows: list[TubeResultIn] = Field(min_length=1, max_length=MAX_LAB_ROWS)


class RejectedRow(BaseModel):
    index: int  # position in the uploaded `rows`, from 0
    reason: str


class LabUploadResult(BaseModel):
    kind: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    rejects: list[RejectedRow]
    pending_tubes: list[str]  # tubes of the uploaded samples without a result yet
    conflicting_tubes: list[str]  # tubes read both positive and negative (flagged, counted positive)
