"""Placements through the API: an isolation manager sees and places in their own facility only;
territorial staff see placements of the people of their subtree; every read is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.api.conftest import PASSWORD
from tests.service.isolation.facilities import AS_OF, TODAY, add_facilities

from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.core.audit import AuditEntry
from ringfence.isolation import service
from ringfence.isolation.rules import PlacementKind


@pytest.fixture
def placed(world, session):
    """F1 manager and F2 manager accounts; P1 placed in F1, P3 in F2, P4 at home."""
    add_facilities(session)
    for username, unit in [("iso_f1", "F1"), ("iso_f2", "F2")]:
        user = auth_service.create(
            session=session, actor="fixture",
            user_in=UserCreate(username=username, role=Role.isolation, password=PASSWORD, unit_id=unit),
        )
        world.tokens[username], _ = auth_service.issue_token(session=session, user=user)
    common = {"start": TODAY, "until": TODAY + timedelta(days=7), "test_dates": [], "actor": "fixture",
              "reason": None, "as_of": AS_OF}
    service.place(session=session, person_id="P1", kind=PlacementKind.central, facility_id="F1", **common)
    service.place(session=session, person_id="P3", kind=PlacementKind.central, facility_id="F2", **common)
    service.place(session=session, person_id="P4", kind=PlacementKind.home, **common)
    session.commit()
    return world


def people_listed(world, who: str) -> list[str]:
    response = world.get("/api/placements", who)
    assert response.status_code == 200
    return sorted(p["person_id"] for p in response.json()["items"])


@pytest.mark.parametrize(("who", "people"), [
    ("iso_f1", ["P1"]), ("iso_f2", ["P3"]), ("district_a", ["P1"]), ("district_b", ["P3"]),
    ("commander", ["P1", "P3", "P4"]), ("analyst", ["P1", "P3", "P4"]),
])
def test_each_role_lists_the_placements_of_its_facility_or_subtree(placed, who, people) -> None:
    assert people_listed(placed, who) == people


def test_a_placement_outside_the_managers_facility_is_not_found(placed, session) -> None:
    p3 = service.active_of(session=session, person_id="P3").placement_id
    assert placed.get(f"/api/placements/{p3}", "iso_f1").status_code == 404
    assert placed.get(f"/api/placements/{p3}", "iso_f2").json()["person_id"] == "P3"


def test_roles_without_isolation_rights_are_refused(placed) -> None:
    assert placed.get("/api/placements", "lab").status_code == 403
    assert placed.get("/api/facilities", "admin").status_code == 403


def test_a_manager_sees_only_their_facility_and_its_rooms(placed) -> None:
    assert [f["facility_id"] for f in placed.get("/api/facilities", "iso_f1").json()["items"]] == ["F1"]
    assert placed.get("/api/facilities/F2/rooms", "iso_f1").status_code == 404
    rooms = placed.get("/api/facilities/F1/rooms", "iso_f1").json()["items"]
    assert {r["room_id"]: r["occupied"] for r in rooms} == {"D": 0, "S": 1, "T": 0}


def test_reading_placements_is_audited_per_person(placed, session) -> None:
    people_listed(placed, "iso_f1")
    session.expire_all()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.user == "iso_f1")).all()
    assert [(e.action, e.subject) for e in entries] == [("placement.list", "person:P1")]


def test_a_manager_places_into_their_own_facility_with_protocol_dates(placed) -> None:
    response = placed.client.post("/api/placements", json={"person_id": "P2"}, headers=placed.headers("iso_f1"))
    assert response.status_code == 201
    body = response.json()
    start = date.fromisoformat(body["start"])
    assert (body["facility_id"], body["status"]) == ("F1", "placed")
    assert date.fromisoformat(body["until"]) == start + timedelta(days=7)
    assert body["test_dates"][0] == (start + timedelta(days=1)).isoformat()


def test_a_manager_cannot_place_into_another_facility(placed) -> None:
    response = placed.client.post("/api/placements", json={"person_id": "P2", "facility_id": "F2"},
                                  headers=placed.headers("iso_f1"))
    assert response.status_code == 404


def test_placing_someone_already_placed_answers_409_with_the_reason(placed) -> None:
    response = placed.client.post("/api/placements", json={"person_id": "P1"}, headers=placed.headers("iso_f1"))
    assert response.status_code == 409 and "already placed" in response.json()["detail"]


def test_a_full_room_answers_409(placed) -> None:
    response = placed.client.post("/api/placements", json={"person_id": "P0", "facility_id": "F1", "room_id": "S"},
                                  headers=placed.headers("iso_f1"))
    assert response.status_code == 409 and "is full (1 of 1 beds taken)" in response.json()["detail"]


def test_a_manager_releases_a_placement_and_the_bed_frees(placed, session) -> None:
    p1 = service.active_of(session=session, person_id="P1").placement_id
    response = placed.client.post(f"/api/placements/{p1}/release", json={"reason": "transferred"},
                                  headers=placed.headers("iso_f1"))
    assert response.status_code == 200 and response.json()["status"] == "released"
    again = placed.client.post(f"/api/placements/{p1}/release", json={}, headers=placed.headers("iso_f1"))
    assert again.status_code == 409


def test_the_status_shows_occupancy_and_the_waiting_list(placed) -> None:
    body = placed.get("/api/isolation/status", "commander", day=TODAY.isoformat()).json()
    assert [(f["facility_id"], f["beds"], f["occupied"]) for f in body["facilities"]] == [("F1", 6, 1), ("F2", 1, 1)]
    assert body["alerts"][0]["facility_id"] == "F2" and body["waiting"] == []
