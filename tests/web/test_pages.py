"""The section pages without a browser, on SQLite and PostgreSQL: each answers, scoped to the visitor."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web import world

from ringfence.api.app import create_app
from ringfence.web.navigation import SECTIONS

EN = {"Accept-Language": "en-GB,en;q=0.9"}
HTMX = {**EN, "HX-Request": "true"}


@pytest.fixture
def city(settings, engine, session, tmp_path):
    return world.build(session, settings, tmp_path / "feeds")


@pytest.fixture
def client(city, settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def log_in(client: TestClient, username: str) -> str:
    """Log in through the form; the page's CSRF token for later posts."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", headers=EN).text).group(1)
    response = client.post("/login", data={"username": username, "password": world.PASSWORD, "csrf_token": token},
                           headers=EN, follow_redirects=False)
    assert response.status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/", headers=EN).text).group(1)


def test_every_section_the_commander_is_shown_opens(client) -> None:
    log_in(client, "hq")
    nav = client.get("/", headers=EN).text
    shown = [s for s in SECTIONS if f'href="{s.href}"' in nav]
    assert {s.slug for s in shown} >= {"cases", "zones", "screening", "isolation", "tasks", "sentinel", "audit"}
    for section in shown:
        response = client.get(section.href, headers=EN)
        assert response.status_code == 200, section.slug
        assert 'aria-current="page"' in response.text


def test_the_administrator_is_refused_personal_records(client) -> None:
    log_in(client, "it")
    for path in ("/cases", "/tasks", "/isolation", "/cases/1"):
        assert client.get(path, headers=EN).status_code == 403, path
    assert client.get("/users", headers=EN).status_code == 200


def test_a_district_lists_only_its_own_tasks_and_cases(client, city) -> None:
    log_in(client, "dist_b")
    tasks = client.get("/tasks", headers=EN).text
    assert all(f"<td>{s}</td>" in tasks for s in city.task_subjects_b)
    assert not any(f"<td>{s}</td>" in tasks for s in city.task_subjects_a)
    cases = client.get("/cases", headers=EN).text
    assert not any(name in cases for name in city.people_a) and any(name in cases for name in city.people_b)
    own = re.search(r'href="/cases/(\d+)"', cases).group(1)
    assert client.get(f"/cases/{own}", headers=EN).status_code == 200
    log_in(client, "dist_a")  # the other district's case does not exist for it
    assert client.get(f"/cases/{own}", headers=EN).status_code == 404


def test_an_htmx_request_gets_the_list_alone(client) -> None:
    log_in(client, "hq")
    fragment = client.get("/tasks?view=overdue", headers=HTMX).text
    assert "<html" not in fragment and "<table" in fragment
    page = client.get("/tasks?view=overdue", headers=EN).text
    assert "<html" in page


def test_a_task_filter_naming_no_kind_is_explained_not_failed(client) -> None:
    log_in(client, "hq")
    response = client.get("/tasks?kind=nonsense", headers=EN)
    assert response.status_code == 200 and "not a valid choice" in response.text


def test_the_map_layers_follow_the_jurisdiction(client) -> None:
    log_in(client, "dist_a")
    layers = client.get("/web/map/layers.json").json()
    assert layers["root"]["area_id"] == "da"
    assert {f["properties"]["area_id"] for f in layers["areas"]["features"]} == {"da", "sa"}
    case_ids = {f["properties"]["case_id"] for f in layers["cases"]["features"]}
    assert len(case_ids) == 10
    assert client.get("/web/map/layers.json?area=db").status_code == 404
    drill = client.get("/?area=sa", headers=EN)
    assert drill.status_code == 200 and "Weilai" in drill.text and "Huaihe" not in drill.text


def test_marking_a_task_done_needs_the_csrf_token(client, city) -> None:
    token = log_in(client, "dist_a")
    task_id = re.search(r'id="task-(\d+)"', client.get("/tasks", headers=EN).text).group(1)
    assert client.post(f"/tasks/{task_id}/done", headers=HTMX).status_code == 403
    done = client.post(f"/tasks/{task_id}/done", headers={**HTMX, "X-CSRF-Token": token})
    assert done.status_code == 200 and ">done<" in done.text.replace("</span>", "<")


def test_an_upload_of_a_kind_the_role_may_not_import_is_refused_with_a_reason(client, tmp_path) -> None:
    token = log_in(client, "dist_a")
    assert client.get("/imports", headers=EN).status_code == 403
    token = log_in(client, "it")
    response = client.post("/imports", headers=EN, data={"kind": "nonsense", "csrf_token": token},
                           files={"feed": ("x.txt", b"a,b\n1,2\n", "text/plain")})
    assert response.status_code == 422
    assert "Choose the kind of feed" in response.text and "CSV, Parquet or GeoJSON" in response.text


def test_an_upload_missing_a_required_column_is_refused_whole(client) -> None:
    token = log_in(client, "it")
    response = client.post("/imports", headers=EN, data={"kind": "buildings", "csrf_token": token},
                           files={"feed": ("buildings.csv", b"building_id,address\nb9,somewhere\n", "text/csv")})
    assert response.status_code == 422 and "community_id" in response.text
