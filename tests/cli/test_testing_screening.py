"""`ringfence testing recall / uncovered / rounds / coverage / overdue / key-places / arrivals`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session
from tests.cli.cli_runner import Outcome, run_cli
from tests.service.testing.screening_city import at, build, reported, sampled

from ringfence.config import Settings


@pytest.fixture
def city(session: Session, settings: Settings, engine) -> Settings:
    build(session, settings)
    sampled(settings, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)), ("P1", "S1", at(2, 14)), ("P3", "S2", at(2, 8)))
    reported(settings, ("T1", "positive", at(2, 10)), ("S2", "positive", at(2, 10)))
    return settings


def cli(argv: list[str], capsys, monkeypatch) -> Outcome:
    return run_cli(argv, capsys, monkeypatch)


def test_recall_prints_the_contract_document(city: Settings, capsys, monkeypatch) -> None:
    outcome = cli(["testing", "recall", "--as-of", "2022-10-03T00:00:00+08:00", "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert [{k: r[k] for k in ("person_id", "tube_id", "collected_at")} for r in document["recall"]] == [
        {"person_id": "P2", "tube_id": "T1", "collected_at": "2022-10-02T08:00:00Z"},
    ]
    assert [(c["person_id"], c["tube_id"]) for c in document["candidates"]] == [("P3", "S2")]


def test_uncovered_prints_people_and_buildings(city: Settings, capsys, monkeypatch) -> None:
    outcome = cli(["testing", "uncovered", "--area", "C", "--since", "2022-10-02T12:00:00+08:00",
                   "--as-of", "2022-10-03T00:00:00+08:00", "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert [(r["person_id"], r["building_id"]) for r in document["uncovered"]] == [("P4", "B_")]
    assert document["buildings"][0]["people"] == ["P4"]


def test_a_round_is_created_listed_and_its_coverage_shown(city: Settings, capsys, monkeypatch) -> None:
    made = cli(["testing", "rounds", "create", "--area", "D1", "--level", "low", "--id", "r1",
                "--start", "2022-10-02T12:00:00+08:00", "--site", "st1", "--json"], capsys, monkeypatch)
    assert made.code == 0, made.err
    assert (json.loads(made.out)["pool_size"], json.loads(made.out)["deadline_at"]) == (20, "2022-10-03T04:00:00Z")
    listed = json.loads(cli(["testing", "rounds", "list", "--json"], capsys, monkeypatch).out)
    assert [r["round_id"] for r in listed["rounds"]] == ["r1"]
    shown = cli(["testing", "coverage", "--round", "r1", "--as-of", "2022-10-03T00:00:00+08:00", "--json"],
                capsys, monkeypatch)
    [figures] = json.loads(shown.out)["rounds"]
    assert (figures["residents"], figures["sampled"], figures["positive_pools"], figures["hours_left"]) == (2, 2, 1, 12.0)


@pytest.mark.parametrize(("argv", "message"), [
    (["testing", "uncovered", "--area", "nowhere", "--since", "2022-10-02T12:00:00"], "no area 'nowhere'"),
    (["testing", "uncovered", "--area", "C", "--since", "noon"], "not an ISO 8601 time"),
    (["testing", "rounds", "create", "--area", "D1", "--level", "purple"], "level"),
    (["testing", "coverage", "--round", "missing"], "no round 'missing'"),
    (["testing", "key-places", "--since", "2022-10-03T00:00:00", "--until", "2022-10-02T00:00:00"], "--since"),
])
def test_bad_input_exits_2_with_one_line(city: Settings, capsys, monkeypatch, argv, message) -> None:
    outcome = cli([*argv, "--json"], capsys, monkeypatch)
    assert (outcome.code, outcome.out) == (2, "")
    assert outcome.err.count("\n") == 1 and message in outcome.err


def test_overdue_key_places_and_arrivals_print_json(city: Settings, capsys, monkeypatch) -> None:
    overdue = json.loads(cli(["testing", "overdue", "--as-of", "2022-10-06T00:00:00+08:00", "--json"],
                             capsys, monkeypatch).out)
    assert [(r["person_id"], r["key_group"]) for r in overdue["overdue"]] == [("P1", "courier")]
    places = cli(["testing", "key-places", "--until", "2022-10-03T00:00:00+08:00", "--json"], capsys, monkeypatch)
    assert json.loads(places.out)["violations"] == []
    arrivals = cli(["testing", "arrivals", "--as-of", "2022-10-03T00:00:00+08:00", "--json"], capsys, monkeypatch)
    assert json.loads(arrivals.out)["arrivals"] == []
