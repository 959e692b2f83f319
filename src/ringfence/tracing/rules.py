"""Tracing arithmetic (DESIGN.md section 3): infectious windows, stays, overlaps, categories.

Pure: no I/O. Intervals are half-open `[start, end)`: touching intervals do not overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from ringfence.protocols.models import CompanionRules, ContactRules, Protocol


class ContactCategory(StrEnum):
    close = "close"
    secondary = "secondary"
    companion = "companion"


class ExposureVia(StrEnum):
    household = "household"
    venue = "venue"
    grid = "grid"


# strongest first: a person met through several routes is listed once, in the strongest category
CATEGORY_STRENGTH = {ContactCategory.close: 3, ContactCategory.secondary: 2, ContactCategory.companion: 1}
# and within a category, the stronger route
VIA_STRENGTH = {ExposureVia.household: 3, ExposureVia.venue: 2, ExposureVia.grid: 1}


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlap(self, other: Interval) -> timedelta:
        """Length of the common part; zero when they only touch or are apart."""
        return max(timedelta(0), min(self.end, other.end) - max(self.start, other.start))

    def clip(self, window: Interval) -> Interval | None:
        start, end = max(self.start, window.start), min(self.end, window.end)
        return Interval(start, end) if start < end else None


@dataclass(frozen=True)
class CaseFacts:
    person_id: str
    confirmed_at: datetime
    onset_at: datetime | None = None
    sampled_at: datetime | None = None
    isolated_at: datetime | None = None


def infectious_window(case: CaseFacts, rules: ContactRules, as_of: datetime | None = None) -> Interval:
    """From `lookback_days` before onset (else first positive sample, else confirmation) until isolation.

    The case is isolated at confirmation, or earlier if it was placed in isolation before; a trace
    as of an earlier time sees the window only up to then.
    """
    anchor = case.onset_at or case.sampled_at or case.confirmed_at
    end = min(case.confirmed_at, case.isolated_at) if case.isolated_at else case.confirmed_at
    if as_of is not None:
        end = min(end, as_of)
    return Interval(anchor - rules.lookback, end)


def stay(scanned_at: datetime, left_at: datetime | None, dwell_minutes: int) -> Interval:
    """A check-in without a check-out lasts the dwell time the venue (or its kind) gives."""
    return Interval(scanned_at, left_at if left_at is not None else scanned_at + timedelta(minutes=dwell_minutes))


def is_venue_exposure(overlap: timedelta, rules: ContactRules) -> bool:
    return overlap >= timedelta(minutes=rules.venue_min_overlap_minutes)


def whole_minutes(seconds: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Overlaps as the contract prints them: whole minutes, rounded down (14 min 59 s is 14), column-wise."""
    return pc.floor(pc.divide(seconds.cast(pa.float64()), 60.0)).cast(pa.int64())


# Stays are looked for this far before a window opens: a stay that began earlier than this (a hotel
# guest of more than two days) and still overlaps the window is not seen. It bounds the days read.
MAX_STAY = timedelta(days=2)

EARTH_RADIUS_METRES = 6_371_008.8  # the mean radius (IUGG)


@dataclass(frozen=True)
class Grid:
    """The companion grid: square cells of `cell_metres` on a local equirectangular projection.

    x = R·(lon − lon0)·cos(lat0), y = R·(lat − lat0), in metres from the origin (lon0, lat0); a cell is
    (floor(x / cell), floor(y / cell)). The engines compute `floor((lon − lon0) · per_lon)` with the
    multipliers below, so Python, DuckDB and Spark put a point in the same cell.
    """

    lon0: float
    lat0: float
    cell_metres: int

    @property
    def cells_per_degree_lon(self) -> float:
        return EARTH_RADIUS_METRES * math.radians(1) * math.cos(math.radians(self.lat0)) / self.cell_metres

    @property
    def cells_per_degree_lat(self) -> float:
        return EARTH_RADIUS_METRES * math.radians(1) / self.cell_metres

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        return (
            math.floor((lon - self.lon0) * self.cells_per_degree_lon),
            math.floor((lat - self.lat0) * self.cells_per_degree_lat),
        )

    def corner(self, cx: int, cy: int) -> tuple[float, float]:
        """(lon, lat) of the south-west corner of cell (cx, cy): the cell is [corner(cx, cy), corner(cx+1, cy+1))."""
        return self.lon0 + cx / self.cells_per_degree_lon, self.lat0 + cy / self.cells_per_degree_lat


def grid_origin(mean_lon: float | None, mean_lat: float | None) -> tuple[float, float]:
    """The grid's origin: the mean position of the city's buildings, rounded to 0.1° so it stays put
    as buildings come and go (rounding moves where the lines fall, never the cells' size); (0, 0)
    when no building is registered."""
    if mean_lon is None or mean_lat is None:
        return 0.0, 0.0
    return round(mean_lon, 1), round(mean_lat, 1)


def dwelt_long(seconds: float, rules: CompanionRules) -> bool:
    """A stay in a cell over the history long enough to make whoever shares it a companion (with at least
    `min_minutes` together: `queries.COMPANIONS` applies both in the engine)."""
    return seconds > timedelta(hours=rules.cumulative_hours).total_seconds()


class Contact(NamedTuple):
    """One exposed person of a case (a tuple: a thousand cases' batch makes millions of them)."""

    person_id: str
    category: ContactCategory
    via: ExposureVia
    through: str | None = None  # the close contact a secondary contact is linked through
    venue_id: str | None = None
    last_exposure: datetime | None = None
    overlap_minutes: int | None = None


@dataclass(frozen=True)
class FollowUp:
    measure: str  # tracing.models.Measure value
    measure_until: date
    monitoring_until: date | None
    test_dates: list[date]


def follow_up(contact: Contact, protocol: Protocol, *, traced_at: datetime, tz: tzinfo) -> FollowUp:
    """The protocol's measure, its end and test days, counted from the contact's day 0.

    Day 0 is the local day of the last exposure for close contacts; for secondary contacts (whose
    exposure ends when their close contact is taken away) and companions (told when traced) it is
    the day of tracing; day k is k days later. A close contact is isolated until day N, then
    monitored at home until N + M.
    """
    anchor = contact.last_exposure if contact.category is ContactCategory.close and contact.last_exposure else traced_at
    day0 = anchor.astimezone(tz).date()
    if contact.category is ContactCategory.close:
        rules = protocol.close_contact
        until = day0 + timedelta(days=rules.central_isolation_days)
        monitoring = until + timedelta(days=rules.home_monitoring_days) if rules.home_monitoring_days else None
        tests = [day0 + timedelta(days=d) for d in rules.isolation_test_days]
        tests += [until + timedelta(days=d) for d in rules.home_test_days]
        return FollowUp("central_isolation", until, monitoring, tests)
    if contact.category is ContactCategory.secondary:
        rules2 = protocol.secondary_contact
        until = day0 + timedelta(days=rules2.home_isolation_days)
        return FollowUp("home_isolation", until, None, [day0 + timedelta(days=d) for d in rules2.test_days])
    companion = protocol.companion
    # two tests within the allowed days, as far apart as allowed (at least the minimum gap)
    gap_days = max(1, -(-companion.test_min_gap_hours // 24))
    last = max(gap_days + 1, companion.test_within_days)
    tests = [day0 + timedelta(days=1), day0 + timedelta(days=last)][: companion.tests]
    return FollowUp("tests", day0 + timedelta(days=companion.test_within_days), None, tests)
