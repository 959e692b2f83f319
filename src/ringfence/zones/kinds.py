"""The words of risk areas: levels, units, what blocks a lifting, and the small values both the
delineation (`rules.py`) and the lifting clock (`lifecycle.py`) speak in. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class ZoneLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


LEVEL_RANK = {ZoneLevel.low: 1, ZoneLevel.medium: 2, ZoneLevel.high: 3}


class ZoneUnit(StrEnum):
    building = "building"
    community = "community"
    district = "district"


class ZoneStatus(StrEnum):
    proposed = "proposed"  # the rules drew it; waiting for a commander (or its district)
    approved = "approved"  # in force
    lifted = "lifted"  # was in force; the rules no longer draw it at this level
    withdrawn = "withdrawn"  # the rules stopped drawing it before anyone approved it


ACTIVE_STATUSES = (ZoneStatus.proposed, ZoneStatus.approved)


class BlockerKind(StrEnum):
    missing_round = "missing_round"  # residents not sampled on the round day
    pending_tube = "pending_tube"  # a tube of the round without a result yet
    new_case = "new_case"  # a case restarted the clock, or a positive tube announces one


class UnitKey(NamedTuple):
    """A place a zone covers: a building, a community or a district, by id (a tuple: cheap to hash,
    and delineating a city hashes tens of thousands)."""

    unit: ZoneUnit
    unit_id: str

    @property
    def text(self) -> str:
        """`building:B1`: how bound tables name the unit."""
        return f"{self.unit.value}:{self.unit_id}"


@dataclass(frozen=True, order=True)
class Hit:
    """What puts a unit in a zone — a resident case (high) or a case's long stay (medium) — dated
    at the case's confirmation: the zone cannot exist before the platform knows of the case."""

    at: datetime
    level: ZoneLevel
    person_id: str


@dataclass(frozen=True)
class Blocker:
    """Why a zone cannot step down yet: the kind, the local day it concerns, a line for people."""

    kind: BlockerKind
    day: date | None
    detail: str


@dataclass(frozen=True)
class Episode:
    """One unbroken stretch of a unit being a high or medium zone: `[start, end)`; end None = ongoing."""

    start: datetime
    end: datetime | None
