"""The permission matrix: who gets what from the register endpoints (DESIGN.md sections 1 and 5b)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.service.areas.small_city import ID_NUMBERS, PHONES

from ringfence.core.audit import AuditEntry

ENDPOINTS = ["/api/people", "/api/people/P1", "/api/areas", "/api/areas/D1", "/api/areas/D1/children",
             "/api/buildings", "/api/buildings/B1", "/api/venues", "/api/venues/V1", "/api/audit", "/api/users"]

# who → expected status per endpoint, in ENDPOINTS order
MATRIX = {
    None: [401] * len(ENDPOINTS),
    "district_a": [200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403],
    "district_b": [200, 404, 200, 404, 404, 200, 404, 200, 404, 403, 403],
    "commander": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403],
    "admin": [403, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "lab": [403] * 9 + [403, 403],
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_role_gets_the_status_its_permissions_and_jurisdiction_allow(world, who) -> None:
    statuses = [world.get(path, who).status_code for path in ENDPOINTS]
    assert dict(zip(ENDPOINTS, statuses)) == dict(zip(ENDPOINTS, MATRIX[who]))


def test_errors_are_json_with_a_detail(world) -> None:
    for who, path in [(None, "/api/people"), ("lab", "/api/people"), ("district_b", "/api/people/P1")]:
        body = world.get(path, who).json()
        assert isinstance(body["detail"], str) and body["detail"]


def test_without_credentials_the_answer_asks_for_a_bearer_token(world) -> None:
    assert world.get("/api/people", None).headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(world) -> None:
    response = world.client.get("/api/people", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_a_district_lists_its_own_residents_only(world) -> None:
    body = world.get("/api/people", "district_b").json()
    assert ([p["person_id"] for p in body["items"]], body["total"]) == (["P3"], 1)


def test_a_hidden_person_and_a_missing_one_look_the_same(world) -> None:
    hidden, missing = world.get("/api/people/P1", "district_b"), world.get("/api/people/P404", "district_b")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"].replace("P1", "X") == missing.json()["detail"].replace("P404", "X")


def test_territorial_staff_see_identifiers_in_full(world) -> None:
    person = world.get("/api/people/P1", "district_a").json()
    assert (person["id_number"], person["phone"]) == (ID_NUMBERS["P1"], PHONES["P1"])


def test_the_commander_sees_identifiers_masked(world) -> None:
    person = world.get("/api/people/P1", "commander").json()
    assert (person["id_number"], person["phone"]) == ("4101**********1234", "138****1234")
    listed = world.get("/api/people", "commander").json()["items"]
    assert all(ID_NUMBERS[p["person_id"]] != p["id_number"] for p in listed)


def test_the_analyst_sees_identifiers_in_full(world) -> None:
    assert world.get("/api/people/P3", "analyst").json()["id_number"] == ID_NUMBERS["P3"]


def audit_rows(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    return [(e.user, e.action, e.subject) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.action.startswith("person.")]


@pytest.mark.parametrize("who", ["district_a", "commander", "analyst"])
def test_every_read_of_a_person_is_audited_with_who_and_from_where(world, session, who) -> None:
    world.get("/api/people/P2", who)
    assert audit_rows(session) == [(who, "person.read", "person:P2")]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.read")).one()
    assert entry.origin == "testclient"


def test_every_person_in_a_list_is_audited(world, session) -> None:
    world.get("/api/people", "district_a", household_id="H1")
    assert audit_rows(session) == [("district_a", "person.list", "person:P1"), ("district_a", "person.list", "person:P2")]


def test_refused_reads_leave_no_person_read_in_the_audit_log(world, session) -> None:
    world.get("/api/people/P1", "district_b")
    world.get("/api/people/P1", "lab")
    assert audit_rows(session) == []


def test_the_audit_endpoint_shows_the_reads(world) -> None:
    world.get("/api/people/P1", "district_a")
    body = world.get("/api/audit", "admin", action="person.read").json()
    assert [(e["user"], e["subject"]) for e in body["items"]] == [("district_a", "person:P1")]


def test_lists_are_paginated(world) -> None:
    body = world.get("/api/people", "commander", page=2, size=2).json()
    assert (body["page"], body["size"], body["total"], [p["person_id"] for p in body["items"]]) == (2, 2, 5, ["P2", "P3"])


@pytest.mark.parametrize(("path", "params", "key", "expected"), [
    ("/api/people", {"building_id": "B2"}, "person_id", ["P3"]),
    ("/api/people", {"key_group": "courier"}, "person_id", ["P1"]),
    ("/api/people", {"area_id": "D2"}, "person_id", ["P3"]),
    ("/api/areas", {"level": "district"}, "area_id", ["D1", "D2", "D_"]),
    ("/api/areas", {"parent_id": "S1"}, "area_id", ["M1"]),
    ("/api/buildings", {"area_id": "D1"}, "building_id", ["B1"]),
    ("/api/venues", {"kind": "mall"}, "venue_id", ["V2"]),
])
def test_lists_filter(world, path, params, key, expected) -> None:
    assert [item[key] for item in world.get(path, "commander", **params).json()["items"]] == expected


@pytest.mark.parametrize(("params", "status"), [
    ({"page": 0}, 422), ({"size": 0}, 422), ({"size": 10_000}, 422), ({"page": "x"}, 422),
])
def test_invalid_paging_is_a_422(world, params, status) -> None:
    assert world.get("/api/people", "commander", **params).status_code == status


def test_venues_without_a_building_are_visible_city_wide_only(world) -> None:
    assert world.get("/api/venues/V0", "commander").status_code == 200
    assert world.get("/api/venues/V0", "district_a").status_code == 404
