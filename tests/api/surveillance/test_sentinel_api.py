"""`/api/sentinel/followups|counts|alarms`: who may read them, what they answer, and the audit of names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.service.surveillance.sentinel_world import T0, append, sentinel_row

from ringfence.core import audit
from ringfence.imports import snapshots


@pytest.fixture
def sentinel(world, session, settings):
    snapshots.refresh(session=session, settings=settings, names=["people", "venues", "buildings", "areas"])
    append(settings, "sentinel", [
        sentinel_row("V1", T0, "antipyretic", "P1"),
        sentinel_row("V2", T0, "fever_clinic", "P3", site_kind="fever_clinic"),
        sentinel_row("V2", T0, "antiviral", count=5),
    ], "s1")
    return world


AS_OF = (T0 + timedelta(hours=30)).isoformat()


def test_an_analyst_lists_the_follow_ups_and_each_name_shown_is_audited(sentinel, session) -> None:
    response = sentinel.get("/api/sentinel/followups", "analyst", as_of=AS_OF, status="missed")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2 and sorted(r["person_id"] for r in page["items"]) == ["P1", "P3"]
    assert "community_path" not in page["items"][0]
    session.expire_all()
    subjects = {e.subject for e in audit.entries(session) if e.action == "sentinel.followups"}
    assert subjects == {"person:P1", "person:P3"}


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("district_a", 403), ("lab", 403), ("admin", 403)])
def test_roles_without_the_sentinel_permission_get_nothing(sentinel, who, status) -> None:
    assert sentinel.get("/api/sentinel/followups", who, as_of=AS_OF).status_code == status


def test_counts_are_aggregates_by_district(sentinel) -> None:
    response = sentinel.get("/api/sentinel/counts", "commander", since="2022-10-10", until="2022-10-10", by="district")
    assert response.status_code == 200, response.text
    assert {r["district_id"]: r["count"] for r in response.json()["counts"]} == {"D1": 1, "D2": 6}


def test_counts_refuse_a_reversed_range(sentinel) -> None:
    response = sentinel.get("/api/sentinel/counts", "commander", since="2022-10-11", until="2022-10-10")
    assert response.status_code == 422 and "after" in response.json()["detail"]


def test_alarms_answer_every_district_and_method_for_the_day(sentinel) -> None:
    response = sentinel.get("/api/sentinel/alarms", "analyst", date="2022-10-10")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["day"] == "2022-10-10"
    assert {(a["district_id"], a["method"]) for a in document["alarms"]} >= {("D1", "ears-c1"), ("D2", "ears-c3")}
    assert not any(a["judged"] for a in document["alarms"])  # one day of history judges nothing
