from __future__ import annotations

import json

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.isolation.facilities import build_facilities

from ringfence.core import timeline
from ringfence.isolation import service


@pytest.fixture
def city(session, engine):
    build_facilities(session, rooms={"F1": {"T": 3, "S": 1}})
    session.commit()


def place(capsys, monkeypatch, *argv: str):
    return run_cli(["isolation", "place", *argv, "--as-of", "2022-10-01T10:00", "--json"], capsys, monkeypatch)


def test_place_puts_a_person_in_a_room_with_the_protocols_dates(city, session, capsys, monkeypatch) -> None:
    outcome = place(capsys, monkeypatch, "P3", "--facility", "F1")
    assert outcome.code == 0, outcome.err
    body = json.loads(outcome.out)
    assert (body["facility_id"], body["room_id"], body["status"]) == ("F1", "S", "placed")
    assert (body["start"], body["until"]) == ("2022-10-01", "2022-10-08")
    assert body["test_dates"] == ["2022-10-02", "2022-10-03", "2022-10-04", "2022-10-06", "2022-10-08"]
    history = timeline.history(session, subject_type="person", subject_id="P3")
    assert [e.action for e in history] == ["isolation.placed"] and history[0].actor.startswith("cli")


def test_placing_twice_exits_2_with_one_line(city, capsys, monkeypatch) -> None:
    assert place(capsys, monkeypatch, "P3").code == 0
    outcome = place(capsys, monkeypatch, "P3")
    assert outcome.code == 2 and "already placed" in outcome.err and len(outcome.err.strip().splitlines()) == 1


def test_a_full_room_exits_2(city, capsys, monkeypatch) -> None:
    assert place(capsys, monkeypatch, "P3", "--facility", "F1", "--room", "S").code == 0
    outcome = place(capsys, monkeypatch, "P4", "--facility", "F1", "--room", "S")
    assert outcome.code == 2 and "is full" in outcome.err


def test_status_shows_occupancy_alerts_and_the_waiting_list(city, capsys, monkeypatch) -> None:
    for person in ("P3", "P4", "P0", "P1"):  # strangers take both rooms: P0 and P1 wait for any facility
        assert place(capsys, monkeypatch, person).code == 0
    outcome = run_cli(["isolation", "status", "--as-of", "2022-10-01T12:00", "--json"], capsys, monkeypatch)
    body = json.loads(outcome.out)
    assert (body["total"]["beds"], body["total"]["occupied"], body["total"]["projection"][0]["demand"]) == (4, 2, 4)
    assert [w["person_id"] for w in body["waiting"]] == ["P0", "P1"]
    assert [a["facility_id"] for a in body["alerts"]] == [None]
    text = run_cli(["isolation", "status", "--as-of", "2022-10-01T12:00"], capsys, monkeypatch).out
    assert "ALERT all facilities: projected occupancy 100% on 2022-10-01" in text


def test_release_ends_due_placements_and_places_the_waiting(city, session, capsys, monkeypatch) -> None:
    for person in ("P3", "P4", "P0"):
        place(capsys, monkeypatch, person)
    outcome = run_cli(["isolation", "release", "P3", "--as-of", "2022-10-02T10:00", "--json"], capsys, monkeypatch)
    assert outcome.code == 0 and json.loads(outcome.out)["placed"] == 1
    outcome = run_cli(["isolation", "release", "--as-of", "2022-10-08T10:00", "--json"], capsys, monkeypatch)
    assert json.loads(outcome.out)["released"] == 2
    assert all(service.active_of(session=session, person_id=p) is None for p in ("P3", "P4", "P0"))
