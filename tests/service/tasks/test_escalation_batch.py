"""Escalation in batches: the words it writes, many tasks at once, and tasks that reached the top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.service.areas.small_city import build_small_city

from ringfence.core.timeline import TimelineEntry
from ringfence.notifications.models import Notification, NotificationStatus
from ringfence.protocols.service import load
from ringfence.tasks import service
from ringfence.tasks.models import Task, TaskKind

PROTOCOL = load("covid19-cn-9")
DUE = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def city(session):
    return build_small_city(session)


def make_many(session, count: int, *, area: str, due: datetime = DUE, case: int = 1) -> list[int]:
    specs = [
        service.TaskSpec(subject_id=f"X{case}-{i}", area_id=area, due_at=due, source_key=f"case:{case}:contact:{i}",
                         detail=f"contact {i} of case {case}")
        for i in range(count)
    ]
    service.ensure_many(session=session, kind=TaskKind.place_contact, specs=specs, actor="respond", protocol=PROTOCOL,
                        created_at=due - timedelta(hours=24))
    return list(session.scalars(select(Task.task_id).where(Task.source_key.like(f"case:{case}:%")).order_by(Task.task_id)))


def escalated(session) -> list[tuple[str, str | None]]:
    return [tuple(row) for row in session.execute(
        select(TimelineEntry.subject_id, TimelineEntry.detail).where(TimelineEntry.action == "task.escalated")
        .order_by(TimelineEntry.id)
    )]


def test_a_rise_is_written_on_the_timeline_and_to_the_raised_area_word_for_word(session, city) -> None:
    [task_id] = make_many(session, 1, area="M1")
    as_of = DUE + timedelta(hours=25, minutes=30)
    assert service.escalate(session=session, as_of=as_of, protocol=PROTOCOL, actor="respond") == 1
    assert escalated(session) == [(str(task_id), "to D1 (level 2), overdue 25.5 h")]
    entry = session.scalar(select(TimelineEntry).where(TimelineEntry.action == "task.escalated"))
    assert (entry.actor, entry.subject_type, entry.at) == ("respond", "task", as_of)
    message = session.scalar(select(Notification))
    assert (message.party, message.subject, message.source, message.created_at, message.status) == (
        "area:D1", f"Overdue task {task_id} raised to D1", f"task:{task_id}", as_of, NotificationStatus.pending,
    )
    department = PROTOCOL.responsibility.party_for("place_contact").department
    assert message.body == (
        f"place_contact for X1-0 in M1 ({department}) was due 2022-10-10T12:00:00+00:00, overdue 25.5 h"
    )
    task = session.get(Task, task_id)
    assert (task.detail, task.due_at, task.subject_id, task.status) == ("contact 0 of case 1", DUE, "X1-0", "open")


def test_more_tasks_than_one_statement_holds_rise_together_each_once(session, city) -> None:
    first = make_many(session, 1_200, area="M1", case=1)
    second = make_many(session, 300, area="M2", due=DUE + timedelta(hours=3), case=2)
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=4), protocol=PROTOCOL, actor="r") == 1_500
    levels = dict(session.execute(select(Task.task_id, Task.escalated_to)).all())
    assert {levels[t] for t in first} == {"S1"} and {levels[t] for t in second} == {"S2"}
    written = escalated(session)
    assert sorted(int(subject) for subject, _ in written) == sorted(first + second)
    assert {detail for _, detail in written} == {"to S1 (level 1), overdue 4.0 h", "to S2 (level 1), overdue 1.0 h"}
    assert session.scalar(select(func.count()).select_from(Notification)) == 1_500


def test_a_task_at_the_top_of_its_chain_is_not_raised_again(session, city) -> None:
    deep = make_many(session, 2, area="M1", case=1)  # M1 → S1 → D1 → C: three levels
    shallow = make_many(session, 2, area="M_", case=2)  # M_ → D_ → C: two levels
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=30), protocol=PROTOCOL, actor="r") == 4
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=50), protocol=PROTOCOL, actor="r") == 2
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=240), protocol=PROTOCOL, actor="r") == 0
    rows = dict(session.execute(select(Task.task_id, Task.escalation_level)).all())
    assert [rows[t] for t in deep] == [3, 3] and [rows[t] for t in shallow] == [2, 2]
    assert len(escalated(session)) == 6


def test_tasks_loaded_in_the_session_see_their_new_level(session, city) -> None:
    [task_id] = make_many(session, 1, area="M2")
    task = session.get(Task, task_id)
    assert task.escalation_level == 0
    service.escalate(session=session, as_of=DUE + timedelta(hours=1), protocol=PROTOCOL, actor="r")
    assert (task.escalated_to, task.escalation_level) == ("S2", 1)
