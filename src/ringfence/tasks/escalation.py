"""Escalation in the store: where overdue tasks stand raised to, and the daily step that raises them.

A task is raised one level (its area's parent) as soon as it is overdue and one more per full
escalation period, up to the city (`rules.escalation_steps`, `rules.escalation_target`). The
respond step works on sets: it reads only the tasks whose level can rise and raises them with
a few statements per group, so a backlog of tens of thousands of raised tasks costs little.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    Integer,
    Row,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.core.timeline import TimelineEntry
from ringfence.notifications.models import Notification, NotificationStatus
from ringfence.protocols.models import Protocol
from ringfence.tasks import rules
from ringfence.tasks.models import Task, TaskStatus

SUBJECT_TYPE = "task"  # a task on the timeline
_CHUNK = 1000  # ids per statement: within every engine's limit of bound parameters


def chains(session: Session, area_ids: Iterable[str | None]) -> dict[str, list[str]]:
    """Each area's chain upwards: the area, its parent, … the city."""
    wanted = sorted({a for a in area_ids if a is not None})
    found: dict[str, list[str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for area_id, path in session.execute(select(Area.area_id, Area.path).where(Area.area_id.in_(chunk))):
            found[area_id] = rules.ancestors_of(path)
    return found


def standing(
    *, session: Session, tasks: Sequence[Task], as_of: datetime, period: timedelta
) -> dict[int, tuple[str | None, int]]:
    """Where each task stands raised to as of `as_of`: (escalated_to, levels).

    Open (at `as_of`) overdue tasks are judged by the escalation `period`; others keep what was
    recorded.
    """
    chains_of = chains(session, (t.area_id for t in tasks))
    result: dict[int, tuple[str | None, int]] = {}
    for task in tasks:
        still_open = task.status is TaskStatus.open or (
            task.status is TaskStatus.done and task.done_at is not None and task.done_at > as_of
        )
        if not still_open or task.area_id is None:
            result[task.task_id] = (task.escalated_to, task.escalation_level)
            continue
        steps = rules.escalation_steps(due_at=task.due_at, as_of=as_of, period=period)
        result[task.task_id] = rules.escalation_target(chains_of.get(task.area_id, [task.area_id]), steps)
    return result


def escalate(*, session: Session, as_of: datetime, protocol: Protocol, actor: str) -> int:
    """Raise every overdue open task to the level its lateness at `as_of` calls for; returns how many rose.

    Escalation only ever rises (running as of an earlier time lowers nothing); each rise is on
    the task's timeline and notifies the area it was raised to. Set-based: only the tasks whose
    level can rise are read; the tasks raised to one area at one level with one due time (a case's
    contacts) get their timeline entries, messages and new level in three statements.
    """
    period = timedelta(hours=protocol.deadlines.escalate_every_hours)
    rising = _may_rise(session, as_of=as_of, period=period)
    chains_of = chains(session, {row.area_id for row in rising})
    groups: dict[tuple[str, int, datetime], list[int]] = defaultdict(list)
    for row in rising:
        steps = rules.escalation_steps(due_at=row.due_at, as_of=as_of, period=period)
        target, level = rules.escalation_target(chains_of.get(row.area_id, [row.area_id]), steps)
        if target is not None and level > row.escalation_level:
            groups[(target, level, row.due_at)].append(row.task_id)
    for (target, level, due_at), ids in groups.items():
        for start in range(0, len(ids), _CHUNK):
            _raise(session, ids[start:start + _CHUNK], target=target, level=level, due_at=due_at, as_of=as_of,
                   actor=actor)
    raised = {task_id for ids in groups.values() for task_id in ids}
    _expire_loaded(session, raised)
    return len(raised)


def _raise(
    session: Session, task_ids: list[int], *, target: str, level: int, due_at: datetime, as_of: datetime, actor: str
) -> None:
    """Raise `task_ids` (all due at `due_at`) to `target` at `level`: timeline, outbox, then the tasks."""
    late = f"{rules.hours_between(due_at, as_of):.1f}"
    # each statement gets only its own parameters: a key named like a column would be SET by the UPDATE
    session.execute(_TIMELINE_ENTRIES, {
        "task_ids": task_ids, "at": as_of, "actor": actor, "detail": f"to {target} (level {level}), overdue {late} h",
    })
    session.execute(_MESSAGES, {
        "task_ids": task_ids, "at": as_of, "party": f"area:{target}", "raised_to": f" raised to {target}",
        "was_due": f") was due {due_at.isoformat()}, overdue {late} h",
    })
    session.execute(_RAISED, {"task_ids": task_ids, "target": target, "level": level},
                    execution_options={"synchronize_session": False})


# The three statements of a rise, built once; `_raise` binds the group's values.
_IDS = bindparam("task_ids", expanding=True)
_TASK_ID = cast(Task.task_id, String)
_AT = bindparam("at", type_=TimelineEntry.at.type)
_TIMELINE_ENTRIES = insert(TimelineEntry.__table__).from_select(
    ["at", "actor", "subject_type", "subject_id", "action", "detail"],
    select(_AT, bindparam("actor", type_=String), literal(SUBJECT_TYPE), _TASK_ID, literal("task.escalated"),
           bindparam("detail", type_=String)).where(Task.task_id.in_(_IDS)).order_by(Task.task_id),
)
# the outbox, as `notifications.service.enqueue` writes it
_MESSAGES = insert(Notification.__table__).from_select(
    ["party", "subject", "body", "source", "created_at", "status"],
    select(
        bindparam("party", type_=String),
        literal("Overdue task ") + _TASK_ID + bindparam("raised_to", type_=String),
        type_coerce(Task.kind, String) + literal(" for ") + Task.subject_id + literal(" in ") + Task.area_id
        + literal(" (") + Task.department + bindparam("was_due", type_=String),
        literal("task:") + _TASK_ID,
        _AT,
        literal(NotificationStatus.pending, Notification.status.type),
    ).where(Task.task_id.in_(_IDS)).order_by(Task.task_id),
)
_RAISED = (
    update(Task).where(Task.task_id.in_(_IDS))
    .values(escalated_to=bindparam("target", type_=String), escalation_level=bindparam("level", type_=Integer))
)


def _may_rise(session: Session, *, as_of: datetime, period: timedelta) -> list[Row]:
    """The open overdue tasks whose lateness at `as_of` calls for more than their recorded level.

    A task at level k can only rise once it is overdue by k periods; tasks at the top of the
    deepest chain never rise again, so a long backlog of raised tasks is not read every day.
    """
    slashes = func.length(Area.path) - func.length(func.replace(Area.path, "/", ""))
    top = (session.scalar(select(func.max(slashes))) or 2) - 2  # "/c/d/s/m/": 5 slashes, 4 areas, 3 levels up
    may_rise = [(Task.escalation_level == 0) & (Task.due_at < as_of)]
    may_rise += [(Task.escalation_level == k) & (Task.due_at <= as_of - k * period) for k in range(1, top)]
    return list(session.execute(
        select(Task.task_id, Task.area_id, Task.due_at, Task.escalation_level)
        .where(Task.status == TaskStatus.open, Task.area_id.is_not(None), or_(*may_rise))
        .order_by(Task.task_id)
    ))


def _expire_loaded(session: Session, task_ids: set[int]) -> None:
    """Tasks of this session changed by a bulk UPDATE read their new level on next access."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Task) and obj.task_id in task_ids:
            session.expire(obj, ["escalated_to", "escalation_level"])
