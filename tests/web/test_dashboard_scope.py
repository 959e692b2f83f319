"""The dashboard's headline figures follow the visitor's jurisdiction (and the area drilled into), on SQLite
and PostgreSQL: a district sees its own subtree's figures, labelled with its name; headquarters the city's."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web import world
from tests.web.test_pages import EN, HTMX, log_in

from ringfence.api.app import create_app


@pytest.fixture
def city(settings, engine, session, tmp_path):
    return world.build(session, settings, tmp_path / "feeds")


@pytest.fixture
def client(city, settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def figures(client: TestClient, area: str | None = None) -> dict[str, str]:
    """The situation fragment's figures by name, and the area they are of."""
    response = client.get("/web/dashboard/situation" + (f"?area={area}" if area else ""), headers=HTMX)
    assert response.status_code == 200, response.text[:300]
    found = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', response.text))
    found["place"] = re.search(r'id="situation-place"[^>]*>.*?<strong>([^<]+)</strong>', response.text).group(1)
    found["district_note"] = "yes" if 'id="sentinel-district-note"' in response.text else "no"
    return {k: " ".join(v.split()) for k, v in found.items()}


def test_a_district_sees_its_own_figures_under_its_own_name(client) -> None:
    log_in(client, "dist_a")
    own = figures(client)
    assert own["place"] == "Jinshui"
    # 12 residents of its own; the hotel's 4 beds stand in the other district; 1 of the 2 overdue tasks is its
    assert own["coverage_counts"].startswith("0 / 12") and own["occupancy_counts"].startswith("0 / 0")
    assert own["overdue"] == "1"
    assert "Today&#39;s situation: Jinshui" in client.get("/", headers=EN).text


def test_headquarters_sees_the_city_and_the_districts_add_up_to_it(client) -> None:
    log_in(client, "hq")
    whole = figures(client)
    assert whole["place"] == "Zhengzhou" and whole["overdue"] == "2"
    assert whole["coverage_counts"].startswith("0 / 24") and whole["occupancy_counts"].startswith("0 / 4")
    erqi = figures(client, "db")
    assert erqi["place"] == "Erqi" and erqi["overdue"] == "1" and erqi["occupancy_counts"].startswith("0 / 4")
    jinshui = figures(client, "da")
    assert int(jinshui["new_cases"]) + int(erqi["new_cases"]) == int(whole["new_cases"])
    assert whole["district_note"] == erqi["district_note"] == "no"


def test_a_district_drills_into_its_own_community_but_not_into_another_district(client) -> None:
    log_in(client, "dist_a")
    community = figures(client, "ka1")
    assert community["place"] == "Weilai" and community["coverage_counts"].startswith("0 / 6")
    assert community["district_note"] == "yes"  # sentinel alarms are judged per district: said so
    assert client.get("/web/dashboard/situation?area=db", headers=HTMX).status_code == 404


def test_a_role_without_the_dashboard_figures_is_refused_them(client, session) -> None:
    from ringfence.auth import service as auth_service
    from ringfence.auth.rules import Role
    from ringfence.auth.schemas import UserCreate

    auth_service.create(session=session, user_in=UserCreate(username="lab1", role=Role.lab, password=world.PASSWORD),
                        actor="test")
    session.commit()
    log_in(client, "lab1")
    assert client.get("/web/dashboard/situation", headers=HTMX).status_code == 403
