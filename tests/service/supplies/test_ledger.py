from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.core import timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.people.models import Person
from ringfence.protocols import service as protocols
from ringfence.supplies import service
from ringfence.supplies.schemas import ItemCreate, MovementCreate, WarehouseCreate
from ringfence.tasks.models import Task, TaskKind

DAY = date(2022, 10, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
DISTRICT_B = Scope(actor="b.staff", role=Role.district, subtree="/C/D2/")


@pytest.fixture(scope="module")
def protocol():
    return protocols.load("covid19-cn-9")


@pytest.fixture
def stores(session):
    """The small city, rice and masks in the catalogue, warehouse W1 in D1 and W2 in D2."""
    build_small_city(session)
    for item_id, unit in [("rice_kg", "kg"), ("masks", "piece")]:
        service.create_item(session=session, item_in=ItemCreate(item_id=item_id, unit=unit), actor="t")
    for warehouse_id, area_id in [("W1", "D1"), ("W2", "D2")]:
        service.create_warehouse(session=session, scope=None, actor="t",
                                 warehouse_in=WarehouseCreate(warehouse_id=warehouse_id, area_id=area_id))
    return session


def move(session, kind: str, quantity: str, warehouse: str = "W1", item: str = "rice_kg", scope=None, **extra):
    movement_in = MovementCreate(warehouse_id=warehouse, item_id=item, kind=kind, quantity=Decimal(quantity), **extra)
    return service.record(session=session, scope=scope, movement_in=movement_in, actor="keeper")


def test_the_balance_is_the_sum_of_receipts_issues_deliveries_and_adjustments(stores) -> None:
    move(stores, "receipt", "100.5")
    move(stores, "receipt", "20")
    move(stores, "issue", "30.25")
    move(stores, "delivery", "10", building_id="B1")
    move(stores, "adjustment", "-0.25")
    move(stores, "receipt", "7", item="masks")
    assert service.balance(session=stores, warehouse_id="W1", item_id="rice_kg") == Decimal(80)
    rows = {(r.warehouse_id, r.item_id): r.quantity for r in service.stock(session=stores, scope=None)}
    assert rows == {("W1", "masks"): Decimal(7), ("W1", "rice_kg"): Decimal(80)}


def test_stock_never_goes_below_zero(stores) -> None:
    move(stores, "receipt", "5")
    with pytest.raises(Conflict, match="warehouse W1 holds 5 kg of rice_kg; cannot take 6"):
        move(stores, "issue", "6")
    assert service.balance(session=stores, warehouse_id="W1", item_id="rice_kg") == Decimal(5)


def test_every_movement_goes_on_the_warehouse_timeline_with_who_did_it(stores) -> None:
    move(stores, "receipt", "5", reference="donation")
    move(stores, "delivery", "2", building_id="B1")
    history = timeline.history(stores, subject_type="warehouse", subject_id="W1")
    assert [(e.action, e.actor, e.detail) for e in history][1:] == [
        ("supplies.receipt", "keeper", "rice_kg +5 kg (donation)"),
        ("supplies.delivery", "keeper", "rice_kg -2 kg to building B1"),
    ]


def test_the_ledger_refuses_updates_and_deletes(stores) -> None:
    move(stores, "receipt", "5")
    stores.commit()
    for statement in ("UPDATE stock_ledger SET quantity_milli = 0", "DELETE FROM stock_ledger"):
        with pytest.raises(DBAPIError, match="append-only"):
            stores.execute(text(statement))
        stores.rollback()
    assert service.balance(session=stores, warehouse_id="W1", item_id="rice_kg") == Decimal(5)


@pytest.mark.parametrize(("kind", "extra", "error"), [
    ("delivery", {}, InvalidInput),
    ("issue", {"building_id": "B1"}, InvalidInput),
    ("delivery", {"building_id": "B9"}, NotFound),
])
def test_deliveries_name_a_real_building_and_only_they_do(stores, kind, extra, error) -> None:
    move(stores, "receipt", "5")
    with pytest.raises(error):
        move(stores, kind, "1", **extra)


def test_territorial_staff_move_only_the_stock_of_their_subtree(stores) -> None:
    move(stores, "receipt", "5", warehouse="W2", scope=DISTRICT_B)
    with pytest.raises(NotFound, match="no warehouse 'W1'"):
        move(stores, "receipt", "5", warehouse="W1", scope=DISTRICT_B)
    assert [r.warehouse_id for r in service.stock(session=stores, scope=DISTRICT_B)] == ["W2"]


def test_needs_are_residents_times_the_protocols_rations(stores, protocol) -> None:
    report = service.needs(session=stores, buildings=["B1", "B2"], day=DAY, protocol=protocol)
    rations = protocol.supplies.rations_per_person_per_day
    by_building = {b.building_id: (b.residents, b.needs) for b in report.buildings}
    assert by_building["B1"][0] == 2 and by_building["B2"][0] == 1
    assert by_building["B1"][1]["rice_kg"] == Decimal(str(rations["rice_kg"])) * 2
    assert report.total["water_l"] == Decimal(str(rations["water_l"])) * 3


def test_the_forecast_finds_the_first_day_stock_runs_short(stores, protocol) -> None:
    stores.add_all(Person(person_id=f"R{i}", building_id="B2") for i in range(9))  # B2: 10 residents
    stores.flush()
    move(stores, "receipt", "12")  # rice 0.5 kg a day each: 5 kg a day
    move(stores, "receipt", "100", item="masks")  # 1 a day each: 10 a day
    outlook = {i.item_id: i for i in service.forecast(session=stores, buildings=["B2"], start=DAY, days=14,
                                                       protocol=protocol)}
    assert (outlook["rice_kg"].daily_need, outlook["rice_kg"].shortfall_on) == (Decimal(5), date(2022, 10, 3))
    assert (outlook["masks"].days_covered, outlook["masks"].shortfall_on) == (10, date(2022, 10, 11))
    assert outlook["water_l"].stock == 0 and outlook["water_l"].shortfall_on == DAY


def test_delivery_tasks_are_made_once_per_building_and_day(stores, protocol) -> None:
    first = service.plan_deliveries(session=stores, buildings=["B1", "B2"], day=DAY, protocol=protocol,
                                    actor="t", tz=SHANGHAI)
    again = service.plan_deliveries(session=stores, buildings=["B1", "B2"], day=DAY, protocol=protocol,
                                    actor="t", tz=SHANGHAI)
    assert (first, again) == ({"created": 2, "existing": 0}, {"created": 0, "existing": 2})
    tasks = stores.scalars(select(Task).where(Task.kind == TaskKind.deliver_supplies).order_by(Task.subject_id)).all()
    assert [(t.subject_id, t.area_id) for t in tasks] == [("B1", "M1"), ("B2", "M2")]
