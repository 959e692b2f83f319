"""`ringfence trace PERSON`: the contract's JSON, and one line with exit 2 for a person who is not a case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.tracing.outbreak import seed_outbreak


@pytest.fixture
def outbreak(session, settings, tmp_path: Path):
    return seed_outbreak(session, settings, tmp_path)


def test_trace_prints_the_contract_document(outbreak, capsys, monkeypatch) -> None:
    outcome = run_cli(["trace", "P1", "--as-of", "2022-10-10T16:00:00", "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert list(document) == ["case", "window", "contacts"]
    assert document["case"] == "P1"
    assert document["window"] == {"start": "2022-10-06T04:00:00Z", "end": "2022-10-10T04:00:00Z"}
    assert [(c["person_id"], c["category"], c["via"]) for c in document["contacts"]] == [
        ("P2", "close", "household"), ("P3", "close", "venue"), ("P4", "close", "venue")]
    assert list(document["contacts"][0]) == ["person_id", "category", "via", "through", "venue_id", "last_exposure",
                                             "overlap_minutes"]


def test_tracing_someone_who_is_not_a_case_exits_2_with_one_line(outbreak, capsys, monkeypatch) -> None:
    outcome = run_cli(["trace", "P3", "--json"], capsys, monkeypatch)
    assert outcome.code == 2
    assert outcome.out == ""
    assert outcome.err.strip().count("\n") == 0 and "P3 is not a case" in outcome.err


def test_a_malformed_as_of_exits_2(outbreak, capsys, monkeypatch) -> None:
    outcome = run_cli(["trace", "P1", "--as-of", "yesterday"], capsys, monkeypatch)
    assert outcome.code == 2 and "ISO 8601" in outcome.err


def test_compacting_the_event_log_keeps_the_trace(outbreak, capsys, monkeypatch) -> None:
    before = run_cli(["trace", "P1", "--as-of", "2022-10-10T16:00:00", "--json"], capsys, monkeypatch).out
    compacted = run_cli(["events", "compact", "--kind", "scans", "--json"], capsys, monkeypatch)
    assert compacted.code == 0, compacted.err
    assert json.loads(compacted.out) == {"compacted": {"scans": {"2022-10-09": 3}}}
    assert run_cli(["trace", "P1", "--as-of", "2022-10-10T16:00:00", "--json"], capsys, monkeypatch).out == before
    assert run_cli(["events", "compact", "--kind", "nope"], capsys, monkeypatch).code == 2
