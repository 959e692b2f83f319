from __future__ import annotations

import json

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city


@pytest.fixture
def city(session, engine):
    build_small_city(session)
    session.commit()


def cli(capsys, monkeypatch, *argv: str):
    return run_cli(["supplies", *argv], capsys, monkeypatch)


def test_receipts_and_issues_give_the_balance(city, capsys, monkeypatch) -> None:
    assert cli(capsys, monkeypatch, "items", "--add", "rice_kg", "--unit", "kg").code == 0
    assert cli(capsys, monkeypatch, "warehouses", "--add", "W1", "--area", "D1").code == 0
    assert cli(capsys, monkeypatch, "receive", "W1", "rice_kg", "40").code == 0
    assert cli(capsys, monkeypatch, "issue", "W1", "rice_kg", "2.5", "--to", "B1").code == 0
    outcome = cli(capsys, monkeypatch, "issue", "W1", "rice_kg", "7.5", "--json")
    assert json.loads(outcome.out)["balance"] == "30.000"
    stock = json.loads(cli(capsys, monkeypatch, "stock", "--json").out)["stock"]
    assert [(r["warehouse_id"], r["item_id"], r["quantity"]) for r in stock] == [("W1", "rice_kg", "30.000")]


@pytest.mark.parametrize(("argv", "message"), [
    (["receive", "W9", "rice_kg", "1"], "no warehouse 'W9'"),
    (["receive", "W1", "rice_kg", "lots"], "quantity"),
    (["issue", "W1", "rice_kg", "1"], "holds 0 kg"),
    (["items", "--add", "masks"], "--unit"),
    (["needs"], "--building"),
])
def test_bad_input_exits_2_with_one_line(city, capsys, monkeypatch, argv, message) -> None:
    cli(capsys, monkeypatch, "items", "--add", "rice_kg", "--unit", "kg")
    cli(capsys, monkeypatch, "warehouses", "--add", "W1", "--area", "D1")
    outcome = cli(capsys, monkeypatch, *argv)
    assert outcome.code == 2 and message in outcome.err and len(outcome.err.strip().splitlines()) == 1


def test_needs_and_forecast_of_sealed_buildings(city, capsys, monkeypatch) -> None:
    cli(capsys, monkeypatch, "items", "--add", "masks", "--unit", "piece")
    cli(capsys, monkeypatch, "warehouses", "--add", "W1", "--area", "D1")
    cli(capsys, monkeypatch, "receive", "W1", "masks", "7")
    needs = json.loads(cli(capsys, monkeypatch, "needs", "--building", "B1", "--building", "B2",
                           "--day", "2022-10-01", "--deliver", "--json").out)
    assert needs["total"]["masks"] == "3.000" and needs["tasks"] == {"created": 2, "existing": 0}
    outlook = json.loads(cli(capsys, monkeypatch, "forecast", "--building", "B1", "--building", "B2",
                             "--start", "2022-10-01", "--days", "5", "--json").out)
    masks = next(i for i in outlook["items"] if i["item_id"] == "masks")
    assert (masks["days_covered"], masks["shortfall_on"]) == (2, "2022-10-03")
