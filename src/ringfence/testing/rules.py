"""The arithmetic of screening: pool sizes, deadlines, tube states, arrival measures and test windows.

Pure: no I/O. Every number comes from the protocol. The event-log SQL of `screening.py` and
`routine.py` applies the same rules set-wise; these functions are the reference they are tested against.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ringfence.core.errors import InvalidInput
from ringfence.protocols.models import ArrivalMeasure, ArrivalRules, KeyPlaceRules, ScreeningRules
from ringfence.testing.models import OriginRisk, RiskLevel

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
KEY_PLACE_STAFF = "key_place_staff"  # the routine-screening group of a key place's own staff


class TubeState(StrEnum):
    pending = "pending"  # sampled, no result yet: covers its members (they were sampled)
    negative = "negative"
    positive = "positive"
    invalid = "invalid"  # only invalid results: covers nobody, its members must be sampled again


class ReportState(StrEnum):
    on_time = "on_time"
    late = "late"  # reported, but fewer than the protocol's days before arriving
    missing = "missing"  # no advance report, or one made only after arriving


class ArrivalTestState(StrEnum):
    done = "done"
    not_yet_due = "not_yet_due"
    missing = "missing"


def pool_size(level: RiskLevel | str, rules: ScreeningRules) -> int:
    """Specimens per tube for a level: isolation, key groups and high-risk areas 1; medium 10; low 20."""
    try:
        return rules.pool_size[RiskLevel(level).value]
    except (ValueError, KeyError):
        raise InvalidInput(f"no pool size for level {level!r} (one of: {', '.join(rules.pool_size)})") from None


def person_pool_size(level: RiskLevel | str, rules: ScreeningRules, *, key_group: bool, isolated: bool) -> int:
    """A person in isolation or of a key group gets a single tube whatever the area's level."""
    if isolated:
        return pool_size(RiskLevel.isolation, rules)
    if key_group:
        return min(pool_size(RiskLevel.key_group, rules), pool_size(level, rules))
    return pool_size(level, rules)


def round_deadline(starts_at: datetime, rules: ScreeningRules, hours: int | None = None) -> datetime:
    """The round is done within the protocol's hours (24 by default) of its start."""
    if hours is not None and hours <= 0:
        raise InvalidInput(f"a round's deadline must be after its start (got {hours} hours)")
    return starts_at + HOUR * (hours if hours is not None else rules.round_deadline_hours)


def hours_left(deadline_at: datetime, as_of: datetime) -> float:
    """Hours from `as_of` to the deadline; negative once it has passed."""
    return (deadline_at - as_of) / HOUR


def recall_due(reported_at: datetime, recall_hours: int) -> datetime:
    """Members of a positive pool are re-sampled within the protocol's hours of the pool result."""
    return reported_at + HOUR * recall_hours


def tube_state(results: Iterable[str]) -> TubeState:
    """A positive anywhere wins (a conflict is flagged, never resolved towards negative); invalid only if nothing else."""
    seen = set(results)
    if "positive" in seen:
        return TubeState.positive
    if "negative" in seen:
        return TubeState.negative
    if "invalid" in seen:
        return TubeState.invalid
    return TubeState.pending


def conflicting(results: Iterable[str]) -> bool:
    """A tube read both positive and negative: flagged for the lab, counted positive meanwhile."""
    seen = set(results)
    return {"positive", "negative"} <= seen


def arrival_measure(origin_risk: OriginRisk | str, rules: ArrivalRules) -> ArrivalMeasure:
    """Central isolation, home isolation, tests or nothing, by the risk of where the person came from."""
    return rules.measures[OriginRisk(origin_risk).value]


def advance_report(arrive_at: datetime, reported_at: datetime | None, rules: ArrivalRules) -> ReportState:
    """On time when reported at least the protocol's days (3) before arriving; missing when not before."""
    if reported_at is None or reported_at > arrive_at:
        return ReportState.missing
    if reported_at > arrive_at - DAY * rules.advance_report_days:
        return ReportState.late
    return ReportState.on_time


