"""`ringfence import samples|tube-results`: the screening flags (pending tube, conflicting) reach the output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.cli.cli_runner import Outcome, run_cli
from tests.service.imports.feeds import write_csv
from tests.service.testing.screening_city import build

from ringfence.config import Settings

CONTRACT_KEYS = {"kind", "rows", "accepted", "rejected", "duplicates", "rejects_path"}


@pytest.fixture
def city(session: Session, settings: Settings, engine) -> Settings:
    build(session, settings)
    return settings


def imported(kind: str, path: Path, capsys, monkeypatch, *, as_json: bool = True) -> Outcome:
    outcome = run_cli(["import", kind, str(path), *(["--json"] if as_json else [])], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    return outcome


def samples(tmp_path: Path, name: str, *rows: tuple[str, str, str]) -> Path:
    return write_csv(tmp_path / name, [
        {"sample_id": f"{person}-{tube}", "person_id": person, "tube_id": tube, "collected_at": collected}
        for person, tube, collected in rows
    ])


def results(tmp_path: Path, name: str, *rows: tuple[str, str, str]) -> Path:
    return write_csv(tmp_path / name, [
        {"tube_id": tube, "result": result, "reported_at": reported} for tube, result, reported in rows
    ])


def test_samples_whose_tube_has_no_result_yet_are_counted_as_pending(city: Settings, tmp_path, capsys,
                                                                     monkeypatch) -> None:
    first = samples(tmp_path, "samples-1.csv", ("P1", "T1", "2022-10-02T08:00:00"),
                    ("P2", "T1", "2022-10-02T08:01:00"), ("P3", "T2", "2022-10-02T08:02:00"))
    document = json.loads(imported("samples", first, capsys, monkeypatch).out)
    assert set(document) == CONTRACT_KEYS | {"pending_tube"}
    assert (document["accepted"], document["rejected"], document["pending_tube"]) == (3, 0, 3)

    imported("tube-results", results(tmp_path, "results-1.csv", ("T1", "negative", "2022-10-02T10:00:00")),
             capsys, monkeypatch)
    later = samples(tmp_path, "samples-2.csv", ("P4", "T1", "2022-10-02T08:03:00"),
                    ("P4", "T3", "2022-10-02T09:00:00"))
    document = json.loads(imported("samples", later, capsys, monkeypatch).out)
    assert (document["accepted"], document["pending_tube"]) == (2, 1)  # T1 has its result, T3 not yet


def test_tube_results_report_conflicts_and_reject_tubes_without_samples(city: Settings, tmp_path, capsys,
                                                                        monkeypatch) -> None:
    imported("samples", samples(tmp_path, "samples.csv", ("P1", "T1", "2022-10-02T08:00:00"),
                                ("P3", "T2", "2022-10-02T08:02:00")), capsys, monkeypatch)
    first = results(tmp_path, "results-1.csv", ("T1", "positive", "2022-10-02T10:00:00"),
                    ("T2", "negative", "2022-10-02T10:00:00"), ("T9", "positive", "2022-10-02T10:00:00"))
    document = json.loads(imported("tube-results", first, capsys, monkeypatch).out)
    assert set(document) == CONTRACT_KEYS | {"conflicting"}
    assert (document["accepted"], document["rejected"], document["conflicting"]) == (2, 1, 0)
    with open(document["rejects_path"], encoding="utf-8", newline="") as handle:
        assert [(row["tube_id"], row["reason"]) for row in csv.DictReader(handle)] == [("T9", "tube has no samples")]

    # T1 read negative against the stored positive: kept and flagged; T2 again is a plain duplicate
    second = results(tmp_path, "results-2.csv", ("T1", "negative", "2022-10-02T11:00:00"),
                     ("T2", "negative", "2022-10-02T10:00:00"))
    document = json.loads(imported("tube-results", second, capsys, monkeypatch).out)
    assert (document["accepted"], document["duplicates"], document["conflicting"]) == (1, 1, 1)


def test_the_sentence_names_the_flag_of_the_kind(city: Settings, tmp_path, capsys, monkeypatch) -> None:
    feed = samples(tmp_path, "samples.csv", ("P1", "T1", "2022-10-02T08:00:00"))
    sentence = imported("samples", feed, capsys, monkeypatch, as_json=False).out
    assert sentence == "samples: 1 rows, 1 accepted, 0 rejected, 0 duplicates, 1 pending tube (no result yet)\n"
    feed = results(tmp_path, "results.csv", ("T1", "positive", "2022-10-02T10:00:00"),
                   ("T1", "negative", "2022-10-02T10:05:00"))
    sentence = imported("tube-results", feed, capsys, monkeypatch, as_json=False).out
    assert sentence == "tube-results: 2 rows, 2 accepted, 0 rejected, 0 duplicates, 2 conflicting\n"


def test_other_kinds_keep_exactly_the_contract_keys(city: Settings, tmp_path, capsys, monkeypatch) -> None:
    feed = write_csv(tmp_path / "venues.csv", [{"venue_id": "V9", "name": "Kiosk", "kind": "shop",
                                                "lon": "113.6", "lat": "34.7"}])
    assert set(json.loads(imported("venues", feed, capsys, monkeypatch).out)) == CONTRACT_KEYS
