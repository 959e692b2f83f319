"""The daily cycle's screening steps turn recalls, missed residents, arrivals and key places into tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.service.testing.screening_city import CITY, PROTOCOL, at, build, reported, sampled, scanned

from ringfence.config import Settings
from ringfence.respond import Context
from ringfence.tasks.models import Task, TaskKind, TaskStatus
from ringfence.testing import flows
from ringfence.testing.models import Arrival, OriginRisk, RiskLevel
from ringfence.testing.schemas import RoundCreate
from ringfence.venues.models import Venue


@pytest.fixture
def city(session: Session, settings: Settings) -> Settings:
    build(session, settings)
    return settings


def context(settings: Settings, as_of) -> Context:
    return Context(as_of=as_of, settings=settings, protocol=PROTOCOL, actor="respond")


def run(step, session: Session, settings: Settings, as_of) -> dict[str, int]:
    ctx = context(settings, as_of)
    try:
        counts = step(session, ctx)
        session.commit()
        return counts
    finally:
        if "events" in ctx.__dict__:
            ctx.events.close()


def tasks_of(session: Session, kind: TaskKind) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.kind == kind).order_by(Task.subject_id, Task.task_id)))


def test_each_member_of_a_positive_pool_gets_one_recall_task_for_their_community(
    session: Session, city: Settings
) -> None:
    sampled(city, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)))
    reported(city, ("T1", "positive", at(2, 10)))
    first = run(flows.derive_recall, session, city, at(2, 12))
    again = run(flows.derive_recall, session, city, at(2, 13))
    assert (first["recalls"], first["tasks_created"], again["tasks_created"]) == (2, 2, 0)
    recalls = tasks_of(session, TaskKind.recall_pool)
    assert [(t.subject_id, t.area_id, t.due_at, t.status) for t in recalls] == [
        ("P1", "M1", at(2, 22), TaskStatus.open), ("P2", "M1", at(2, 22), TaskStatus.open),
    ]


def test_a_recall_task_is_done_once_the_member_gave_a_single_tube_sample(session: Session, city: Settings) -> None:
    sampled(city, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)))
    reported(city, ("T1", "positive", at(2, 10)))
    run(flows.derive_recall, session, city, at(2, 12))
    sampled(city, ("P1", "S1", at(2, 14)))
    counts = run(flows.derive_recall, session, city, at(2, 15))
    assert (counts["recalls"], counts["tasks_done"]) == (1, 1)
    assert {t.subject_id: t.status for t in tasks_of(session, TaskKind.recall_pool)} == {
        "P1": TaskStatus.done, "P2": TaskStatus.open,
    }


def test_a_round_gets_a_task_done_when_everyone_is_covered(session: Session, city: Settings) -> None:
    round_in = RoundCreate(round_id="r-m1", area_id="M1", level=RiskLevel.medium, starts_at=at(2, 6))
    flows.create_round(session=session, scope=CITY, round_in=round_in, protocol=PROTOCOL, at=at(2, 5))
    session.commit()
    [task] = tasks_of(session, TaskKind.area_round)
    assert (task.subject_id, task.area_id, task.due_at) == ("r-m1", "M1", at(3, 6))
    sampled(city, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)))
    counts = run(flows.derive_rounds, session, city, at(2, 12))
    assert counts["rounds_complete"] == 1
    session.refresh(task)
    assert task.status is TaskStatus.done


def test_residents_missed_by_a_round_get_a_door_knocking_task_per_building_after_the_deadline(
    session: Session, city: Settings
) -> None:
    round_in = RoundCreate(round_id="r-city", area_id="C", level=RiskLevel.low, starts_at=at(2, 6))
    flows.create_round(session=session, scope=CITY, round_in=round_in, protocol=PROTOCOL, at=at(2, 5))
    session.commit()
    sampled(city, ("P1", "T1", at(2, 8)), ("P3", "T2", at(2, 8)))
    before = run(flows.derive_rounds, session, city, at(3, 5))
    assert before["door_knocks_created"] == 0
    after = run(flows.derive_rounds, session, city, at(3, 6))
    again = run(flows.derive_rounds, session, city, at(3, 7))
    assert (after["door_knocks_created"], again["door_knocks_created"]) == (2, 0)
    knocks = tasks_of(session, TaskKind.door_knock)
    assert [(t.subject_id, t.area_id, t.due_at) for t in knocks] == [
        ("B1", "M1", at(3, 18)), ("B_", "M_", at(3, 18)),
    ]
    assert knocks[0].detail.startswith("1 residents")


def test_arrivals_without_report_or_tests_become_follow_up_tasks(session: Session, city: Settings) -> None:
    session.add_all([
        Arrival(person_id="P1", origin="Elsewhere", origin_risk=OriginRisk.low, arrive_at=at(2, 8),
                reported_at=at(2, 8) - timedelta(days=3), building_id="B1"),
        Arrival(person_id="P3", origin="Far", origin_risk=OriginRisk.low, arrive_at=at(2, 8),
                reported_at=None, building_id="B2"),
        Arrival(person_id="P2", origin="Hot spot", origin_risk=OriginRisk.high, arrive_at=at(2, 8),
                reported_at=at(1, 8), building_id="B1"),
    ])
    session.commit()
    sampled(city, ("P1", "A1", at(2, 9)), ("P1", "A2", at(4, 8)))
    counts = run(flows.derive_arrivals, session, city, at(5, 9))
    assert counts == {"arrivals": 3, "with_problems": 1, "tasks_created": 3}
    followups = tasks_of(session, TaskKind.arrival_followup)
    assert sorted((t.subject_id, t.source_key.split(":")[-1], t.due_at) for t in followups) == [
        ("P3", "arrival_test_missing", at(4, 8)),
        ("P3", "later_test_missing", at(6, 8)),
        ("P3", "no_advance_report", at(3, 8)),
    ]
    assert run(flows.derive_arrivals, session, city, at(5, 10))["tasks_created"] == 0


def test_arrival_checks_name_the_measure_and_the_late_report(session: Session, city: Settings) -> None:
    from ringfence.eventlog.store import open_store
    from ringfence.testing import arrivals

    session.add(Arrival(person_id="P2", origin="Hot spot", origin_risk=OriginRisk.high, arrive_at=at(2, 8),
                        reported_at=at(1, 8), building_id="B1"))
    session.commit()
    with open_store(city) as store:
        document = arrivals.check(session=session, store=store, scope=CITY, protocol=PROTOCOL, as_of=at(2, 9))
    [check] = document.arrivals
    assert (check.measure.value, check.advance_report.value, check.arrival_test, check.problems) == (
        "central_isolation", "late", None, ["late_advance_report"]
    )


def test_a_key_place_letting_people_in_without_a_negative_gets_one_task_per_day(
    session: Session, city: Settings
) -> None:
    session.add(Venue(venue_id="H1", name="Hospital", kind="hospital", lon=113.6, lat=34.75, building_id="B2"))
    session.commit()
    from ringfence.imports import snapshots

    snapshots.refresh(session=session, settings=city, names=["venues"])
    sampled(city, ("P1", "N1", at(2, 1)))
    reported(city, ("N1", "negative", at(2, 3)))
    scanned(city, ("P1", "H1", at(2, 12)), ("P3", "H1", at(2, 12)), ("P3", "V1", at(2, 12)))
    counts = run(flows.derive_key_places, session, city, at(2, 20))
    assert counts == {"violations": 1, "venues": 1, "tasks_created": 1}
    [task] = tasks_of(session, TaskKind.key_place_violation)
    assert (task.subject_id, task.area_id, task.due_at) == ("H1", "M2", at(3, 20))
    assert task.detail.startswith("1 of 2 check-ins")
    assert run(flows.derive_key_places, session, city, at(2, 21))["tasks_created"] == 0
