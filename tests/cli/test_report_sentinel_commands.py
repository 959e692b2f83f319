"""`ringfence sentinel followups|counts|alarms` (the sentinel figures the daily report is made of)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.surveillance.sentinel_world import (
    T0,
    append,
    build_city,
    daily_sentinel,
    sample_row,
    sentinel_row,
)


@pytest.fixture
def world(session, settings):
    build_city(session, settings)
    session.commit()
    append(settings, "sentinel", [
        sentinel_row("V1", T0, "antipyretic", "P1"),
        sentinel_row("V2", T0, "fever_clinic", "P3", site_kind="fever_clinic"),
        *daily_sentinel("PH9", T0 - timedelta(days=10), [2] * 10),
    ], "s1")
    append(settings, "samples", [sample_row("s1", "P1", T0 + timedelta(hours=2))], "samples-1")
    return settings


def test_followups_lists_those_not_tested_in_time(world, capsys, monkeypatch) -> None:
    as_of = (T0 + timedelta(hours=30)).isoformat()
    outcome = run_cli(["sentinel", "followups", "--as-of", as_of, "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert [(r["person_id"], r["status"], r["community_id"]) for r in document["followups"]] == [("P3", "missed", "M2")]
    assert datetime.fromisoformat(document["followups"][0]["test_by"]) == T0 + timedelta(hours=24)

    outcome = run_cli(["sentinel", "followups", "--as-of", as_of, "--all", "--json"], capsys, monkeypatch)
    assert sorted((r["person_id"], r["status"]) for r in json.loads(outcome.out)["followups"]) == [
        ("P1", "tested"), ("P3", "missed")]


def test_counts_by_district(world, capsys, monkeypatch) -> None:
    outcome = run_cli(["sentinel", "counts", "--since", "2022-10-10", "--until", "2022-10-10", "--by", "district",
                       "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert document["by"] == ["district"]
    assert {r["district_id"]: r["count"] for r in document["counts"]} == {"D1": 1, "D2": 1}


def test_counts_refuse_an_unknown_dimension(world, capsys, monkeypatch) -> None:
    outcome = run_cli(["sentinel", "counts", "--by", "pharmacy"], capsys, monkeypatch)
    assert outcome.code == 2 and "--by takes site, district or category" in outcome.err


def test_alarms_judge_each_district_on_the_day(world, capsys, monkeypatch) -> None:
    outcome = run_cli(["sentinel", "alarms", "--date", "2022-10-09", "--json"], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert document["day"] == "2022-10-09" and document["history_from"] == "2022-09-30"
    unknown = {a["method"]: a for a in document["alarms"] if a["district_id"] == "unknown"}
    assert unknown["ears-c1"]["judged"] and not unknown["ears-c1"]["alarm"] and unknown["ears-c1"]["observed"] == 2
    assert not unknown["farrington-flexible"]["judged"]
