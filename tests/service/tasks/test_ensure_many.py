"""`ensure_many`: the batch form of `ensure` the daily cycle uses for a case's contacts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from ringfence.core.timeline import TimelineEntry
from ringfence.tasks import service
from ringfence.tasks.models import Task, TaskKind

DUE = datetime(2022, 10, 12, 8, tzinfo=UTC)


def spec(person: str) -> service.TaskSpec:
    return service.TaskSpec(subject_id=person, area_id=None, due_at=DUE, source_key=f"case:1:contact:{person}")


def test_it_creates_each_task_once_and_puts_each_on_the_timeline(session) -> None:
    made = service.ensure_many(session=session, kind=TaskKind.place_contact, specs=[spec("P1"), spec("P2"), spec("P1")], actor="respond")
    again = service.ensure_many(session=session, kind=TaskKind.place_contact, specs=[spec("P2"), spec("P3")], actor="respond")
    assert (made, again) == (2, 1)
    keys = sorted(session.scalars(select(Task.source_key)))
    assert keys == ["case:1:contact:P1", "case:1:contact:P2", "case:1:contact:P3"]
    assert session.scalar(select(func.count()).select_from(TimelineEntry).where(TimelineEntry.action == "task.created")) == 3


def test_it_agrees_with_ensure_about_what_already_exists(session) -> None:
    service.ensure(session=session, kind=TaskKind.place_contact, subject_id="P1", area_id=None, due_at=DUE,
                   source_key="case:1:contact:P1", actor="respond")
    assert service.ensure_many(session=session, kind=TaskKind.place_contact, specs=[spec("P1")], actor="respond") == 0
