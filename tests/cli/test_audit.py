from __future__ import annotations

import json
from datetime import timedelta

from tests.cli.cli_runner import run_cli

from ringfence.core import audit, clock


def test_audit_json_lists_who_did_what_to_whom(engine, session, capsys, monkeypatch) -> None:
    at = clock.now() - timedelta(hours=1)
    audit.record(session, user="li.wei", action="person.read", subject="person:P1", origin="10.0.0.1", at=at)
    session.commit()
    outcome = run_cli(["audit", "--json"], capsys, monkeypatch)
    rows = json.loads(outcome.out)
    assert outcome.code == 0 and rows == [
        {"at": at.isoformat(), "user": "li.wei", "action": "person.read", "subject": "person:P1"}
    ]


def test_audit_since_leaves_out_older_entries(engine, session, capsys, monkeypatch) -> None:
    now = clock.now()
    audit.record(session, user="a", action="person.read", subject="person:OLD", at=now - timedelta(days=2))
    audit.record(session, user="a", action="person.read", subject="person:NEW", at=now - timedelta(minutes=5))
    session.commit()
    since = (now - timedelta(days=1)).isoformat()
    rows = json.loads(run_cli(["audit", "--since", since, "--json"], capsys, monkeypatch).out)
    assert [r["subject"] for r in rows] == ["person:NEW"]


def test_a_bad_since_exits_2(engine, capsys, monkeypatch) -> None:
    outcome = run_cli(["audit", "--since", "yesterday", "--json"], capsys, monkeypatch)
    assert outcome.code == 2 and "ISO 8601" in outcome.err and outcome.out == ""
