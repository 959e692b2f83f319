"""`ringfence requests send|acknowledge|answer|withdraw|show`: co-investigation (协查) at the shell."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city

from ringfence.core import audit

SENT = "2022-10-10T08:00:00+08:00"


@pytest.fixture
def city(session, engine):
    build_small_city(session)
    session.commit()


def cli(capsys, monkeypatch, *argv: str):
    return run_cli(["requests", *argv], capsys, monkeypatch)


def one_line_error(outcome) -> bool:
    return outcome.code == 2 and outcome.out == "" and len(outcome.err.strip().splitlines()) == 1


def receive(capsys, monkeypatch) -> dict:
    sent = cli(capsys, monkeypatch, "send", "incoming", "Kaifeng CDC", "--person", "P3", "--question",
               "contacts on 5 Oct?", "--at", SENT, "--json")
    assert sent.code == 0, sent.err
    return json.loads(sent.out)


def test_an_incoming_request_gets_deadlines_and_a_task_in_the_persons_community(city, capsys, monkeypatch) -> None:
    request = receive(capsys, monkeypatch)
    sent_at = datetime.fromisoformat(SENT)
    assert (request["direction"], request["subject_kind"], request["subject_ref"], request["area_id"]) == (
        "incoming", "person", "P3", "M2")
    assert datetime.fromisoformat(request["ack_due"]) == sent_at + timedelta(hours=2)
    assert datetime.fromisoformat(request["answer_due"]) == sent_at + timedelta(hours=24)
    task = json.loads(run_cli(["tasks", "show", str(request["task_id"]), "--json"], capsys, monkeypatch).out)
    assert (task["kind"], task["subject_id"], task["area_id"], task["status"]) == ("co_investigation", "P3", "M2", "open")
    listed = json.loads(cli(capsys, monkeypatch, "list", "--area", "D2", "--json").out)["requests"]
    assert [r["request_id"] for r in listed] == [request["request_id"]]
    assert json.loads(cli(capsys, monkeypatch, "list", "--area", "D1", "--json").out) == {"requests": []}


def test_a_request_is_acknowledged_then_answered_and_its_task_done(city, session, capsys, monkeypatch) -> None:
    request_id = str(receive(capsys, monkeypatch)["request_id"])
    acknowledged = cli(capsys, monkeypatch, "acknowledge", request_id, "--at", "2022-10-10T09:00:00+08:00", "--json")
    assert acknowledged.code == 0, acknowledged.err
    assert json.loads(acknowledged.out)["status"] == "acknowledged"
    answered = cli(capsys, monkeypatch, "answer", request_id, "no contacts found", "--at",
                   "2022-10-10T20:00:00+08:00", "--json")
    assert answered.code == 0, answered.err
    shown = json.loads(cli(capsys, monkeypatch, "show", request_id, "--as-of", "2022-10-12T00:00:00+08:00",
                           "--json").out)
    assert (shown["status"], shown["answer"], shown["missed"]) == ("answered", "no contacts found", [])
    task = json.loads(run_cli(["tasks", "show", str(shown["task_id"]), "--json"], capsys, monkeypatch).out)
    assert task["status"] == "done"
    assert [e.action for e in audit.entries(session) if e.subject == "person:P3"] == [
        "co_investigation.create", "co_investigation.answer"]


def test_an_outgoing_request_about_a_case_can_be_withdrawn(city, capsys, monkeypatch) -> None:
    sent = cli(capsys, monkeypatch, "send", "outgoing", "Xuchang CDC", "--case", "C-17", "--area", "D1",
               "--question", "where did the case stay?", "--json")
    assert sent.code == 0, sent.err
    request = json.loads(sent.out)
    assert (request["subject_kind"], request["subject_ref"], request["area_id"], request["task_id"]) == (
        "case", "C-17", "D1", None)
    withdrawn = cli(capsys, monkeypatch, "withdraw", str(request["request_id"]), "--json")
    assert json.loads(withdrawn.out)["status"] == "withdrawn"
    again = cli(capsys, monkeypatch, "answer", str(request["request_id"]), "too late")
    assert one_line_error(again) and "withdrawn request cannot become answered" in again.err


@pytest.mark.parametrize(("argv", "message"), [
    (["send", "incoming", "X", "--question", "q"], "--person or --case"),
    (["send", "incoming", "X", "--question", "q", "--person", "P1", "--case", "C1"], "--person or --case"),
    (["send", "sideways", "X", "--question", "q", "--person", "P1"], "direction"),
    (["send", "incoming", "X", "--question", "", "--person", "P1"], "question"),
    (["send", "incoming", "X", "--question", "q", "--person", "P1", "--area", "M9"], "no area 'M9'"),
    (["acknowledge", "42"], "no co-investigation request 42"),
])
def test_bad_input_exits_2_with_one_line_and_records_nothing(city, capsys, monkeypatch, argv, message) -> None:
    outcome = cli(capsys, monkeypatch, *argv)
    assert one_line_error(outcome) and message in outcome.err
    assert json.loads(cli(capsys, monkeypatch, "list", "--json").out) == {"requests": []}
