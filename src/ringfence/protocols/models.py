"""The protocol: every number that policy sets, validated on load."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactRules(_Section):
    lookback_days: PositiveInt
    venue_min_overlap_minutes: PositiveInt
    default_dwell_minutes: PositiveInt
    dwell_minutes_by_kind: dict[str, PositiveInt] = Field(default_factory=dict)

    @property
    def lookback(self) -> timedelta:
        return timedelta(days=self.lookback_days)

    def dwell_minutes(self, kind: str | None, venue_dwell: int | None = None) -> int:
        """A check-in without check-out lasts the venue's dwell, else its kind's, else the default."""
        if venue_dwell:
            return venue_dwell
        return self.dwell_minutes_by_kind.get(kind or "", self.default_dwell_minutes)


class CloseContactRules(_Section):
    central_isolation_days: PositiveInt
    home_monitoring_days: int = Field(ge=0)
    isolation_test_days: list[PositiveInt]
    home_test_days: list[PositiveInt]


class SecondaryContactRules(_Section):
    home_isolation_days: PositiveInt
    test_days: list[PositiveInt]
    upgrade_if_positive_in_first_tests: PositiveInt


class CompanionRules(_Section):
    grid_metres: PositiveInt
    min_minutes: PositiveInt
    cumulative_hours: PositiveFloat
    history_days: PositiveInt
    tests: PositiveInt
    test_within_days: PositiveInt
    test_min_gap_hours: int = Field(ge=0)


class HighUnit(StrEnum):
    building = "building"
    community = "community"


class ZoneRules(_Section):
    high_unit: HighUnit
    medium_min_stay_minutes: PositiveInt
    high_quiet_days: PositiveInt
    medium_quiet_days: PositiveInt
    demoted_high_quiet_days: PositiveInt
    screening_day: PositiveInt


class ArrivalMeasure(StrEnum):
    central_isolation = "central_isolation"
    home_isolation = "home_isolation"
    tests = "tests"
    none = "none"


class ArrivalTests(_Section):
    count: PositiveInt
    within_days: PositiveInt


class ArrivalRules(_Section):
    advance_report_days: int = Field(ge=0)
    measures: dict[str, ArrivalMeasure]
    isolation_days: dict[str, PositiveInt]
    tests: ArrivalTests

    @model_validator(mode="after")
    def _every_risk_has_a_measure(self) -> ArrivalRules:
        missing = {"high", "medium", "low", "none"} - set(self.measures)
        if missing:
            raise ValueError(f"arrivals.measures lacks {', '.join(sorted(missing))}")
        return self


class ScreeningRules(_Section):
    round_deadline_hours: PositiveInt
    pool_size: dict[str, PositiveInt]
    routine_hours: dict[str, PositiveInt]

    @model_validator(mode="after")
    def _pool_sizes_cover_levels(self) -> ScreeningRules:
        missing = {"isolation", "key_group", "high", "medium", "low"} - set(self.pool_size)
        if missing:
            raise ValueError(f"screening.pool_size lacks {', '.join(sorted(missing))}")
        return self


class KeyPlaceRules(_Section):
    kinds: list[str]
    negative_test_hours: PositiveInt
    negative_test_hours_by_kind: dict[str, PositiveInt] = Field(default_factory=dict)

    def hours_for(self, kind: str) -> int:
        return self.negative_test_hours_by_kind.get(kind, self.negative_test_hours)


class SentinelRules(_Section):
    categories: list[str]
    test_within_hours: PositiveInt


class Deadlines(_Section):
    place_contacts: PositiveInt
    recall_pool: PositiveInt
    area_round: PositiveInt
    sentinel_followup: PositiveInt
    investigate_case: PositiveInt
    door_knock: PositiveInt
    deliver_supplies: PositiveInt
    escalate_every_hours: PositiveInt
    arrival_followup: PositiveInt = 24  # a missing advance report or arrival test followed up within
    key_place_violation: PositiveInt = 24  # a key place whose venue-code check failed inspected within
    routine_screening: PositiveInt = 24  # a key-group member overdue for their routine test sampled within


class IsolationRules(_Section):
    occupancy_alert: float = Field(gt=0, le=1)
    projection_days: PositiveInt


class SupplyRules(_Section):
    rations_per_person_per_day: dict[str, PositiveFloat]


class EnterpriseRules(_Section):
    compliance_threshold: float = Field(ge=0, le=1)


class Party(_Section):
    """Who answers for a kind of task besides its territory (属地): the department and the unit."""

    department: str
    unit: str | None = None


class ResponsibilityRules(_Section):
    """四方责任: which department and unit answer for each task kind, and the command deadlines."""

    default_department: str = "headquarters"
    help_ticket_hours: PositiveInt = 24
    co_investigation_ack_hours: PositiveInt = 2
    co_investigation_answer_hours: PositiveInt = 24
    compliance_alert_hours: PositiveInt = 24
    by_kind: dict[str, Party] = Field(default_factory=dict)

    def party_for(self, kind: str) -> Party:
        """The department and unit answering for `kind`; the default department when unmapped."""
        return self.by_kind.get(kind, Party(department=self.default_department))


class DiseaseParameters(_Section):
    incubation_mean_days: PositiveFloat
    incubation_sd_days: PositiveFloat
    serial_interval_mean_days: PositiveFloat
    serial_interval_sd_days: PositiveFloat
    asymptomatic_share: float = Field(ge=0, le=1)
    infectious_days: PositiveInt
    infectiousness_peak_day: int


class Protocol(_Section):
    id: str
    name: str
    version: str
    contact: ContactRules
    close_contact: CloseContactRules
    secondary_contact: SecondaryContactRules
    companion: CompanionRules
    zones: ZoneRules
    arrivals: ArrivalRules
    screening: ScreeningRules
    key_places: KeyPlaceRules
    sentinel: SentinelRules
    deadlines: Deadlines
    isolation: IsolationRules
    supplies: SupplyRules
    enterprises: EnterpriseRules
    disease: DiseaseParameters
    responsibility: ResponsibilityRules = Field(default_factory=ResponsibilityRules)