@dataclass(frozen=True)
class ArrivalTests:
    """Whether the arrival test (落地检, within 24 h) and the later test (by day `within_days`) were taken."""

    arrival_test: ArrivalTestState
    arrival_test_due: datetime
    later_test: ArrivalTestState
    later_test_due: datetime


def arrival_tests(arrive_at: datetime, sampled_at: Iterable[datetime], as_of: datetime, rules: ArrivalRules) -> ArrivalTests:
    """2 tests in 3 days: one within 24 h of arriving, another after those 24 h and by the end of day 3.

    A window is `[arrive_at, due]` inclusive; a test not taken is missing only once its window has closed.
    """
    first_due = arrive_at + DAY
    later_due = arrive_at + DAY * rules.tests.within_days
    times = [t for t in sampled_at if arrive_at <= t <= later_due]
    first = any(t <= first_due for t in times)
    later = sum(1 for t in times if t > first_due) >= max(rules.tests.count - 1, 1)
    return ArrivalTests(
        arrival_test=_state(first, first_due, as_of),
        arrival_test_due=first_due,
        later_test=_state(later, later_due, as_of),
        later_test_due=later_due,
    )


def _state(done: bool, due: datetime, as_of: datetime) -> ArrivalTestState:
    if done:
        return ArrivalTestState.done
    return ArrivalTestState.missing if as_of > due else ArrivalTestState.not_yet_due


def routine_due(last_sampled_at: datetime | None, hours: int) -> datetime | None:
    """When a key-group member's next routine test is due (None: never tested, due already)."""
    return None if last_sampled_at is None else last_sampled_at + HOUR * hours


def routine_overdue(last_sampled_at: datetime | None, hours: int, as_of: datetime) -> bool:
    """Overdue once more than the group's hours have passed since the last valid sample (never sampled: overdue)."""
    due = routine_due(last_sampled_at, hours)
    return due is None or as_of > due


ROUTINE_NEVER = "never"  # the sampling marker of a member never sampled


def routine_marker(last_sampled_at: datetime | None) -> str:
    """The member's last covering sample as a key part: UTC, sortable, no colon (`20221002T080000000000`)."""
    if last_sampled_at is None:
        return ROUTINE_NEVER
    return last_sampled_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")


def routine_task_key(person_id: str, last_sampled_at: datetime | None, taken: Container[str] = frozenset()) -> str:
    """`routine:<person>:<marker>`, or with `#2`, `#3`… when that key already served (a sample later invalid)."""
    base = f"routine:{person_id}:{routine_marker(last_sampled_at)}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}#{n}"
    return key


def routine_key_marker(source_key: str) -> str:
    """The sampling marker a routine task's key was made from."""
    return source_key.rsplit(":", 1)[1].split("#", 1)[0]


def sampled_since(marker: str, last_sampled_at: datetime | None) -> bool:
    """Whether the member's last covering sample is newer than the one `marker` recorded."""
    if last_sampled_at is None:
        return False
    return marker == ROUTINE_NEVER or routine_marker(last_sampled_at) > marker


def negative_test_hours(kind: str, rules: KeyPlaceRules) -> int:
    """How recent a negative test must be to enter a key place of this kind (hospitals 24 h, else 48 h)."""
    return rules.hours_for(kind)


def venue_check_passes(
    scanned_at: datetime, negatives: Iterable[tuple[datetime, datetime]], hours: int
) -> bool:
    """Whether one of the (collected_at, reported_at) negatives was known at the scan and taken within `hours`."""
    earliest = scanned_at - HOUR * hours
    return any(earliest <= collected <= scanned_at and reported <= scanned_at for collected, reported in negatives)


def key_place_kinds(rules: KeyPlaceRules) -> list[str]:
    """The venue kinds that are key places (底线要牢), in the protocol's order, without repeats."""
    return list(dict.fromkeys(rules.kinds))
