"""`/api/enterprises` and `/api/help-tickets`: an enterprise's own view, whitelist decisions, tickets."""

from __future__ import annotations

import pytest
from tests.api.conftest import PASSWORD

from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.enterprises.models import Enterprise


@pytest.fixture
def firm(world, session):
    session.add_all([Enterprise(enterprise_id="E1", name="Line 3", building_id="B1", industry="electronics"),
                     Enterprise(enterprise_id="E2", name="Cold store", building_id="B2", industry="cold_chain")])
    user = auth_service.create(session=session, actor="fixture", user_in=UserCreate(
        username="firm_e1", role=Role.enterprise, password=PASSWORD, unit_id="E1"))
    world.tokens["firm_e1"], _ = auth_service.issue_token(session=session, user=user)
    session.commit()
    return world


def test_an_enterprise_sees_only_itself(firm) -> None:
    assert [e["enterprise_id"] for e in firm.get("/api/enterprises", "firm_e1").json()["items"]] == ["E1"]
    assert firm.get("/api/enterprises/E2", "firm_e1").status_code == 404
    assert [e["enterprise_id"] for e in firm.get("/api/enterprises", "district_b").json()["items"]] == ["E2"]
    assert firm.get("/api/enterprises", "lab").status_code == 403


def test_an_application_is_filed_by_the_firm_and_approved_by_its_district(firm) -> None:
    client = firm.client
    filed = client.post("/api/enterprises/applications", headers=firm.headers("firm_e1"),
                        json={"enterprise_id": "E1", "plan": "dormitory on site"})
    assert filed.status_code == 201
    url = f"/api/enterprises/applications/{filed.json()['application_id']}/decision"
    assert client.post(url, headers=firm.headers("firm_e1"), json={"status": "approved"}).status_code == 403
    assert client.post(url, headers=firm.headers("district_b"), json={"status": "approved"}).status_code == 404
    assert client.post(url, headers=firm.headers("district_a"), json={"status": "approved"}).status_code == 200
    e1 = firm.get("/api/enterprises/E1", "firm_e1").json()
    assert (e1["whitelisted"], e1["production_status"]) == (True, "closed_loop")


def test_a_help_ticket_is_reported_assigned_and_answered(firm) -> None:
    client = firm.client
    reported = client.post("/api/help-tickets", params={"enterprise_id": "E1"}, headers=firm.headers("firm_e1"),
                           json={"category": "logistics", "description": "trucks stopped at checkpoint"})
    assert reported.status_code == 201
    ticket = reported.json()
    assert ticket["status"] == "open" and ticket["task_id"] is not None
    url = f"/api/help-tickets/{ticket['ticket_id']}"
    assert client.post(f"{url}/assign", headers=firm.headers("district_b"), json={"assignee": "x"}).status_code == 404
    assigned = client.post(f"{url}/assign", headers=firm.headers("district_a"), json={"assignee": "official.liu"})
    assert assigned.json()["assignee"] == "official.liu"
    answered = client.post(f"{url}/answer", headers=firm.headers("district_a"), json={"answer": "green lane opened"})
    assert answered.json()["status"] == "answered"
    task = firm.get(f"/api/tasks/{ticket['task_id']}", "district_a").json()
    assert (task["status"], task["kind"], task["area_id"]) == ("done", "help_ticket", "M1")
    assert client.post(f"{url}/close", headers=firm.headers("firm_e1")).json()["status"] == "closed"


def test_the_roster_of_an_empty_enterprise_has_no_share(firm) -> None:
    body = firm.get("/api/enterprises/E1/roster", "firm_e1").json()
    assert (body["staff"], body["share"], body["alert"]) == (0, None, False)
