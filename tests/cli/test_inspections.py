"""`ringfence inspections add|add-finding|list|show|close`: supervision at the shell, through the API's services."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city


@pytest.fixture
def city(session, engine):
    build_small_city(session)
    session.commit()


def inspect(capsys, monkeypatch, *extra: str):
    return run_cli(["inspections", "add", "isolation_site", "F1", "--area", "M1", "--team", "team-2",
                    "--inspector", "gao", "--at", "2022-10-10T09:00:00+08:00", *extra, "--json"], capsys, monkeypatch)


def one_line_error(outcome) -> bool:
    return outcome.code == 2 and outcome.out == "" and len(outcome.err.strip().splitlines()) == 1


def test_an_inspection_added_at_the_shell_is_listed_and_shown_with_its_findings(city, capsys, monkeypatch) -> None:
    added = inspect(capsys, monkeypatch, "--finding", "mixed_flows:clean and dirty flows cross",
                    "--finding", "no_register:visitors not logged", "--rectify-by", "2022-10-11T09:00:00+08:00",
                    "--department", "health", "--unit", "F1-office", "--person", "wang")
    assert added.code == 0, added.err
    record = json.loads(added.out)
    assert (record["place_kind"], record["place_id"], record["area_id"], record["team"]) == (
        "isolation_site", "F1", "M1", "team-2")
    assert [(f["category"], f["department"], f["unit"], f["person"], f["status"]) for f in record["findings"]] == [
        ("mixed_flows", "health", "F1-office", "wang", "open"), ("no_register", "health", "F1-office", "wang", "open")]
    assert datetime.fromisoformat(record["findings"][0]["rectify_by"]) == datetime.fromisoformat(
        "2022-10-11T09:00:00+08:00")

    listed = json.loads(run_cli(["inspections", "list", "--area", "D1", "--json"], capsys, monkeypatch).out)
    assert [i["inspection_id"] for i in listed["inspections"]] == [record["inspection_id"]]
    assert json.loads(run_cli(["inspections", "list", "--area", "D2", "--json"], capsys, monkeypatch).out) == {
        "inspections": []}

    more = run_cli(["inspections", "add-finding", str(record["inspection_id"]), "unsealed_exit", "back door open",
                    "--rectify-by", "2022-10-10T21:00:00+08:00", "--json"], capsys, monkeypatch)
    assert more.code == 0, more.err
    shown = json.loads(run_cli(["inspections", "show", str(record["inspection_id"]), "--json"], capsys, monkeypatch).out)
    assert [f["category"] for f in shown["findings"]] == ["mixed_flows", "no_register", "unsealed_exit"]

    overdue = run_cli(["inspections", "findings", "--overdue", "--as-of", "2022-10-10T22:00:00+08:00", "--json"],
                      capsys, monkeypatch)
    assert [f["category"] for f in json.loads(overdue.out)["findings"]] == ["unsealed_exit"]


def test_each_finding_gets_a_rectification_task_that_closing_it_completes(city, capsys, monkeypatch) -> None:
    record = json.loads(inspect(capsys, monkeypatch, "--finding", "mixed_flows:flows cross", "--rectify-by",
                                "2022-10-11T09:00:00+08:00", "--department", "health").out)
    [finding] = record["findings"]
    task = json.loads(run_cli(["tasks", "show", str(finding["task_id"]), "--json"], capsys, monkeypatch).out)
    assert (task["kind"], task["subject_id"], task["area_id"], task["department"], task["status"]) == (
        "rectification", "isolation_site:F1", "M1", "health", "open")
    closed = run_cli(["inspections", "close", str(finding["finding_id"]), "--note", "one-way corridor", "--json"],
                     capsys, monkeypatch)
    assert json.loads(closed.out)["status"] == "rectified"
    task = json.loads(run_cli(["tasks", "show", str(finding["task_id"]), "--json"], capsys, monkeypatch).out)
    assert task["status"] == "done"


@pytest.mark.parametrize(("extra", "message"), [
    (["--finding", "mixed_flows:flows cross"], "--rectify-by"),
    (["--finding", "no colon here", "--rectify-by", "2022-10-11T09:00"], "CATEGORY:DESCRIPTION"),
    (["--finding", "Bad Category:x", "--rectify-by", "2022-10-11T09:00"], "category"),
    (["--finding", "mixed_flows:x", "--rectify-by", "tomorrow"], "not an ISO 8601 time"),
    (["--finding", "mixed_flows:x", "--rectify-by", "2022-10-09T09:00"], "after the inspection"),
])
def test_a_bad_finding_exits_2_with_one_line_and_records_nothing(city, capsys, monkeypatch, extra, message) -> None:
    outcome = inspect(capsys, monkeypatch, *extra)
    assert one_line_error(outcome) and message in outcome.err
    assert json.loads(run_cli(["inspections", "list", "--json"], capsys, monkeypatch).out) == {"inspections": []}


def test_an_unknown_place_kind_or_area_exits_2_with_one_line(city, capsys, monkeypatch) -> None:
    kind = run_cli(["inspections", "add", "castle", "F1", "--area", "M1", "--team", "t", "--inspector", "i"],
                   capsys, monkeypatch)
    assert one_line_error(kind) and "place_kind" in kind.err
    area = run_cli(["inspections", "add", "venue", "V1", "--area", "M9", "--team", "t", "--inspector", "i"],
                   capsys, monkeypatch)
    assert one_line_error(area) and "no area 'M9'" in area.err
    missing = run_cli(["inspections", "show", "99"], capsys, monkeypatch)
    assert one_line_error(missing) and "no inspection 99" in missing.err
