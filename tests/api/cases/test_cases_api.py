"""`/api/cases`: jurisdiction scoping of cases and their contacts, audit, status changes, the graph."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, Classification
from ringfence.cases.schemas import CaseCreate
from ringfence.core.audit import AuditEntry
from ringfence.eventlog.store import open_store
from ringfence.imports import snapshots
from ringfence.tracing.models import ContactRecord, Measure
from ringfence.tracing.rules import ContactCategory, ExposureVia

CONFIRMED = datetime(2022, 10, 10, 4, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def outbreak(world, session, settings) -> Case:
    """P1 (district D1) is a case; P3 (D2) shared the mall with P1 for 40 minutes."""
    snapshots.refresh(session=session, settings=settings, names=["people", "venues", "buildings", "areas"])
    with open_store(settings) as store:
        import pyarrow as pa

        from ringfence.eventlog.kinds import LAYOUTS, EventKind

        rows = [("P1", "V2", at(9, 2), at(9, 3)), ("P3", "V2", at(9, 2, 20), at(9, 4))]
        store.append("scans", pa.Table.from_pylist(
            [dict(zip(("person_id", "venue_id", "scanned_at", "left_at"), r)) for r in rows],
            schema=LAYOUTS[EventKind.scans].schema), batch_id="api-scans")
    case = cases_service.create(
        session=session,
        case_in=CaseCreate(person_id="P1", classification=Classification.confirmed, confirmed_at=CONFIRMED),
        actor="test",
    )
    session.commit()
    return case


def test_a_district_sees_the_contacts_of_a_case_in_its_subtree(world, outbreak) -> None:
    response = world.get(f"/api/cases/{outbreak.case_id}/contacts", "district_a")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"case", "window", "contacts"}
    assert body["case"] == "P1"
    contacts = {c["person_id"]: c for c in body["contacts"]}
    assert set(contacts) == {"P2", "P3"}
    assert set(contacts["P3"]) == {"person_id", "category", "via", "through", "venue_id", "last_exposure",
                                   "overlap_minutes"}
    assert (contacts["P3"]["category"], contacts["P3"]["via"], contacts["P3"]["venue_id"],
            contacts["P3"]["overlap_minutes"]) == ("close", "venue", "V2", 40)
    assert contacts["P2"]["via"] == "household"


def test_a_case_outside_the_jurisdiction_is_not_found_like_a_missing_one(world, outbreak) -> None:
    hidden = world.get(f"/api/cases/{outbreak.case_id}/contacts", "district_b")
    missing = world.get("/api/cases/999/contacts", "district_b")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(outbreak.case_id), "N") == missing.json()["detail"].replace("999", "N")
    assert world.get(f"/api/cases/{outbreak.case_id}", "district_b").status_code == 404


def test_roles_without_case_reading_are_refused_and_strangers_unauthenticated(world, outbreak) -> None:
    assert world.get(f"/api/cases/{outbreak.case_id}/contacts", "admin").status_code == 403
    assert world.get(f"/api/cases/{outbreak.case_id}/contacts", None).status_code == 401


def test_reading_contacts_is_audited(world, outbreak, session) -> None:
    world.get(f"/api/cases/{outbreak.case_id}/contacts", "commander")
    session.expire_all()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.contacts")).all()
    assert [(e.user, e.subject) for e in entries] == [("commander", f"case:{outbreak.case_id}")]


def test_contacts_as_of_before_the_confirmation_are_not_found(world, outbreak) -> None:
    response = world.get(f"/api/cases/{outbreak.case_id}/contacts", "analyst", as_of="2022-10-09T00:00:00Z")
    assert response.status_code == 404


def test_case_lists_are_scoped(world, outbreak) -> None:
    assert world.get("/api/cases", "district_a").json()["total"] == 1
    assert world.get("/api/cases", "district_b").json()["total"] == 0


def test_an_analyst_records_a_case_and_moves_it_through_statuses_on_its_timeline(world, outbreak) -> None:
    headers = world.headers("analyst")
    created = world.client.post("/api/cases", headers=headers, json={
        "person_id": "P3", "classification": "asymptomatic", "confirmed_at": "2022-10-11T09:00:00+08:00",
        "found_via": "controlled"})
    assert created.status_code == 201
    case_id = created.json()["case_id"]
    moved = world.client.post(f"/api/cases/{case_id}/status", headers=headers,
                              json={"status": "isolated", "at": "2022-10-11T10:00:00+08:00"})
    assert moved.status_code == 200
    assert [e["action"] for e in moved.json()["timeline"]] == ["case.confirmed", "case.isolated"]
    assert world.client.post(f"/api/cases/{case_id}/status", headers=headers,
                             json={"status": "confirmed"}).status_code == 409
    assert world.client.post("/api/cases", headers=world.headers("district_a"), json={
        "person_id": "P2", "classification": "confirmed", "confirmed_at": "2022-10-11T09:00:00Z"}).status_code == 403


def test_the_graph_links_a_case_to_a_contact_who_became_a_case(world, outbreak, session) -> None:
    session.add(ContactRecord(
        case_id=outbreak.case_id, person_id="P3", category=ContactCategory.close, via=ExposureVia.venue,
        venue_id="V2", last_exposure=at(9, 3), overlap_minutes=40, traced_at=at(10, 8),
        measure=Measure.central_isolation, measure_until=datetime(2022, 10, 16).date(), test_dates=[]))
    cases_service.create(session=session, actor="test", case_in=CaseCreate(
        person_id="P3", classification=Classification.confirmed, confirmed_at=at(12, 4)))
    session.commit()
    graph = world.get("/api/cases/graph", "commander").json()
    assert [(e["source"], e["target"], e["transmission"]) for e in graph["edges"]] == [("P1", "P3", True)]
    assert graph["clusters"] == [{"cluster": 1, "cases": ["P1", "P3"], "size": 2}]
    scoped = world.get("/api/cases/graph", "district_a").json()
    assert [n["person_id"] for n in scoped["nodes"] if n["kind"] == "case"] == ["P1"]
