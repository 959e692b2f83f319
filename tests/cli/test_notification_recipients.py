"""`ringfence notifications recipients list|add|remove`: the address book, masked in lists, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.cli.cli_runner import run_cli

from ringfence.core import audit
from ringfence.notifications.models import Recipient


def cli(capsys, monkeypatch, *argv: str):
    return run_cli(["notifications", "recipients", *argv], capsys, monkeypatch)


def one_line_error(outcome) -> bool:
    return outcome.code == 2 and outcome.out == "" and len(outcome.err.strip().splitlines()) == 1


def test_recipients_are_added_listed_masked_and_removed(engine, session, capsys, monkeypatch) -> None:
    email = cli(capsys, monkeypatch, "add", "area:S1", "email", "duty.s1@Example.ORG", "--json")
    assert email.code == 0, email.err
    sms = cli(capsys, monkeypatch, "add", "area:S1", "sms", "+86 138-1234-5678", "--json")
    assert sms.code == 0, sms.err
    assert json.loads(sms.out)["address"] == "+86*******5678"
    stored = {r.channel.value: r.address for r in session.scalars(select(Recipient))}
    assert stored == {"email": "duty.s1@example.org", "sms": "+8613812345678"}

    listed = json.loads(cli(capsys, monkeypatch, "list", "--party", "area:S1", "--json").out)["recipients"]
    assert [(r["party"], r["channel"], r["address"]) for r in listed] == [
        ("area:S1", "email", "d***@example.org"), ("area:S1", "sms", "+86*******5678")]
    assert json.loads(cli(capsys, monkeypatch, "list", "--channel", "sms", "--json").out)["recipients"][0][
        "recipient_id"] == json.loads(sms.out)["recipient_id"]
    assert json.loads(cli(capsys, monkeypatch, "list", "--party", "area:S2", "--json").out) == {"recipients": []}

    removed = cli(capsys, monkeypatch, "remove", str(json.loads(email.out)["recipient_id"]), "--json")
    assert removed.code == 0, removed.err
    assert json.loads(removed.out)["removed"]["channel"] == "email"
    assert [r["channel"] for r in json.loads(cli(capsys, monkeypatch, "list", "--json").out)["recipients"]] == ["sms"]

    session.expire_all()
    entries = [(e.action, e.origin, e.detail) for e in audit.entries(session) if e.action.startswith("recipient.")]
    assert entries == [("recipient.add", "cli", "area:S1 email d***@example.org"),
                       ("recipient.add", "cli", "area:S1 sms +86*******5678"),
                       ("recipient.remove", "cli", "area:S1 email d***@example.org")]
    assert not any("duty.s1" in (e.detail or "") or "12345678" in (e.detail or "") for e in audit.entries(session))


def test_adding_the_same_address_again_changes_nothing(engine, session, capsys, monkeypatch) -> None:
    first = json.loads(cli(capsys, monkeypatch, "add", "user:liu", "sms", "13800001111", "--json").out)
    again = json.loads(cli(capsys, monkeypatch, "add", "user:liu", "sms", "138 0000 1111", "--json").out)
    assert first["recipient_id"] == again["recipient_id"]
    assert len(json.loads(cli(capsys, monkeypatch, "list", "--json").out)["recipients"]) == 1
    assert [e.action for e in audit.entries(session) if e.action.startswith("recipient.")] == ["recipient.add"]


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "area:S1", "email", "duty.s1 at example.org"], "name@example.org"),
    (["add", "area:S1", "email", "duty@localhost"], "name@example.org"),
    (["add", "area:S1", "sms", "call-me-maybe"], "phone number"),
    (["add", "area:S1", "sms", "1234"], "5 to 15 digits"),
    (["add", "area:S1", "pigeon", "roof"], "channel"),
    (["add", "mayor", "email", "m@example.org"], "party"),
    (["list", "--channel", "fax"], "channel"),
    (["remove", "404"], "no recipient 404"),
])
def test_bad_input_exits_2_with_one_line_and_stores_nothing(engine, session, capsys, monkeypatch, argv, message) -> None:
    outcome = cli(capsys, monkeypatch, *argv)
    assert one_line_error(outcome) and message in outcome.err
    assert session.scalars(select(Recipient)).all() == []
