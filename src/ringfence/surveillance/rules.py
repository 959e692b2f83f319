"""Sentinel surveillance's arithmetic: who must be tested by when, where a site lies, daily series.

Pure: no I/O; every number policy sets comes from the protocol's `[sentinel]` and `[deadlines]`.

* A *follow-up* is owed for each sentinel row naming a person whose category is one of
  `sentinel.categories`: a sample of that person collected in `[occurred_at, occurred_at +
  test_within_hours]`. Rows of one person at one site and time (several categories bought at
  once) owe one follow-up.
* As of a time it is `tested` (such a sample was collected by then), `pending` (not yet, and the
  window is still open) or `missed` (the window closed without one). A sample after the window
  does not make a missed follow-up tested; it is reported as `tested_late_at`.
* A site lies in the district of its venue's building when the site id is a registered venue
  with a building; otherwise in the district `unknown` (sentinel feeds name only site ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from ringfence.core.errors import InvalidInput
from ringfence.protocols.models import Protocol

EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)
UNKNOWN_DISTRICT = "unknown"
# a respond run looks this far back for follow-ups, so a few days without a run still catch every row
FOLLOWUP_LOOKBACK = timedelta(days=7)


class FollowUpStatus(StrEnum):
    tested = "tested"
    pending = "pending"
    missed = "missed"


@dataclass(frozen=True)
class FollowUpVerdict:
    status: FollowUpStatus
    test_by: datetime  # the end of the testing window
    tested_at: datetime | None  # the first sample inside the window, if any


def test_by(occurred_at: datetime, protocol: Protocol) -> datetime:
    """The end of the window in which a sentinel visitor or buyer must give a sample."""
    return occurred_at + timedelta(hours=protocol.sentinel.test_within_hours)


def task_due(occurred_at: datetime, protocol: Protocol) -> datetime:
    """When the follow-up task is due: `deadlines.sentinel_followup` hours after the purchase or visit."""
    return occurred_at + timedelta(hours=protocol.deadlines.sentinel_followup)


def requires_followup(category: str | None, person_id: str | None, protocol: Protocol) -> bool:
    """Whether a sentinel row owes a test: it names a person and its category is a monitored one."""
    return bool(person_id) and category in protocol.sentinel.categories


def judge(
    occurred_at: datetime, sample_times: Iterable[datetime], *, as_of: datetime, protocol: Protocol
) -> FollowUpVerdict:
    """Tested, pending or missed as of `as_of`, from the person's sample times (any order, any span)."""
    deadline = test_by(occurred_at, protocol)
    inside = sorted(t for t in sample_times if occurred_at <= t <= deadline and t <= as_of)
    if inside:
        return FollowUpVerdict(FollowUpStatus.tested, deadline, inside[0])
    status = FollowUpStatus.missed if as_of > deadline else FollowUpStatus.pending
    return FollowUpVerdict(status, deadline, None)


def followup_key(site_id: str, person_id: str, occurred_at: datetime) -> str:
    """What identifies one follow-up (and its task): the person, the site and the time of the event."""
    return f"sentinel:{site_id}:{person_id}:{occurred_at.isoformat()}"


def district_of(path: str | None, districts: Mapping[str, str]) -> str:
    """The district whose path (`/city/district/`) starts `path`; `unknown` for none.

    `districts` maps each district's path to its id.
    """
    if not path:
        return UNKNOWN_DISTRICT
    for district_path, district_id in districts.items():
        if path.startswith(district_path):
            return district_id
    return UNKNOWN_DISTRICT


def daily_series(counts: Mapping[date, float], first: date, last: date) -> list[float]:
    """Counts for every day first..last (inclusive), days without a count being 0."""
    days = (last - first).days + 1
    return [float(counts.get(first + timedelta(days=i), 0.0)) for i in range(max(days, 0))]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def categories_text(categories: Sequence[str]) -> str:
    return ",".join(sorted(set(categories)))


def check_day(day: date) -> date:
    """`day`, if it is one surveillance can count back from and forward to; InvalidInput otherwise."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"day {day} is outside {EARLIEST_DAY}..{LATEST_DAY}")
    return day
