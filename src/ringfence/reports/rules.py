"""The situation's arithmetic: how cases were found, the community share, time to placement, coverage.

Pure: facts in, figures out. The definitions, where the protocol is silent:

* **Community case (社会面)**: a case *not* found among people already under control, i.e. whose
  `found_via` is anything but `controlled` (screening, sentinel, arrival, other). An arrival found
  by the arrival test was free in the city until then, so it counts as community; an arrival placed
  in isolation on arrival and found there is `controlled` in the cases feed. The **community share**
  of a set of cases is community cases / all cases (None for no cases).
* **Time to placement** of a case: hours from its positive sample (`sampled_at`, else
  `confirmed_at` when the feed has no sample time) to the moment the *last* of its close contacts
  was placed; a case with a contact not placed yet has none. The figure is the median over cases.
* **Test coverage**: residents with a covering sample collected in the `COVERAGE_WINDOW` before the
  report's end, over residents (the routine-screening cycle of the city's key groups).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ringfence.cases.models import FoundVia

COVERAGE_WINDOW = timedelta(hours=48)
RECENT_DAYS = 7  # the "last week" of the headline comparisons
UNKNOWN_DISTRICT = "unknown"


@dataclass(frozen=True)
class CaseFact:
    """What the situation needs of one case."""

    case_id: int
    confirmed_at: datetime
    sampled_at: datetime | None
    found_via: FoundVia
    district_id: str
    lon: float | None = None
    lat: float | None = None


def is_community(found_via: FoundVia | str) -> bool:
    """Found outside control (社会面): every way of being found except among people already controlled."""
    return FoundVia(found_via) is not FoundVia.controlled


def community_share(found: Iterable[FoundVia | str]) -> float | None:
    """Community cases over all cases; None when there are none."""
    ways = list(found)
    if not ways:
        return None
    return sum(1 for way in ways if is_community(way)) / len(ways)


def report_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def confirmed_on(cases: Iterable[CaseFact], day: date, tz: ZoneInfo) -> list[CaseFact]:
    return [c for c in cases if report_day(c.confirmed_at, tz) == day]


def confirmed_between(cases: Iterable[CaseFact], first: date, last: date, tz: ZoneInfo) -> list[CaseFact]:
    return [c for c in cases if first <= report_day(c.confirmed_at, tz) <= last]


def new_cases_by_day(
    cases: Iterable[CaseFact], tz: ZoneInfo
) -> dict[tuple[date, str, FoundVia], int]:
    """New cases per (local day of confirmation, district, found_via)."""
    return dict(Counter((report_day(c.confirmed_at, tz), c.district_id, c.found_via) for c in cases))


def daily_totals(cases: Iterable[CaseFact], first: date, last: date, tz: ZoneInfo) -> list[int]:
    """New cases on each day first..last (zero-filled)."""
    per_day = Counter(report_day(c.confirmed_at, tz) for c in cases)
    return [per_day.get(first + timedelta(days=i), 0) for i in range((last - first).days + 1)]


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def placement_hours(positive_at: datetime, placed_at: Sequence[datetime | None]) -> float | None:
    """Hours from a case's positive sample to its last contact placed; None if one is not placed yet or none."""
    if not placed_at or any(t is None for t in placed_at):
        return None
    return hours_between(positive_at, max(t for t in placed_at if t is not None))


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are known; None for none."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def change(current: int, previous: int) -> float | None:
    """Relative change of `current` over `previous` (None when `previous` is 0)."""
    return (current - previous) / previous if previous else None


def contact_placed_at(
    positive_at: datetime, placements: Iterable[tuple[datetime | None, datetime | None]]
) -> datetime | None:
    """When a contact counts as placed for a case, from their placements' (placed_at, ended_at).

    A placement running when the case's sample was taken (already isolated) counts from that
    sample: 0 hours. Otherwise the first placement after the sample; None if there is none yet.
    """
    later = []
    for placed_at, ended_at in placements:
        if placed_at is None:
            continue
        if placed_at <= positive_at and (ended_at is None or ended_at >= positive_at):
            return positive_at
        if placed_at > positive_at:
            later.append(placed_at)
    return min(later) if later else None
