"""Recording stock movements from the supplies page, without a browser, on SQLite and PostgreSQL: the
ledger's service and its rules, the warehouse's jurisdiction, the permission, the CSRF token, and each
refusal shown next to its field as a 422."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from tests.web import daily_work, world
from tests.web.daily_work import log_in

from ringfence.api.app import create_app
from ringfence.supplies import service as supplies

EN = {"Accept-Language": "en-GB,en;q=0.9"}
HTMX = {**EN, "HX-Request": "true"}


@pytest.fixture
def client(settings, engine, session, tmp_path):
    world.build(session, settings, tmp_path / "feeds")
    daily_work.add_warehouses(session)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def move(client: TestClient, token: str, headers=HTMX, **fields):
    form = {"warehouse_id": "wa", "item_id": "rice_kg", "kind": "receipt", "quantity": "", "building_id": "",
            "reference": "", **fields}
    return client.post("/supplies/movements", headers={**headers, "X-CSRF-Token": token}, data=form)


def shown_stock(html: str, warehouse: str, item: str) -> str:
    row = re.search(rf'data-warehouse="{warehouse}" data-item="{item}">(.*?)</tr>', html, re.DOTALL).group(1)
    return re.search(r'<td class="num">([^<]*)</td>', row).group(1)


def rice_at(session, warehouse: str) -> Decimal:
    session.expire_all()
    return supplies.balance(session=session, warehouse_id=warehouse, item_id="rice_kg")


def test_a_district_records_a_receipt_and_a_delivery_and_sees_the_stock_follow(client, session) -> None:
    token = log_in(client, "dist_a")
    page = client.get("/supplies", headers=EN).text
    assert 'id="movement-form"' in page and "<legend>Kind of movement</legend>" in page
    assert "Jinshui depot" in page and "Erqi depot" not in page and shown_stock(page, "wa", "rice_kg") == "100"
    receipt = move(client, token, quantity="25.5", reference="donation")
    assert receipt.status_code == 200 and "<html" not in receipt.text and shown_stock(receipt.text, "wa", "rice_kg") == "125.5"
    assert 'role="status"' in receipt.text and "125.5 kg" in receipt.text
    delivery = move(client, token, kind="delivery", quantity="5", building_id="ba1")
    assert delivery.status_code == 200 and shown_stock(delivery.text, "wa", "rice_kg") == "120.5"
    # a browser without scripts posts the form and gets the whole page back
    adjusted = move(client, token, headers=EN, kind="adjustment", quantity="-0.5", reference="count")
    assert adjusted.status_code == 200 and "<html" in adjusted.text and shown_stock(adjusted.text, "wa", "rice_kg") == "120"
    assert rice_at(session, "wa") == Decimal("120.000")


def test_each_problem_of_a_movement_comes_back_next_to_its_field_as_a_422(client, session) -> None:
    token = log_in(client, "dist_a")
    unknown = move(client, token, item_id="caviar", quantity="1")
    assert unknown.status_code == 422
    assert 'id="movement-item_id-error" class="field-error">Item: there is no such item in the catalogue.' in unknown.text
    assert 'aria-describedby="movement-item_id-error" aria-invalid="true"' in unknown.text
    negative = move(client, token, quantity="-3")
    assert negative.status_code == 422 and "Quantity: give a positive number" in negative.text and 'value="-3"' in negative.text
    too_much = move(client, token, kind="issue", quantity="100.001")
    assert too_much.status_code == 422
    assert "Quantity: more than in stock. Jinshui depot holds 100 kg of Rice." in too_much.text
    assert "Quantity: give a number with at most three decimals" in move(client, token, quantity="1.0001").text
    assert "Building: a delivery names the building" in move(client, token, kind="delivery", quantity="1").text
    elsewhere = move(client, token, kind="delivery", quantity="1", building_id="bb1")
    assert elsewhere.status_code == 422 and "Building: there is no such building in your jurisdiction." in elsewhere.text
    assert "Kind of movement: choose one." in move(client, token, kind="gift", quantity="1").text
    assert rice_at(session, "wa") == Decimal("100.000")


def test_recording_needs_the_permission_the_own_warehouse_and_the_form_token(client, session) -> None:
    token = log_in(client, "hq")  # headquarters reads supplies, moves none
    page = client.get("/supplies", headers=EN)
    assert page.status_code == 200 and 'id="movement-form"' not in page.text and "Erqi depot" in page.text
    assert move(client, token, quantity="1").status_code == 403
    token = log_in(client, "dist_a")
    assert move(client, token, warehouse_id="wb", quantity="1").status_code == 404  # district B's
    assert move(client, "", quantity="1").status_code == 403
    token = log_in(client, "it")  # no supplies at all
    assert client.get("/supplies", headers=EN).status_code == 403
    assert (rice_at(session, "wa"), rice_at(session, "wb")) == (Decimal("100.000"), Decimal("100.000"))
