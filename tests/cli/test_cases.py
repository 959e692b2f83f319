"""`ringfence cases …`: add, list, show with the timeline, status changes, the graph."""

from __future__ import annotations

import json

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city


@pytest.fixture
def city(session):
    build_small_city(session)
    session.commit()


def test_a_case_added_at_the_shell_is_listed_and_shown_with_its_timeline(city, capsys, monkeypatch) -> None:
    added = run_cli(["cases", "add", "P1", "--classification", "confirmed", "--confirmed-at", "2022-10-10T12:00:00",
                     "--onset-at", "2022-10-08T09:00:00+08:00", "--found-via", "sentinel", "--json"], capsys, monkeypatch)
    assert added.code == 0, added.err
    case = json.loads(added.out)
    assert (case["person_id"], case["found_via"], case["confirmed_at"]) == ("P1", "sentinel", "2022-10-10T04:00:00Z")
    listed = json.loads(run_cli(["cases", "list", "--json"], capsys, monkeypatch).out)
    assert [c["case_id"] for c in listed["items"]] == [case["case_id"]] and listed["total"] == 1
    moved = run_cli(["cases", "status", str(case["case_id"]), "recovered", "--json"], capsys, monkeypatch)
    assert json.loads(moved.out)["status"] == "recovered"
    shown = json.loads(run_cli(["cases", "show", str(case["case_id"]), "--json"], capsys, monkeypatch).out)
    assert [e["action"] for e in shown["timeline"]] == ["case.confirmed", "case.recovered"]


def test_bad_case_input_exits_2(city, capsys, monkeypatch) -> None:
    unknown = run_cli(["cases", "add", "P9", "--classification", "confirmed", "--confirmed-at", "2022-10-10T12:00:00"],
                      capsys, monkeypatch)
    assert unknown.code == 2 and "no person P9" in unknown.err
    late_onset = run_cli(["cases", "add", "P1", "--classification", "confirmed", "--confirmed-at", "2022-10-10T12:00",
                          "--onset-at", "2022-10-11T00:00"], capsys, monkeypatch)
    assert late_onset.code == 2 and "onset_at is after confirmed_at" in late_onset.err
    terminal = run_cli(["cases", "status", "1", "recovered"], capsys, monkeypatch)
    assert terminal.code == 2


def test_the_graph_of_a_city_without_cases_is_empty(city, capsys, monkeypatch) -> None:
    outcome = run_cli(["cases", "graph", "--json"], capsys, monkeypatch)
    assert json.loads(outcome.out) == {"nodes": [], "edges": [], "clusters": []}
