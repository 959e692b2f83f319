"""`/api/tasks`: paginated, scoped to the caller's subtree, closing and assigning on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ringfence.core.audit import AuditEntry
from ringfence.notifications.models import Notification
from ringfence.protocols.service import load
from ringfence.tasks import service
from ringfence.tasks.models import TaskKind

DUE = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def tasks(world, session) -> dict[str, int]:
    protocol = load("covid19-cn-9")
    ids = {}
    for subject, area in [("P1", "M1"), ("P2", "M1"), ("P3", "M2")]:
        task, _ = service.ensure(session=session, kind=TaskKind.place_contact, subject_id=subject, area_id=area,
                                 due_at=DUE, source_key=f"api:{subject}", actor="t", protocol=protocol,
                                 created_at=DUE - timedelta(hours=24))
        ids[subject] = task.task_id
    session.commit()
    return ids


def test_a_district_lists_only_its_subtree_in_pages(world, tasks) -> None:
    body = world.get("/api/tasks", "district_a", size=1).json()
    assert (body["total"], body["page"], body["size"], len(body["items"])) == (2, 1, 1, 1)
    second = world.get("/api/tasks", "district_a", size=1, page=2).json()
    assert {body["items"][0]["subject_id"], second["items"][0]["subject_id"]} == {"P1", "P2"}
    assert [t["subject_id"] for t in world.get("/api/tasks", "district_b").json()["items"]] == ["P3"]


def test_escalation_in_the_list_is_judged_as_of_the_time_asked(world, tasks) -> None:
    as_of = (DUE + timedelta(hours=25)).isoformat()
    body = world.get("/api/tasks", "commander", overdue="true", as_of=as_of, escalated_to="D1").json()
    assert sorted(t["subject_id"] for t in body["items"]) == ["P1", "P2"]
    assert {t["escalated_to"] for t in body["items"]} == {"D1"}


def test_a_naive_as_of_is_refused(world, tasks) -> None:
    assert world.get("/api/tasks", "commander", as_of="2022-10-10T12:00:00").status_code == 422


def test_a_task_outside_the_jurisdiction_is_not_found(world, tasks) -> None:
    assert world.get(f"/api/tasks/{tasks['P3']}", "district_a").status_code == 404
    assert world.get(f"/api/tasks/{tasks['P3']}", "district_b").status_code == 200
    assert world.get(f"/api/tasks/{tasks['P3']}", "lab").status_code == 403
    assert world.get(f"/api/tasks/{tasks['P3']}", None).status_code == 401


def test_closing_a_task_is_on_its_history_and_in_the_audit_log(world, tasks, session) -> None:
    headers = world.headers("district_a")
    response = world.client.post(f"/api/tasks/{tasks['P1']}/done", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "done"
    again = world.client.post(f"/api/tasks/{tasks['P1']}/done", headers=headers)
    assert again.status_code == 409
    history = world.get(f"/api/tasks/{tasks['P1']}", "district_a").json()["history"]
    assert [(h["action"], h["actor"]) for h in history][-1] == ("task.done", "district_a")
    session.expire_all()
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.subject == f"task:{tasks['P1']}")) == "task.done"


def test_the_commander_reads_but_may_not_close(world, tasks) -> None:
    assert world.client.post(f"/api/tasks/{tasks['P1']}/done", headers=world.headers("commander")).status_code == 403


def test_assigning_names_the_person_and_queues_a_message_for_them(world, tasks, session) -> None:
    response = world.client.post(f"/api/tasks/{tasks['P3']}/assign", headers=world.headers("district_b"),
                                 json={"assignee": "wang.li", "unit": "grid 4"})
    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["unit"]) == ("wang.li", "grid 4")
    session.expire_all()
    assert session.scalar(select(Notification.party)) == "user:wang.li"
    assert world.client.post(f"/api/tasks/{tasks['P3']}/assign", headers=world.headers("district_b"),
                             json={"assignee": ""}).status_code == 422


def test_the_sla_table_is_scoped(world, tasks) -> None:
    rows = world.get("/api/tasks/sla", "district_b", as_of=(DUE + timedelta(hours=1)).isoformat()).json()
    assert [(r["area_id"], r["overdue_now"]) for r in rows] == [("M2", 1)]
