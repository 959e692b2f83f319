"""Sentinel follow-ups over the event log, and the respond step turning them into tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.service.surveillance.sentinel_world import T0, append, build_city, sample_row, sentinel_row

from ringfence.eventlog.store import open_store
from ringfence.protocols import service as protocols
from ringfence.respond import Context
from ringfence.surveillance import flows, service
from ringfence.surveillance.rules import FollowUpStatus
from ringfence.tasks.models import Task, TaskKind, TaskStatus

PROTOCOL = protocols.load("covid19-cn-9")
DAY = timedelta(hours=PROTOCOL.sentinel.test_within_hours)


@pytest.fixture
def world(session, settings):
    """P1 bought antipyretics (tested 3 h later), P2 visited a fever clinic (never tested), P3 bought
    two categories at once (tested 30 h later: too late); P4 bought vitamins; an aggregate row names nobody."""
    build_city(session, settings)
    session.commit()
    append(settings, "sentinel", [
        sentinel_row("V1", T0, "antipyretic", "P1"),
        sentinel_row("V2", T0 + timedelta(hours=1), "fever_clinic", "P2", site_kind="fever_clinic"),
        sentinel_row("V1", T0 + timedelta(hours=2), "antitussive", "P3"),
        sentinel_row("V1", T0 + timedelta(hours=2), "antibiotic", "P3"),
        sentinel_row("V1", T0 + timedelta(hours=2), "vitamins", "P4"),
        sentinel_row("V1", T0 + timedelta(hours=3), "antipyretic", count=12),
    ], "sentinel-1")
    append(settings, "samples", [
        sample_row("s1", "P1", T0 + timedelta(hours=3)),
        sample_row("s0", "P2", T0 - timedelta(hours=5)),  # before the visit: does not count
        sample_row("s3", "P3", T0 + timedelta(hours=32)),
    ], "samples-1")
    return settings


def _followups(settings, as_of):
    with open_store(settings) as store:
        return {r.person_id: r for r in service.followups(store=store, protocol=PROTOCOL, as_of=as_of).followups}


def test_each_person_owing_a_test_is_judged_as_of_the_time_given(world) -> None:
    rows = _followups(world, T0 + timedelta(hours=40))
    assert set(rows) == {"P1", "P2", "P3"}
    assert (rows["P1"].status, rows["P1"].tested_at) == (FollowUpStatus.tested, T0 + timedelta(hours=3))
    assert rows["P2"].status is FollowUpStatus.missed and rows["P2"].first_sample_at is None
    assert rows["P3"].status is FollowUpStatus.missed
    assert rows["P3"].first_sample_at == T0 + timedelta(hours=32)  # the late sample is shown, not counted
    assert rows["P3"].categories == ["antibiotic", "antitussive"]
    assert (rows["P2"].community_id, rows["P2"].test_by) == ("M1", T0 + timedelta(hours=1) + DAY)


def test_before_the_window_closes_an_untested_person_is_pending(world) -> None:
    rows = _followups(world, T0 + timedelta(hours=10))
    assert rows["P2"].status is FollowUpStatus.pending and rows["P3"].status is FollowUpStatus.pending


def test_respond_makes_a_task_per_untested_follow_up_in_the_persons_community_once(world, engine, session) -> None:
    context = Context(as_of=T0 + timedelta(hours=10), settings=world, protocol=PROTOCOL, actor="respond")
    try:
        first = flows.derive_followups(session, context)
        session.commit()
        again = flows.derive_followups(session, context)
        session.commit()
    finally:
        context.events.close()
    assert (first["tasks_created"], first["tested"], first["pending"]) == (2, 1, 2)
    assert again["tasks_created"] == 0
    tasks = {t.subject_id: t for t in session.query(Task).filter(Task.kind == TaskKind.sentinel_followup)}
    assert set(tasks) == {"P2", "P3"}
    assert (tasks["P2"].area_id, tasks["P3"].area_id) == ("M1", "M2")  # P2 lives in B1, P3 in B2
    assert tasks["P2"].due_at == T0 + timedelta(hours=1 + PROTOCOL.deadlines.sentinel_followup)
    assert tasks["P2"].department == "market_regulation"


def test_a_task_closes_at_the_sample_time_once_the_person_is_tested_in_time(world, session) -> None:
    context = Context(as_of=T0 + timedelta(hours=10), settings=world, protocol=PROTOCOL, actor="respond")
    try:
        flows.derive_followups(session, context)
        session.commit()
    finally:
        context.events.close()
    append(world, "samples", [sample_row("s2", "P2", T0 + timedelta(hours=20))], "samples-2")
    later = Context(as_of=T0 + timedelta(hours=26), settings=world, protocol=PROTOCOL, actor="respond")
    try:
        figures = flows.derive_followups(session, later)
        session.commit()
    finally:
        later.events.close()
    assert figures["tasks_done"] == 1
    p2 = session.query(Task).filter(Task.kind == TaskKind.sentinel_followup, Task.subject_id == "P2").one()
    assert (p2.status, p2.done_at) == (TaskStatus.done, T0 + timedelta(hours=20))
    p3 = session.query(Task).filter(Task.kind == TaskKind.sentinel_followup, Task.subject_id == "P3").one()
    assert p3.status is TaskStatus.open  # tested only after its window: still owed


def test_a_territorial_caller_sees_only_the_follow_ups_of_people_living_in_their_subtree(world) -> None:
    from ringfence.auth.rules import Role, Scope

    rows = list(_followups(world, T0 + timedelta(hours=40)).values())
    district_two = Scope(actor="d2", role=Role.district, subtree="/C/D2/")
    city = Scope(actor="hq", role=Role.commander, subtree=None)
    assert [r.person_id for r in service.visible_followups(rows, district_two)] == ["P3"]
    assert len(service.visible_followups(rows, city)) == 3
