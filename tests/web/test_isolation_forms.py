"""Placing people in an isolation site and releasing them from the web pages, without a browser, on SQLite
and PostgreSQL: the same service as the API, its permissions, the site's jurisdiction, the CSRF token, and
every refusal shown next to its field as a 422."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web import daily_work, world
from tests.web.daily_work import log_in

from ringfence.api.app import create_app
from ringfence.core.audit import AuditEntry
from ringfence.isolation.models import Placement

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
HTMX = {**EN, "HX-Request": "true"}


@pytest.fixture
def client(settings, engine, session, tmp_path):
    world.build(session, settings, tmp_path / "feeds")
    daily_work.add_isolation_managers(session)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def place(client: TestClient, token: str, site: str, headers=HTMX, **fields):
    return client.post(f"/isolation/facilities/{site}/placements", headers={**headers, "X-CSRF-Token": token},
                       data={"person_id": "", "room_id": "", "until": "", "reason": "", **fields})


def occupied(html: str, room: str) -> int:
    return int(re.search(rf'data-room="{room}" data-occupied="(\d+)"', html).group(1))


def release_path(html: str, person: str) -> str:
    found = re.search(rf'data-person="{person}".*?action="(/isolation/placements/\d+/release)"', html, re.DOTALL)
    return found.group(1)


def active_placements(session, person_id: str) -> list[Placement]:
    session.expire_all()
    return list(session.scalars(select(Placement).where(Placement.person_id == person_id,
                                                        Placement.status.in_(["waiting", "placed"]))))


def test_a_site_manager_places_a_contact_in_a_room_and_releases_them(client, session) -> None:
    token = log_in(client, "iso_f1")
    page = client.get("/isolation", headers=EN).text
    assert 'id="place-form"' in page and '<label for="place-person_id">' in page and "<legend>" in page
    # a browser without scripts posts the form and gets the whole page back
    placed = place(client, token, "f1", headers=EN, person_id="p20", room_id="r2", reason="close contact of p04")
    assert placed.status_code == 200 and "<html" in placed.text
    assert "p20 placed in room r2 until" in placed.text and occupied(placed.text, "r2") == 1
    [placement] = active_placements(session, "p20")
    assert (placement.facility_id, placement.room_id, placement.status.value) == ("f1", "r2", "placed")
    assert placement.placed_by == "iso_f1" and placement.until > placement.start
    # htmx posts the release and gets the rooms fragment, with the page's figures out of band
    released = client.post(release_path(placed.text, "p20"), headers={**HTMX, "X-CSRF-Token": token},
                           data={"reason": "moved to hospital", "shown_in": "rooms"})
    assert released.status_code == 200 and "<html" not in released.text
    assert "p20 released from room r2." in released.text and occupied(released.text, "r2") == 0
    assert 'id="isolation-figures" hx-swap-oob="true"' in released.text
    assert active_placements(session, "p20") == []
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.subject == "person:p20")))
    assert {"placement.placed", "placement.released"} <= actions


def test_a_full_site_puts_the_person_on_its_waiting_list_and_they_can_be_taken_off_it(client, session) -> None:
    token = log_in(client, "iso_f2")
    assert "p20 placed in room s1" in place(client, token, "f2", person_id="p20").text
    waiting = place(client, token, "f2", person_id="p21")
    assert waiting.status_code == 200
    assert "No free room: p21 is on the waiting list of this site." in waiting.text
    waiting_rows = re.search(r'<tbody id="waiting-rows" hx-swap-oob="true">(.*?)</tbody>', waiting.text, re.DOTALL).group(1)
    assert "p21" in waiting_rows and 'name="shown_in" value="waiting"' in waiting_rows
    [queued] = active_placements(session, "p21")
    assert (queued.status.value, queued.facility_id) == ("waiting", "f2")
    taken_off = client.post(f"/isolation/placements/{queued.placement_id}/release",
                            headers={**HTMX, "X-CSRF-Token": token}, data={"shown_in": "waiting"})
    assert taken_off.status_code == 200 and taken_off.text.lstrip().startswith(f'<tr id="waiting-{queued.placement_id}">')
    assert "p21 is off the waiting list." in taken_off.text and active_placements(session, "p21") == []
    again = client.post(f"/isolation/placements/{queued.placement_id}/release",
                        headers={**HTMX, "X-CSRF-Token": token}, data={"shown_in": "waiting"})
    assert again.status_code == 409 and "This placement has already ended." in again.text


def test_each_problem_of_the_placing_form_comes_back_next_to_its_field_as_a_422(client, session) -> None:
    token = log_in(client, "iso_f1")
    unknown = place(client, token, "f1", person_id="nobody", until="someday")
    assert unknown.status_code == 422
    assert 'id="place-person_id-error" class="field-error">Person: there is no such person in the register.' in unknown.text
    assert 'aria-describedby="place-person_id-help place-person_id-error" aria-invalid="true"' in unknown.text
    assert "Until: give a date like 2022-11-05." in unknown.text and 'value="nobody"' in unknown.text
    assert "is a case (case" in place(client, token, "f1", person_id="p00").text
    assert place(client, token, "f1", person_id="p20", room_id="r1").status_code == 200
    full = place(client, token, "f1", person_id="p22", room_id="r1")
    assert full.status_code == 422 and "Room: r1 is full" in full.text
    assert "Person: already placed (room r1 of f1" in place(client, token, "f1", person_id="p20").text
    past = place(client, token, "f1", person_id="p22", until="2020-01-01")
    assert past.status_code == 422 and "Until: give a day after today" in past.text
    chinese = place(client, token, "f1", headers={**ZH, "HX-Request": "true"}, person_id="nobody")
    assert chinese.status_code == 422 and "底册" in chinese.text and "register" not in chinese.text
    assert active_placements(session, "p22") == []


def test_placing_needs_the_permission_the_own_site_and_the_form_token(client, session) -> None:
    token = log_in(client, "iso_f1")
    placed = place(client, token, "f1", person_id="p20")
    assert placed.status_code == 200
    release = release_path(placed.text, "p20")
    assert place(client, "", "f1", person_id="p22").status_code == 403  # no token
    assert client.post(release, headers=HTMX, data={"shown_in": "rooms"}).status_code == 403
    token = log_in(client, "iso_f2")  # another site's manager: f1 is not there for them
    assert client.get("/isolation/facilities/f1/rooms", headers=HTMX).status_code == 404
    assert place(client, token, "f1", person_id="p22").status_code == 404
    assert client.post(release, headers={**HTMX, "X-CSRF-Token": token}, data={"shown_in": "rooms"}).status_code == 404
    token = log_in(client, "dist_a")  # reads isolation, places nobody
    rooms = client.get("/isolation/facilities/f1/rooms", headers=HTMX)
    assert rooms.status_code == 200 and 'id="place-form"' not in rooms.text and "p20" in rooms.text
    assert place(client, token, "f1", person_id="p22").status_code == 403
    assert client.post(release, headers={**HTMX, "X-CSRF-Token": token}, data={"shown_in": "rooms"}).status_code == 403
    assert [p.room_id for p in active_placements(session, "p20")] == ["r1"] and active_placements(session, "p22") == []
