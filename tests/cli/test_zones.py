"""`ringfence zones …`: the delineation contract of DESIGN.md section 5, status, approval, export."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.zones.zone_city import build, confirm, local, scanned

from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.core.db import session_factory


@pytest.fixture
def outbreak(settings, engine):
    """P1 (B1) confirmed on Oct 3 after 40 minutes at the mall V2 (B2); a district user for D2."""
    session = session_factory(engine)()
    build(session, settings)
    confirm(session, "P1", local(3))
    scanned(settings, ("P1", "V2", local(2, 12), local(2, 12, 40)))
    auth_service.create(session=session, user_in=UserCreate(username="district_b", role=Role.district,
                                                            password="a long passphrase", area_id="D2"), actor="test")
    session.commit()
    session.close()
    return settings


def test_delineate_prints_the_contract_document(outbreak, capsys, monkeypatch):
    outcome = run_cli(["zones", "delineate", "--as-of", "2022-10-03T12:00:00+08:00", "--json"], capsys, monkeypatch)

    assert outcome.code == 0, outcome.err
    document = json.loads(outcome.out)
    assert list(document) == ["zones"]
    assert [(z["level"], z["unit"], z["unit_id"], z["residents"]) for z in document["zones"]] == [
        ("high", "building", "B1", 2), ("medium", "building", "B2", 1),
        ("low", "district", "D1", 0), ("low", "district", "D2", 0),
    ]
    assert all(set(z) == {"level", "unit", "unit_id", "since", "residents"} for z in document["zones"])
    assert datetime.fromisoformat(document["zones"][0]["since"]) == local(3)


def test_delineate_stores_nothing_unless_asked(outbreak, capsys, monkeypatch):
    run_cli(["zones", "delineate", "--as-of", "2022-10-03T12:00:00+08:00", "--json"], capsys, monkeypatch)
    assert json.loads(run_cli(["zones", "list", "--json"], capsys, monkeypatch).out) == {"zones": []}

    run_cli(["zones", "delineate", "--as-of", "2022-10-03T12:00:00+08:00", "--save"], capsys, monkeypatch)
    stored = json.loads(run_cli(["zones", "list", "--json"], capsys, monkeypatch).out)["zones"]
    assert sorted((z["level"], z["unit_id"], z["status"]) for z in stored) == [
        ("high", "B1", "proposed"), ("low", "D1", "proposed"), ("low", "D2", "proposed"), ("medium", "B2", "proposed"),
    ]


def test_status_shows_the_next_change_and_the_missing_round(outbreak, capsys, monkeypatch):
    outcome = run_cli(["zones", "status", "--as-of", "2022-10-10T20:00:00+08:00", "--json"], capsys, monkeypatch)

    assert outcome.code == 0, outcome.err
    high = json.loads(outcome.out)["zones"][0]
    assert (high["level"], high["unit_id"], high["next_change"], high["next_level"]) == ("high", "B1", "2022-10-10", "medium")
    assert [b["kind"] for b in high["blockers"]] == ["missing_round"]


def test_approving_outside_ones_jurisdiction_is_refused_in_one_line(outbreak, capsys, monkeypatch):
    run_cli(["zones", "delineate", "--as-of", "2022-10-03T12:00:00+08:00", "--save"], capsys, monkeypatch)
    stored = json.loads(run_cli(["zones", "list", "--json"], capsys, monkeypatch).out)["zones"]
    ids = {(z["level"], z["unit_id"]): z["zone_id"] for z in stored}

    refused = run_cli(["zones", "approve", str(ids[("high", "B1")]), "--as", "district_b"], capsys, monkeypatch)
    assert refused.code == 2
    assert refused.err.strip().startswith("error: zone") and "outside your jurisdiction" in refused.err
    assert len(refused.err.strip().splitlines()) == 1

    approved = run_cli(["zones", "approve", str(ids[("medium", "B2")]), "--as", "district_b", "--json"], capsys, monkeypatch)
    assert approved.code == 0, approved.err
    assert (json.loads(approved.out)["status"], json.loads(approved.out)["approved_by"]) == ("approved", "district_b")


def test_a_bad_as_of_exits_2_with_one_line(outbreak, capsys, monkeypatch):
    outcome = run_cli(["zones", "delineate", "--as-of", "yesterday", "--json"], capsys, monkeypatch)

    assert outcome.code == 2
    assert outcome.out == ""
    assert "not an ISO 8601 time" in outcome.err


def test_export_writes_a_feature_collection(outbreak, capsys, monkeypatch, tmp_path):
    run_cli(["zones", "delineate", "--as-of", "2022-10-03T12:00:00+08:00", "--save"], capsys, monkeypatch)
    target = tmp_path / "zones.geojson"

    outcome = run_cli(["zones", "export", "--out", str(target), "--buffer-metres", "20"], capsys, monkeypatch)

    assert outcome.code == 0, outcome.err
    collection = json.loads(target.read_text(encoding="utf-8"))
    kinds = {f["properties"]["unit_id"]: f["geometry"]["type"] for f in collection["features"]}
    assert kinds == {"B1": "Polygon", "B2": "Polygon", "D1": "Polygon", "D2": "Polygon"}
