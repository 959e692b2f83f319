"""Tasks in the store: idempotent generation, escalation, jurisdiction of the lists, SLA figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.core import timeline
from ringfence.core.errors import Conflict, NotFound
from ringfence.notifications.models import Notification
from ringfence.protocols.service import load
from ringfence.tasks import service
from ringfence.tasks.models import Task, TaskKind, TaskStatus
from ringfence.tasks.schemas import TaskFilter

PROTOCOL = load("covid19-cn-9")
DUE = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)
CITY = Scope(actor="hq", role=Role.commander, subtree=None)
DISTRICT_1 = Scope(actor="d1", role=Role.district, subtree="/C/D1/")
SUBDISTRICT_1 = Scope(actor="s1", role=Role.subdistrict, subtree="/C/D1/S1/")
COMMUNITY_1 = Scope(actor="m1", role=Role.community, subtree="/C/D1/S1/M1/")
DISTRICT_2 = Scope(actor="d2", role=Role.district, subtree="/C/D2/")


@pytest.fixture
def city(session):
    return build_small_city(session)


def make(session, subject: str, area: str | None, *, due: datetime = DUE, kind=TaskKind.place_contact) -> Task:
    task, _ = service.ensure(
        session=session, kind=kind, subject_id=subject, area_id=area, due_at=due,
        source_key=f"test:{subject}", actor="test", protocol=PROTOCOL, created_at=due - timedelta(hours=24),
    )
    return task


def test_ensuring_the_same_source_twice_creates_one_task(session, city) -> None:
    first, created = service.ensure(session=session, kind=TaskKind.door_knock, subject_id="B1", area_id="M1",
                                    due_at=DUE, source_key="round:7:B1", actor="t", protocol=PROTOCOL)
    again, created_again = service.ensure(session=session, kind=TaskKind.door_knock, subject_id="B1", area_id="M1",
                                          due_at=DUE + timedelta(hours=5), source_key="round:7:B1", actor="t",
                                          protocol=PROTOCOL)
    assert (created, created_again) == (True, False)
    assert again.task_id == first.task_id and again.due_at == DUE
    assert session.scalar(select(Task.task_id).where(Task.kind == TaskKind.door_knock).offset(1)) is None


def test_the_same_source_key_under_another_kind_is_another_task(session, city) -> None:
    a, _ = service.ensure(session=session, kind=TaskKind.door_knock, subject_id="B1", area_id="M1", due_at=DUE,
                          source_key="x", actor="t", protocol=PROTOCOL)
    b, created = service.ensure(session=session, kind=TaskKind.recall_pool, subject_id="B1", area_id="M1", due_at=DUE,
                                source_key="x", actor="t", protocol=PROTOCOL)
    assert created and a.task_id != b.task_id


def test_a_new_task_takes_its_department_and_unit_from_the_protocol(session, city) -> None:
    task = make(session, "P1", "M1", kind=TaskKind.door_knock)
    party = PROTOCOL.responsibility.by_kind["door_knock"]
    assert (task.department, task.unit, task.status) == (party.department, party.unit, TaskStatus.open)
    own_unit, _ = service.ensure(session=session, kind=TaskKind.door_knock, subject_id="P2", area_id="M1", due_at=DUE,
                                 source_key="k2", actor="t", protocol=PROTOCOL, unit="grid_7")
    assert own_unit.unit == "grid_7"


@pytest.mark.parametrize(("late", "expected"), [
    (timedelta(0), (None, 0)),
    (timedelta(hours=23, minutes=59), ("S1", 1)),
    (timedelta(hours=24), ("D1", 2)),
    (timedelta(hours=48), ("C", 3)),
    (timedelta(hours=240), ("C", 3)),
])
def test_escalation_at_its_boundaries(session, city, late, expected) -> None:
    task = make(session, "P1", "M1")
    service.escalate(session=session, as_of=DUE + late, protocol=PROTOCOL, actor="respond")
    assert (task.escalated_to, task.escalation_level) == expected


def test_escalation_is_recorded_on_the_timeline_and_notifies_the_raised_area(session, city) -> None:
    task = make(session, "P1", "M1")
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=1), protocol=PROTOCOL, actor="r") == 1
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=2), protocol=PROTOCOL, actor="r") == 0
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=25), protocol=PROTOCOL, actor="r") == 1
    actions = [e.action for e in timeline.history(session, subject_type="task", subject_id=str(task.task_id))]
    assert actions == ["task.created", "task.escalated", "task.escalated"]
    session.flush()
    parties = [n.party for n in session.scalars(select(Notification).order_by(Notification.notification_id))]
    assert parties == ["area:S1", "area:D1"]


def test_escalation_never_lowers_what_a_later_run_raised(session, city) -> None:
    task = make(session, "P1", "M1")
    service.escalate(session=session, as_of=DUE + timedelta(hours=30), protocol=PROTOCOL, actor="r")
    service.escalate(session=session, as_of=DUE + timedelta(hours=1), protocol=PROTOCOL, actor="r")
    assert task.escalated_to == "D1"


def test_done_and_cancelled_tasks_do_not_escalate(session, city) -> None:
    done, cancelled = make(session, "P1", "M1"), make(session, "P2", "M1")
    service.complete(session=session, task=done, at=DUE + timedelta(hours=1), actor="t")
    service.cancel(session=session, task=cancelled, at=DUE, actor="t", reason="duplicate")
    assert service.escalate(session=session, as_of=DUE + timedelta(hours=50), protocol=PROTOCOL, actor="r") == 0
    assert done.escalated_to is None and cancelled.escalated_to is None


def test_a_closed_task_cannot_be_closed_again(session, city) -> None:
    task = make(session, "P1", "M1")
    service.complete(session=session, task=task, at=DUE, actor="t")
    with pytest.raises(Conflict):
        service.complete(session=session, task=task, at=DUE, actor="t")


def listed(session, scope: Scope, **kwargs) -> list[str]:
    return [t.subject_id for t in service.get_all(session=session, scope=scope, **kwargs)]


def test_each_level_lists_the_tasks_of_its_own_subtree(session, city) -> None:
    make(session, "P1", "M1")
    make(session, "P3", "M2")
    make(session, "P0", None)
    assert listed(session, COMMUNITY_1) == ["P1"]
    assert listed(session, DISTRICT_1) == ["P1"]
    assert listed(session, DISTRICT_2) == ["P3"]
    assert sorted(listed(session, CITY)) == ["P0", "P1", "P3"]


def test_a_task_raised_to_a_district_shows_on_that_district_list_and_no_other(session, city) -> None:
    make(session, "P1", "M1")
    make(session, "P3", "M2", due=DUE + timedelta(days=5))
    as_of = DUE + timedelta(hours=30)
    service.escalate(session=session, as_of=as_of, protocol=PROTOCOL, actor="r")
    raised_to_d1 = TaskFilter(escalated_to="D1", as_of=as_of)
    assert listed(session, DISTRICT_1, filters=raised_to_d1) == ["P1"]
    assert listed(session, DISTRICT_2, filters=raised_to_d1) == []
    assert listed(session, DISTRICT_1, overdue_at=as_of) == ["P1"]
    assert listed(session, DISTRICT_2, overdue_at=as_of) == []
    # the community stays answerable: its own overdue task remains on its list
    assert listed(session, COMMUNITY_1, overdue_at=as_of) == ["P1"]


def test_the_list_judges_escalation_as_of_the_time_asked(session, city) -> None:
    task = make(session, "P1", "M1")
    for late, expected in [(timedelta(hours=-1), None), (timedelta(hours=2), "S1"), (timedelta(hours=26), "D1")]:
        [row] = service.rows(session=session, tasks=[task], as_of=DUE + late, protocol=PROTOCOL)
        assert row.escalated_to == expected
    assert listed(session, SUBDISTRICT_1, filters=TaskFilter(escalated_to="S1", as_of=DUE + timedelta(hours=2))) == ["P1"]


def test_a_task_done_after_the_time_asked_was_still_overdue_then(session, city) -> None:
    task = make(session, "P1", "M1")
    service.complete(session=session, task=task, at=DUE + timedelta(hours=30), actor="t")
    assert listed(session, CITY, overdue_at=DUE + timedelta(hours=2)) == ["P1"]
    assert listed(session, CITY, overdue_at=DUE + timedelta(hours=31)) == []
    [row] = service.rows(session=session, tasks=[task], as_of=DUE + timedelta(hours=2), protocol=PROTOCOL)
    assert (row.status, row.escalated_to) == (TaskStatus.open, "S1")


def test_a_page_is_the_slice_of_the_whole_list_and_the_total_counts_every_match(session, city) -> None:
    for n in range(7):
        make(session, f"P{n}", "M1" if n % 3 else "M2", due=DUE + timedelta(hours=n))
    make(session, "Q1", "M1", due=DUE + timedelta(days=3), kind=TaskKind.door_knock)
    as_of = DUE + timedelta(hours=30)
    service.escalate(session=session, as_of=as_of, protocol=PROTOCOL, actor="r")
    for scope, kwargs in [(CITY, {}), (DISTRICT_1, {}), (CITY, {"overdue_at": DUE + timedelta(hours=3)}),
                          (CITY, {"filters": TaskFilter(kind=TaskKind.place_contact, area_id="D1")}),
                          (CITY, {"filters": TaskFilter(area_id="nowhere")}),
                          (DISTRICT_1, {"filters": TaskFilter(escalated_to="D1", as_of=as_of)})]:
        whole = listed(session, scope, **kwargs)
        pages = [service.get_page(session=session, scope=scope, page=page, size=3, **kwargs) for page in (1, 2, 3, 4)]
        assert [[t.subject_id for t in tasks] for tasks, _ in pages] == [whole[0:3], whole[3:6], whole[6:9], []]
        assert {total for _, total in pages} == {len(whole)}
    assert listed(session, CITY) == [f"P{n}" for n in range(7)] + ["Q1"]


def test_a_task_outside_the_jurisdiction_is_not_found(session, city) -> None:
    task = make(session, "P1", "M1")
    assert service.get(session=session, scope=DISTRICT_1, task_id=task.task_id) is task
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_2, task_id=task.task_id)


def test_the_sla_table_groups_by_area_and_department(session, city) -> None:
    as_of = DUE + timedelta(hours=6)
    on_time = make(session, "P1", "M1")  # created DUE-24h
    late = make(session, "P2", "M1")
    overdue = make(session, "P3", "M2")
    service.complete(session=session, task=on_time, at=DUE - timedelta(hours=14), actor="t")  # 10 h
    service.complete(session=session, task=late, at=DUE + timedelta(hours=4), actor="t")  # 28 h
    recall = make(session, "T9", "M1", kind=TaskKind.recall_pool)
    assert overdue.status is TaskStatus.open and recall.status is TaskStatus.open
    table = {(r.area_id, r.department): r for r in service.sla(session=session, scope=CITY, as_of=as_of)}
    contacts = PROTOCOL.responsibility.by_kind["place_contact"].department
    sampling = PROTOCOL.responsibility.by_kind["recall_pool"].department
    m1 = table[("M1", contacts)]
    assert (m1.total, m1.done, m1.done_on_time, m1.overdue_now) == (2, 2, 1, 0)
    assert m1.on_time_share == pytest.approx(0.5) and m1.median_hours_to_done == pytest.approx(19.0)
    m2 = table[("M2", contacts)]
    assert (m2.total, m2.done, m2.on_time_share, m2.overdue_now) == (1, 0, 0.0, 1)
    assert table[("M1", sampling)].overdue_now == 1
    assert {r.area_id for r in service.sla(session=session, scope=DISTRICT_2, as_of=as_of)} == {"M2"}
