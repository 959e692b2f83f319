"""`respond`'s command steps: investigation tasks for new cases, escalation, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.service.areas.small_city import build_small_city

from ringfence import respond
from ringfence.cases.models import Case, CaseStatus, Classification
from ringfence.core.db import transaction
from ringfence.protocols.service import load
from ringfence.tasks.models import Task, TaskKind

CONFIRMED = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def cases(engine):
    with transaction(engine) as session:
        build_small_city(session)
        session.add_all([
            Case(person_id="P1", classification=Classification.confirmed, confirmed_at=CONFIRMED),
            Case(person_id="P3", classification=Classification.asymptomatic, confirmed_at=CONFIRMED + timedelta(days=1)),
            Case(person_id="P0", classification=Classification.confirmed, confirmed_at=CONFIRMED),
            Case(person_id="P4", classification=Classification.confirmed, confirmed_at=CONFIRMED,
                 status=CaseStatus.discarded),
        ])


def run(engine, settings, as_of: datetime) -> dict[str, dict[str, int]]:
    context = respond.Context(as_of=as_of, settings=settings, protocol=load("covid19-cn-9"), actor="respond")
    return respond.run(engine=engine, context=context)


def tasks(engine) -> list[tuple[str, str | None, datetime, str | None]]:
    with transaction(engine) as session:
        rows = session.scalars(select(Task).where(Task.kind == TaskKind.investigate_case).order_by(Task.subject_id))
        return [(t.subject_id, t.area_id, t.due_at, t.escalated_to) for t in rows]


def test_each_confirmed_case_gets_one_investigation_task_in_its_home_community(engine, settings, cases) -> None:
    counts = run(engine, settings, CONFIRMED + timedelta(hours=2))
    assert counts["investigate_case"] == {"investigate_case": 2}
    due = CONFIRMED + timedelta(hours=24)
    assert tasks(engine) == [("P0", None, due, None), ("P1", "M1", due, None)]


def test_responding_twice_creates_nothing_new(engine, settings, cases) -> None:
    as_of = CONFIRMED + timedelta(days=2)
    first = run(engine, settings, as_of)
    before = tasks(engine)
    second = run(engine, settings, as_of)
    assert first["investigate_case"]["investigate_case"] == 3
    assert second["investigate_case"]["investigate_case"] == 0
    assert second["escalate"]["escalated"] == 0
    assert tasks(engine) == before


def test_respond_as_of_a_later_time_escalates_what_is_overdue_then(engine, settings, cases) -> None:
    run(engine, settings, CONFIRMED + timedelta(hours=2))
    counts = run(engine, settings, CONFIRMED + timedelta(hours=24 + 24 + 1))
    # P1 overdue 25 h: two levels; P3 (confirmed a day later) overdue 1 h: one; P0 has no area to rise from
    assert counts["escalate"]["escalated"] == 2
    assert tasks(engine) == [
        ("P0", None, CONFIRMED + timedelta(hours=24), None),
        ("P1", "M1", CONFIRMED + timedelta(hours=24), "D1"),
        ("P3", "M2", CONFIRMED + timedelta(hours=48), "S2"),
    ]
    assert list(respond.derivations())[-2][0] == "escalate"
