"""`ringfence enterprises tickets open|assign|answer|close`, projects and production at the shell."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city

from ringfence.enterprises.models import Enterprise
from ringfence.notifications import service as notifications
from ringfence.notifications.models import Channel


@pytest.fixture
def firms(session, engine):
    build_small_city(session)
    session.add_all([Enterprise(enterprise_id="E1", name="Line 3", building_id="B1", industry="electronics"),
                     Enterprise(enterprise_id="E2", name="Cold store", building_id="B2", industry="cold_chain")])
    session.flush()
    notifications.add_recipient(session=session, party="user:official.liu", channel=Channel.email,
                                address="liu@example.org")
    notifications.add_recipient(session=session, party="enterprise:E1", channel=Channel.sms, address="13800001111")
    session.commit()


@pytest.fixture
def outbox(monkeypatch) -> notifications.RecordingNotifier:
    recorder = notifications.RecordingNotifier()
    monkeypatch.setattr(notifications, "configured_senders", lambda settings=None: notifications.Senders.everywhere(recorder))
    return recorder


def cli(capsys, monkeypatch, *argv: str):
    return run_cli(["enterprises", *argv], capsys, monkeypatch)


def one_line_error(outcome) -> bool:
    return outcome.code == 2 and outcome.out == "" and len(outcome.err.strip().splitlines()) == 1


def test_a_ticket_opened_at_the_shell_is_listed_assigned_answered_and_closed(firms, outbox, capsys, monkeypatch) -> None:
    opened = cli(capsys, monkeypatch, "tickets", "open", "E1", "logistics", "trucks stopped at checkpoint", "--json")
    assert opened.code == 0, opened.err
    ticket = json.loads(opened.out)
    assert (ticket["enterprise_id"], ticket["category"], ticket["status"]) == ("E1", "logistics", "open")
    reported = datetime.fromisoformat(ticket["reported_at"])
    assert datetime.fromisoformat(ticket["due_at"]) == reported + timedelta(hours=24)
    listed = json.loads(cli(capsys, monkeypatch, "tickets", "--json").out)["tickets"]
    assert [t["ticket_id"] for t in listed] == [ticket["ticket_id"]]
    ticket_id = str(ticket["ticket_id"])

    assigned = cli(capsys, monkeypatch, "tickets", "assign", ticket_id, "official.liu", "--json")
    assert assigned.code == 0, assigned.err
    assert (json.loads(assigned.out)["assignee"], json.loads(assigned.out)["status"]) == ("official.liu", "assigned")
    assert [to for to, _, _ in outbox.sent] == ["liu@example.org"]

    answered = cli(capsys, monkeypatch, "tickets", "answer", ticket_id, "green lane opened", "--json")
    assert json.loads(answered.out)["status"] == "answered"
    assert [to for to, _, body in outbox.sent][-1] == "13800001111"
    task = json.loads(run_cli(["tasks", "show", str(ticket["task_id"]), "--json"], capsys, monkeypatch).out)
    assert (task["kind"], task["area_id"], task["assignee"], task["status"]) == ("help_ticket", "M1", "official.liu", "done")

    closed = cli(capsys, monkeypatch, "tickets", "close", ticket_id, "--json")
    assert json.loads(closed.out)["status"] == "closed"
    shown = json.loads(cli(capsys, monkeypatch, "tickets", "show", ticket_id, "--json").out)
    assert (shown["status"], shown["answer"]) == ("closed", "green lane opened")
    audited = json.loads(run_cli(["audit", "--json"], capsys, monkeypatch).out)
    assert [(e["action"], e["subject"]) for e in audited if e["subject"] == f"help_ticket:{ticket_id}"] == [
        ("ticket.assigned", f"help_ticket:{ticket_id}"), ("ticket.answered", f"help_ticket:{ticket_id}")]


def test_a_project_is_registered_advanced_and_whitelisted(firms, capsys, monkeypatch) -> None:
    added = cli(capsys, monkeypatch, "projects", "add", "K1", "Ring road", "--enterprise", "E2", "--building", "B2",
                "--json")
    assert added.code == 0, added.err
    assert (json.loads(added.out)["batch"], json.loads(added.out)["whitelisted"]) == ("signed", False)
    assert json.loads(cli(capsys, monkeypatch, "projects", "advance", "K1", "started", "--json").out)["batch"] == "started"
    applied = json.loads(cli(capsys, monkeypatch, "apply", "E2", "--project", "K1", "--plan", "workers stay on site",
                             "--json").out)
    assert (applied["applicant_kind"], applied["plan"], applied["status"]) == ("project", "workers stay on site", "pending")
    pending = json.loads(cli(capsys, monkeypatch, "applications", "--status", "pending", "--json").out)["applications"]
    assert [a["application_id"] for a in pending] == [applied["application_id"]]
    cli(capsys, monkeypatch, "decide", str(applied["application_id"]), "approved")
    listed = json.loads(cli(capsys, monkeypatch, "projects", "list", "--json").out)
    assert [(p["project_id"], p["batch"], p["whitelisted"]) for p in listed["projects"]] == [("K1", "started", True)]
    assert listed["batches"] == {"signed": 0, "started": 1, "completed": 0}
    back = cli(capsys, monkeypatch, "projects", "advance", "K1", "signed")
    assert one_line_error(back) and "cannot go back" in back.err


def test_the_production_status_is_recorded(firms, capsys, monkeypatch) -> None:
    changed = cli(capsys, monkeypatch, "production", "E1", "closed_loop", "--json")
    assert changed.code == 0, changed.err
    assert (json.loads(changed.out)["production_status"], json.loads(changed.out)["closed_loop"]) == ("closed_loop", True)
    listed = json.loads(cli(capsys, monkeypatch, "list", "--json").out)["enterprises"]
    assert [(e["enterprise_id"], e["production_status"]) for e in listed] == [("E1", "closed_loop"), ("E2", None)]


@pytest.mark.parametrize(("argv", "message"), [
    (["tickets", "open", "E1", "weather", "too hot"], "category"),
    (["tickets", "open", "E1", "supplies", ""], "description"),
    (["tickets", "open", "E9", "supplies", "masks"], "no enterprise 'E9'"),
    (["tickets", "assign", "77", "official.liu"], "no help ticket 77"),
    (["tickets", "answer", "0", "x"], "ticket_id"),
    (["production", "E1", "booming"], "production_status"),
    (["projects", "add", "K 2", "Bridge", "--enterprise", "E1"], "project_id"),
    (["applications", "--status", "maybe"], "status"),
])
def test_bad_input_exits_2_with_one_line(firms, capsys, monkeypatch, argv, message) -> None:
    outcome = cli(capsys, monkeypatch, *argv)
    assert one_line_error(outcome) and message in outcome.err
    assert json.loads(cli(capsys, monkeypatch, "tickets", "--json").out) == {"tickets": []}


def test_a_ticket_answered_twice_exits_2(firms, outbox, capsys, monkeypatch) -> None:
    ticket_id = str(json.loads(cli(capsys, monkeypatch, "tickets", "open", "E2", "supplies", "masks", "--json").out)[
        "ticket_id"])
    assert cli(capsys, monkeypatch, "tickets", "answer", ticket_id, "delivered").code == 0
    again = cli(capsys, monkeypatch, "tickets", "answer", ticket_id, "delivered again")
    assert one_line_error(again) and "answered" in again.err
