"""The lab's uploads and the screening lists over HTTP: permissions, jurisdiction, audit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.service.testing.screening_city import CITY, PROTOCOL, at

from ringfence.config import Settings
from ringfence.core.audit import AuditEntry
from ringfence.imports import snapshots
from ringfence.testing import service
from ringfence.testing.models import RiskLevel
from ringfence.testing.schemas import RoundCreate

SAMPLES = {"rows": [
    {"sample_id": "s1", "person_id": "P1", "tube_id": "T1", "collected_at": "2022-10-02T08:00:00+08:00"},
    {"sample_id": "s2", "person_id": "P2", "tube_id": "T1", "collected_at": "2022-10-02T08:00:00+08:00"},
    {"sample_id": "s3", "person_id": "P3", "tube_id": "T2", "collected_at": "2022-10-02T08:00:00+08:00"},
    {"sample_id": "s4", "person_id": "P4", "tube_id": "T2", "collected_at": "2022-10-02T08:00:00+08:00"},
    {"sample_id": "s5", "person_id": "P9", "tube_id": "T3", "collected_at": "2022-10-02T08:00:00+08:00"},
]}
RESULTS = {"rows": [
    {"tube_id": "T1", "result": "positive", "reported_at": "2022-10-02T12:00:00+08:00", "ct": 25},
    {"tube_id": "T2", "result": "positive", "reported_at": "2022-10-02T12:00:00+08:00"},
]}


@pytest.fixture
def city(world: World, session: Session, settings: Settings) -> World:
    snapshots.refresh(session=session, settings=settings, names=["areas", "buildings", "people", "venues"])
    return world


def post(world: World, path: str, who: str | None, body: dict):
    return world.client.post(path, headers=world.headers(who), json=body)


def test_a_lab_uploads_samples_and_results_and_hears_what_was_refused(city: World) -> None:
    samples = post(city, "/api/samples", "lab", SAMPLES)
    assert samples.status_code == 200, samples.text
    body = samples.json()
    assert (body["accepted"], body["rejected"], body["rejects"]) == (4, 1, [{"index": 4, "reason": "unknown person"}])
    assert body["pending_tubes"] == ["T1", "T2"]
    results = post(city, "/api/tube-results", "lab", {"rows": [*RESULTS["rows"], {
        "tube_id": "T7", "result": "negative", "reported_at": "2022-10-02T12:00:00+08:00"}]})
    assert results.status_code == 200
    assert results.json()["rejects"] == [{"index": 2, "reason": "tube has no samples"}]


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("district_a", 403), ("commander", 403)])
def test_only_labs_and_importers_may_upload(city: World, who: str | None, status: int) -> None:
    assert post(city, "/api/samples", who, SAMPLES).status_code == status


def test_an_upload_missing_a_required_column_is_refused_whole(city: World) -> None:
    rows = {"rows": [{"sample_id": "s1", "person_id": "P1", "collected_at": "2022-10-02T08:00:00+08:00"}]}
    answer = post(city, "/api/samples", "lab", rows)
    assert answer.status_code == 422 and "tube_id" in answer.json()["detail"]


def test_recall_is_scoped_to_the_callers_district_and_audited(city: World, session: Session) -> None:
    post(city, "/api/samples", "lab", SAMPLES)
    post(city, "/api/tube-results", "lab", RESULTS)
    everyone = city.get("/api/testing/recall", "commander", as_of="2022-10-02T13:00:00+08:00")
    assert everyone.status_code == 200
    assert [r["person_id"] for r in everyone.json()["recall"]] == ["P1", "P2", "P3", "P4"]
    mine = city.get("/api/testing/recall", "district_b", as_of="2022-10-02T13:00:00+08:00").json()
    assert [(r["person_id"], r["tube_id"]) for r in mine["recall"]] == [("P3", "T2")]
    session.expire_all()
    seen = session.query(AuditEntry).filter_by(action="screening.recall", user="district_b").all()
    assert [e.subject for e in seen] == ["person:P3"]


def test_uncovered_is_paged_and_an_area_outside_the_jurisdiction_is_not_found(city: World) -> None:
    post(city, "/api/samples", "lab", SAMPLES)
    since = "2022-10-02T09:00:00+08:00"
    page = city.get("/api/testing/uncovered", "commander", area_id="C", since=since, size=2)
    assert page.status_code == 200
    assert (page.json()["total"], [r["person_id"] for r in page.json()["items"]]) == (4, ["P1", "P2"])
    assert city.get("/api/testing/uncovered", "district_b", area_id="D1", since=since).status_code == 404
    assert city.get("/api/testing/uncovered", "district_b", area_id="D2", since=since).json()["total"] == 1
    naive = city.get("/api/testing/uncovered", "commander", area_id="C", since="2022-10-02T09:00:00")
    assert naive.status_code == 422


def test_rounds_and_their_coverage_are_scoped(city: World, session: Session) -> None:
    service.create_round(session=session, scope=CITY, protocol=PROTOCOL, at=at(1, 20), round_in=RoundCreate(
        round_id="r-d1", area_id="D1", level=RiskLevel.medium, starts_at=at(1, 22)))
    session.commit()
    post(city, "/api/samples", "lab", SAMPLES)
    assert city.get("/api/rounds", "district_b").json()["total"] == 0
    assert city.get("/api/rounds", "district_a").json()["items"][0]["pool_size"] == 10
    assert city.get("/api/rounds/r-d1/coverage", "district_b").status_code == 404
    coverage = city.get("/api/rounds/r-d1/coverage", "district_a", as_of="2022-10-02T10:00:00+08:00")
    assert coverage.status_code == 200
    figures = coverage.json()
    assert (figures["residents"], figures["sampled"], figures["tubes_pending"], figures["hours_left"]) == (2, 2, 1, 20.0)
