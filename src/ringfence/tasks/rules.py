"""The arithmetic of accountability: overdue, escalation levels, SLA figures. Pure, no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


def is_overdue(*, due_at: datetime, as_of: datetime, done_at: datetime | None = None) -> bool:
    """Past its due time and not done by `as_of` (done exactly at the due time is on time)."""
    if done_at is not None and done_at <= as_of:
        return False
    return as_of > due_at


def escalation_steps(*, due_at: datetime, as_of: datetime, period: timedelta) -> int:
    """Levels an open task rises by `as_of`: one as soon as it is overdue, one more per full `period`.

    Overdue by (0, period) → 1, [period, 2·period) → 2, … ; not overdue → 0.
    """
    if as_of <= due_at:
        return 0
    return 1 + int((as_of - due_at) // period)


def ancestors_of(path: str) -> list[str]:
    """`/city/d/s/c/` → `["c", "s", "d", "city"]`: the area itself, then each level up to the city."""
    return [segment for segment in path.strip("/").split("/") if segment][::-1]


def escalation_target(chain: Sequence[str], steps: int) -> tuple[str | None, int]:
    """The area `steps` levels above `chain[0]`, capped at the top (the city); and the levels risen.

    `chain` is the area then its ancestors (see `ancestors_of`); no escalation answers (None, 0).
    """
    level = min(max(steps, 0), max(len(chain) - 1, 0))
    if level == 0:
        return None, 0
    return chain[level], level


def due_after(start: datetime, hours: int) -> datetime:
    """A deadline `hours` after the event that triggered the task."""
    return start + timedelta(hours=hours)


@dataclass(frozen=True)
class TaskFacts:
    """What the SLA table needs of a task."""

    created_at: datetime
    due_at: datetime
    done_at: datetime | None
    cancelled: bool = False


@dataclass(frozen=True)
class SlaFigures:
    total: int
    done: int
    done_on_time: int
    on_time_share: float | None  # done on time / (done + overdue now); None when nothing is decided yet
    median_hours_to_done: float | None
    overdue_now: int


def sla_figures(tasks: Iterable[TaskFacts], *, as_of: datetime) -> SlaFigures:
    """The accountability row of a group of tasks as of `as_of`; cancelled tasks do not count.

    A task's outcome is decided when it is done (by `as_of`) or overdue; open tasks not yet due
    are in `total` but neither help nor hurt the on-time share.
    """
    total = done = on_time = overdue = 0
    hours: list[float] = []
    for task in tasks:
        if task.cancelled:
            continue
        total += 1
        if task.done_at is not None and task.done_at <= as_of:
            done += 1
            on_time += task.done_at <= task.due_at
            hours.append((task.done_at - task.created_at).total_seconds() / 3600)
        elif as_of > task.due_at:
            overdue += 1
    decided = done + overdue
    return SlaFigures(
        total=total,
        done=done,
        done_on_time=on_time,
        on_time_share=on_time / decided if decided else None,
        median_hours_to_done=statistics.median(hours) if hours else None,
        overdue_now=overdue,
    )


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600
