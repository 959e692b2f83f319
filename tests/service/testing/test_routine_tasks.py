"""The daily cycle's routine-screening step (常态筛): a task to sample each overdue key-group member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.service.testing.screening_city import PROTOCOL, at, build, reported, sampled

from ringfence.config import Settings
from ringfence.imports import snapshots
from ringfence.people.models import Person
from ringfence.respond import Context, derivations
from ringfence.tasks.models import Task, TaskKind, TaskStatus
from ringfence.testing import flows

DEADLINE = timedelta(hours=PROTOCOL.deadlines.routine_screening)


@pytest.fixture
def city(session: Session, settings: Settings) -> Settings:
    """The small city, where P1 (B1, community M1) is a courier and P3 (B2, M2) medical staff of employer E9."""
    build(session, settings)
    p3 = session.get(Person, "P3")
    p3.key_group, p3.workplace_id = "medical", "E9"
    session.commit()
    snapshots.refresh(session=session, settings=settings, names=["people"])
    return settings


def run(session: Session, settings: Settings, as_of) -> dict[str, int]:
    context = Context(as_of=as_of, settings=settings, protocol=PROTOCOL, actor="respond")
    try:
        counts = flows.derive_routine_screening(session, context)
        session.commit()
        return counts
    finally:
        if "events" in context.__dict__:
            context.events.close()


def routine_tasks(session: Session) -> list[Task]:
    query = select(Task).where(Task.kind == TaskKind.routine_screening).order_by(Task.subject_id, Task.task_id)
    return list(session.scalars(query))


def test_each_overdue_member_gets_one_task_for_their_community_and_employer(session: Session, city: Settings) -> None:
    first = run(session, city, at(2, 8))
    again = run(session, city, at(2, 9))
    assert (first["overdue"], first["tasks_created"], again["tasks_created"], again["tasks_done"]) == (2, 2, 0, 0)
    assert [(t.subject_id, t.area_id, t.department, t.unit, t.due_at, t.status) for t in routine_tasks(session)] == [
        ("P1", "M1", "health", "sampling_team", at(2, 8) + DEADLINE, TaskStatus.open),
        ("P3", "M2", "health", "E9", at(2, 8) + DEADLINE, TaskStatus.open),
    ]


def test_a_member_sampled_since_has_the_task_done_and_gets_no_new_one(session: Session, city: Settings) -> None:
    run(session, city, at(2, 8))
    sampled(city, ("P1", "S1", at(2, 10)))  # no result yet: a pending tube covers its member
    counts = run(session, city, at(2, 12))
    assert (counts["overdue"], counts["tasks_done"], counts["tasks_created"]) == (1, 1, 0)
    assert [(t.subject_id, t.status, t.done_at) for t in routine_tasks(session)] == [
        ("P1", TaskStatus.done, at(2, 10)), ("P3", TaskStatus.open, None),
    ]
    assert run(session, city, at(2, 13))["tasks_created"] == 0


def test_a_member_overdue_again_after_the_groups_hours_gets_a_new_task_due_from_then(
    session: Session, city: Settings
) -> None:
    sampled(city, ("P1", "S1", at(2, 10)))
    reported(city, ("S1", "negative", at(2, 14)))
    run(session, city, at(4, 10))  # P1 is due exactly now: not late yet
    assert [t.subject_id for t in routine_tasks(session)] == ["P3"]
    counts = run(session, city, at(4, 11))
    assert counts["tasks_created"] == 1
    [task] = [t for t in routine_tasks(session) if t.subject_id == "P1"]
    assert (task.area_id, task.due_at, task.status) == ("M1", at(4, 10) + DEADLINE, TaskStatus.open)


def test_a_sample_whose_tube_turns_out_invalid_brings_the_task_back(session: Session, city: Settings) -> None:
    run(session, city, at(2, 8))
    sampled(city, ("P1", "S1", at(2, 10)))
    run(session, city, at(2, 12))
    reported(city, ("S1", "invalid", at(2, 14)))
    counts = run(session, city, at(2, 15))
    assert counts["tasks_created"] == 1
    assert [(t.status, t.due_at) for t in routine_tasks(session) if t.subject_id == "P1"] == [
        (TaskStatus.done, at(2, 8) + DEADLINE), (TaskStatus.open, at(2, 15) + DEADLINE),
    ]
    assert run(session, city, at(2, 16))["tasks_created"] == 0


def test_a_member_who_left_the_key_groups_has_the_task_cancelled(session: Session, city: Settings) -> None:
    run(session, city, at(2, 8))
    session.get(Person, "P3").key_group = None
    session.commit()
    snapshots.refresh(session=session, settings=city, names=["people"])
    counts = run(session, city, at(2, 9))
    assert (counts["tasks_cancelled"], counts["tasks_created"]) == (1, 0)
    assert {t.subject_id: t.status for t in routine_tasks(session)} == {"P1": TaskStatus.open, "P3": TaskStatus.cancelled}


def test_the_daily_cycle_runs_the_step() -> None:
    assert ("routine_screening", flows.derive_routine_screening) in derivations()
