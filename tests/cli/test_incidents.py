"""`ringfence incidents open|member|link|status`: an outbreak point run from the shell, through the API's services."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city

from ringfence.cases.models import Case, Classification
from ringfence.core.db import transaction
from ringfence.tasks.models import Task, TaskKind, TaskStatus

CONFIRMED = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def outbreak(engine) -> dict[str, int]:
    with transaction(engine) as session:
        build_small_city(session)
        cases = [Case(person_id=p, classification=Classification.confirmed, confirmed_at=CONFIRMED) for p in ("P1", "P2")]
        task = Task(kind=TaskKind.door_knock, subject_id="B9", area_id="M1", department="community", due_at=CONFIRMED,
                    status=TaskStatus.open, created_at=CONFIRMED, source_key="door:B9")
        session.add_all([*cases, task])
        session.flush()
        return {"case_1": cases[0].case_id, "case_2": cases[1].case_id, "task": task.task_id}


def cli(capsys, monkeypatch, *argv: str):
    return run_cli(["incidents", *argv], capsys, monkeypatch)


def one_line_error(outcome) -> bool:
    return outcome.code == 2 and outcome.out == "" and len(outcome.err.strip().splitlines()) == 1


def open_market_cluster(capsys, monkeypatch, outbreak) -> int:
    opened = cli(capsys, monkeypatch, "open", "Market cluster", "--area", "D1", "--summary", "two cases at V1",
                 "--at", "2022-10-10T10:00:00+08:00", "--lead", "zhang:territory:D1 office",
                 "--member", "li:department:CDC", "--case", str(outbreak["case_1"]), "--json")
    assert opened.code == 0, opened.err
    return json.loads(opened.out)["incident_id"]


def test_an_incident_opened_at_the_shell_shows_its_team_and_cases(outbreak, capsys, monkeypatch) -> None:
    incident_id = open_market_cluster(capsys, monkeypatch, outbreak)
    listed = json.loads(cli(capsys, monkeypatch, "list", "--area", "D1", "--json").out)["incidents"]
    assert [(i["incident_id"], i["name"], i["status"]) for i in listed] == [(incident_id, "Market cluster", "opened")]
    assert json.loads(cli(capsys, monkeypatch, "list", "--area", "D2", "--json").out) == {"incidents": []}
    report = json.loads(cli(capsys, monkeypatch, "show", str(incident_id), "--json").out)
    assert report["lead"] == "zhang"
    assert [(m["name"], m["role"], m["party"], m["organisation"]) for m in report["team"]] == [
        ("li", "member", "department", "CDC"), ("zhang", "lead", "territory", "D1 office")]
    assert [c["person_id"] for c in report["cases"]] == ["P1"]


def test_members_cases_zones_and_tasks_are_added_and_the_point_is_extinguished(outbreak, capsys, monkeypatch) -> None:
    incident_id = open_market_cluster(capsys, monkeypatch, outbreak)
    member = cli(capsys, monkeypatch, "member", str(incident_id), "wang", "--party", "unit", "--organisation",
                 "Market V1", "--lead", "--json")
    assert member.code == 0, member.err
    assert json.loads(member.out) == {"name": "wang", "role": "lead", "party": "unit", "organisation": "Market V1"}
    linked = cli(capsys, monkeypatch, "link", str(incident_id), "--case", str(outbreak["case_2"]), "--zone", "Z-B1",
                 "--task", str(outbreak["task"]), "--json")
    assert linked.code == 0, linked.err
    report = json.loads(linked.out)
    assert ([c["person_id"] for c in report["cases"]], report["zones"], report["lead"]) == (["P1", "P2"], ["Z-B1"], "wang")
    assert outbreak["task"] in [t["task_id"] for t in report["tasks"]]

    for status in ("controlling", "contained", "extinguished"):
        changed = cli(capsys, monkeypatch, "status", str(incident_id), status, "--note", f"now {status}", "--json")
        assert changed.code == 0, changed.err
        assert json.loads(changed.out)["status"] == status
    report = json.loads(cli(capsys, monkeypatch, "show", str(incident_id), "--json").out)
    assert report["status"] == "extinguished"
    actions = [e["action"] for e in report["timeline"]]
    assert actions[0] == "incident.opened" and actions[-3:] == [
        "incident.controlling", "incident.contained", "incident.extinguished"]
    assert {"incident.member", "incident.case_linked", "incident.zone_linked", "incident.task_linked"} <= set(actions)


@pytest.mark.parametrize(("argv", "message"), [
    (["open", "X", "--area", "D1", "--lead", "zhang"], "NAME:PARTY"),
    (["open", "X", "--area", "D1", "--member", "li:mayor"], "party"),
    (["open", "X", "--area", "D9"], "no area 'D9'"),
    (["open", "X", "--area", "D1", "--case", "0"], "--case"),
])
def test_a_bad_incident_exits_2_with_one_line_and_opens_nothing(outbreak, capsys, monkeypatch, argv, message) -> None:
    outcome = cli(capsys, monkeypatch, *argv)
    assert one_line_error(outcome) and message in outcome.err
    assert json.loads(cli(capsys, monkeypatch, "list", "--json").out) == {"incidents": []}


def test_a_step_the_life_of_an_incident_does_not_allow_exits_2(outbreak, capsys, monkeypatch) -> None:
    incident_id = open_market_cluster(capsys, monkeypatch, outbreak)
    skipped = cli(capsys, monkeypatch, "status", str(incident_id), "extinguished")
    assert one_line_error(skipped) and "cannot become extinguished" in skipped.err
    unknown = cli(capsys, monkeypatch, "status", str(incident_id), "burning")
    assert one_line_error(unknown) and "status" in unknown.err
    missing_case = cli(capsys, monkeypatch, "link", str(incident_id), "--case", "404")
    assert one_line_error(missing_case) and "no case '404'" in missing_case.err
    nothing = cli(capsys, monkeypatch, "link", str(incident_id))
    assert one_line_error(nothing) and "--case, --zone or --task" in nothing.err
    assert json.loads(cli(capsys, monkeypatch, "show", str(incident_id), "--json").out)["status"] == "opened"
