"""Supplies through the API: territorial staff keep the stock of their subtree; reads need SUPPLY_READ."""

from __future__ import annotations

import pytest


@pytest.fixture
def stocked(world):
    post = world.client.post
    assert post("/api/supplies/items", json={"item_id": "rice_kg", "unit": "kg"},
                headers=world.headers("district_a")).status_code == 201
    for who, warehouse, area in [("district_a", "W1", "D1"), ("district_b", "W2", "D2")]:
        response = post("/api/supplies/warehouses", json={"warehouse_id": warehouse, "area_id": area},
                        headers=world.headers(who))
        assert response.status_code == 201
    return world


def move(world, who: str, **movement):
    return world.client.post("/api/supplies/movements", json={"item_id": "rice_kg", **movement},
                             headers=world.headers(who))


def test_a_district_receives_and_delivers_and_sees_its_balance(stocked) -> None:
    assert move(stocked, "district_a", warehouse_id="W1", kind="receipt", quantity="10.5").status_code == 201
    delivered = move(stocked, "district_a", warehouse_id="W1", kind="delivery", quantity="2.5", building_id="B1")
    assert delivered.status_code == 201 and delivered.json()["quantity"] == "-2.500"
    stock = stocked.get("/api/supplies/stock", "district_a").json()
    assert [(r["warehouse_id"], r["quantity"]) for r in stock] == [("W1", "8.000")]
    assert stocked.get("/api/supplies/ledger", "district_a").json()["total"] == 2


def test_another_districts_warehouse_is_not_found(stocked) -> None:
    assert move(stocked, "district_b", warehouse_id="W1", kind="receipt", quantity="1").status_code == 404
    assert stocked.get("/api/supplies/stock", "district_b", warehouse_id="W1").status_code == 404
    assert [w["warehouse_id"] for w in stocked.get("/api/supplies/warehouses", "district_b").json()["items"]] == ["W2"]


def test_issuing_more_than_there_is_answers_409(stocked) -> None:
    response = move(stocked, "district_a", warehouse_id="W1", kind="issue", quantity="1")
    assert response.status_code == 409 and "holds 0 kg" in response.json()["detail"]


def test_the_commander_reads_needs_and_forecast_but_cannot_move_stock(stocked) -> None:
    needs = stocked.get("/api/supplies/needs", "commander", building=["B1", "B2"], day="2022-10-01").json()
    assert [(b["building_id"], b["residents"]) for b in needs["buildings"]] == [("B1", 2), ("B2", 1)]
    outlook = stocked.get("/api/supplies/forecast", "commander", building="B1", start="2022-10-01", days=3).json()
    assert {i["item_id"]: i["shortfall_on"] for i in outlook["items"]}["rice_kg"] == "2022-10-01"
    assert move(stocked, "commander", warehouse_id="W1", kind="receipt", quantity="1").status_code == 403


def test_needs_of_a_building_outside_the_subtree_are_not_found(stocked) -> None:
    assert stocked.get("/api/supplies/needs", "district_b", building="B1").status_code == 404
