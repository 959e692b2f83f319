"""What the faces show of risk areas: the delineation contract, the lifting clock, stored zones."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.zones.kinds import BlockerKind, ZoneLevel, ZoneStatus, ZoneUnit
from ringfence.zones.rules import ZoneState


class ZoneRow(BaseModel):
    """One zone of `ringfence zones delineate` (DESIGN.md section 5, fixed)."""

    level: ZoneLevel
    unit: ZoneUnit
    unit_id: str
    since: datetime
    residents: int

    @classmethod
    def of(cls, state: ZoneState) -> ZoneRow:
        return cls(level=state.level, unit=state.unit, unit_id=state.unit_id, since=state.since,
                   residents=state.residents)


class Delineation(BaseModel):
    zones: list[ZoneRow]


class BlockerRead(BaseModel):
    kind: BlockerKind
    day: date | None
    detail: str


class ZoneClock(ZoneRow):
    """A zone with its lifting clock: when it may next step down, to what, and what blocks it."""

    zone_id: int | None = Field(description="the stored zone of this identity (None: not stored yet)")
    status: ZoneStatus | None
    demoted: bool
    next_change: date | None
    next_level: ZoneLevel | None
    blockers: list[BlockerRead]


class ZoneStatusDocument(BaseModel):
    as_of: datetime
    zones: list[ZoneClock]


class ZoneRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    zone_id: int
    level: ZoneLevel
    unit: ZoneUnit
    unit_id: str
    area_id: str | None
    since: datetime
    episode_start: datetime
    residents: int
    demoted: bool
    status: ZoneStatus
    proposed_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    ended_at: datetime | None
    next_change_on: date | None
    next_level: ZoneLevel | None
    blockers: list[BlockerRead]


class ZoneFilter(BaseModel):
    level: ZoneLevel | None = None
    status: ZoneStatus | None = None
    unit_id: str | None = Field(default=None, max_length=64)
    current: bool = Field(default=True, description="only zones proposed or in force")
