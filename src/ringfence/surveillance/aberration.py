"""Aberration detection on daily sentinel counts: EARS C1, C2, C3 and the flexible Farrington method.

Pure (numbers in, verdicts out) over the analytics package's reference implementations. Sentinel
counts are daily, and an outbreak gives weeks of history, not years: the Farrington method is run
with a *week* as its "year" (`freq = 7`), so day t is compared with the same weekday of the
`FARRINGTON_WEEKS` previous weeks, ± `FARRINGTON_HALF_WINDOW` days (pharmacy sales follow the
week). EARS uses its package defaults (7-day baseline; α = 0.001 for C1/C2, 0.025 for C3).
A method without enough history for the day is reported as not run (`upperbound` None, no alarm).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ringfence.analytics.methods import DEFAULT_BASELINE, EarsMethod

FARRINGTON_WEEKS = 3  # b: weeks back
FARRINGTON_HALF_WINDOW = 1  # w: days either side of the same weekday
DAYS_PER_CYCLE = 7


class AlarmMethod(StrEnum):
    ears_c1 = "ears-c1"
    ears_c2 = "ears-c2"
    ears_c3 = "ears-c3"
    farrington_flexible = "farrington-flexible"


METHODS: tuple[AlarmMethod, ...] = tuple(AlarmMethod)
_EARS = {AlarmMethod.ears_c1: EarsMethod.c1, AlarmMethod.ears_c2: EarsMethod.c2, AlarmMethod.ears_c3: EarsMethod.c3}


@dataclass(frozen=True)
class DayVerdict:
    """One method's judgement of the last day of a series."""

    method: AlarmMethod
    observed: float
    upperbound: float | None  # None: not enough history to judge (or too few cases, for Farrington)
    alarm: bool
    judged: bool  # whether the method had the history it needs


def farrington_control():
    """The flexible Farrington options for daily counts: weeks as the method's years."""
    from ringfence.analytics.farrington import FarringtonControl

    return FarringtonControl(b=FARRINGTON_WEEKS, w=FARRINGTON_HALF_WINDOW, freq=DAYS_PER_CYCLE)


def days_needed(method: AlarmMethod) -> int:
    """How many days (the judged day included) a method needs."""
    if method is AlarmMethod.farrington_flexible:
        return DAYS_PER_CYCLE * FARRINGTON_WEEKS + FARRINGTON_HALF_WINDOW + 1
    # as analytics.ears.first_monitorable, without loading SciPy
    return DEFAULT_BASELINE + {EarsMethod.c1: 1, EarsMethod.c2: 3, EarsMethod.c3: 5}[_EARS[method]]


def judge_last_day(counts: Sequence[float], method: AlarmMethod) -> DayVerdict:
    """The method's verdict on the last count of `counts` (daily, oldest first, no gaps)."""
    observed = float(counts[-1]) if len(counts) else 0.0
    if len(counts) < days_needed(method):
        return DayVerdict(method, observed, None, False, judged=False)
    if method is AlarmMethod.farrington_flexible:
        from ringfence.analytics.farrington import farrington_flexible

        [verdict] = farrington_flexible(counts, farrington_control(), range_start=len(counts))
        return DayVerdict(method, observed, verdict.upperbound, verdict.alarm, judged=True)
    from ringfence.analytics.ears import ears

    [verdict] = ears(counts, _EARS[method], baseline=DEFAULT_BASELINE, range_start=len(counts))
    return DayVerdict(method, observed, verdict.upperbound, verdict.alarm, judged=True)


def judge_series(counts: Sequence[float], methods: Sequence[AlarmMethod] = METHODS) -> list[DayVerdict]:
    """Every method's verdict on the last day of `counts`."""
    return [judge_last_day(counts, method) for method in methods]
