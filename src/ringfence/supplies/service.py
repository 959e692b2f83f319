"""Supplies: the item catalogue, warehouses, the append-only stock ledger, the daily needs of
sealed buildings, delivery tasks and the shortfall forecast.

Warehouses belong to an area: territorial staff see and move the stock of their subtree only
(`scope=None` is the shell, which sees the whole city). Every change goes on the timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas import service as areas_service
from ringfence.areas.models import Area, Building
from ringfence.auth.rules import Scope
from ringfence.core import clock, timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.supplies import rules
from ringfence.supplies.models import StockMovement, SupplyItem, Warehouse
from ringfence.supplies.rules import MovementKind
from ringfence.supplies.schemas import (
    BuildingNeeds,
    ItemCreate,
    ItemForecast,
    LedgerFilter,
    MovementCreate,
    NeedsRead,
    StockDayRead,
    StockRow,
    WarehouseCreate,
)

# --- catalogue and warehouses ------------------------------------------------------------------


def get_items(*, session: Session) -> list[SupplyItem]:
    return list(session.scalars(select(SupplyItem).order_by(SupplyItem.item_id)))


def create_item(*, session: Session, item_in: ItemCreate, actor: str) -> SupplyItem:
    """A new catalogue item (refused if its id exists)."""
    if session.get(SupplyItem, item_in.item_id) is not None:
        raise Conflict(f"item {item_in.item_id!r} already exists")
    item = SupplyItem(item_id=item_in.item_id, name=item_in.name or item_in.item_id, unit=item_in.unit)
    session.add(item)
    session.flush()
    timeline.record(session, subject_type="supply_item", subject_id=item.item_id, actor=actor,
                    action="supplies.item_added", detail=f"{item.name} ({item.unit})")
    return item


def _warehouses_in_scope(query: Select, scope: Scope | None) -> Select:
    if scope is None or scope.everywhere:
        return query
    return query.join(Area, Area.area_id == Warehouse.area_id).where(areas_service.in_subtree(Area.path, scope.subtree))


def get_warehouses(*, session: Session, scope: Scope | None) -> list[Warehouse]:
    return list(session.scalars(_warehouses_in_scope(select(Warehouse), scope).order_by(Warehouse.warehouse_id)))


def get_warehouse(*, session: Session, scope: Scope | None, warehouse_id: str, lock: bool = False) -> Warehouse:
    """A warehouse the caller may see (NotFound otherwise); `lock` serializes stock changes on it."""
    query = _warehouses_in_scope(select(Warehouse), scope).where(Warehouse.warehouse_id == warehouse_id)
    if lock:
        query = query.with_for_update(of=Warehouse)
    warehouse = session.scalar(query)
    if warehouse is None:
        raise NotFound(f"no warehouse {warehouse_id!r}")
    return warehouse


def create_warehouse(*, session: Session, scope: Scope | None, warehouse_in: WarehouseCreate, actor: str) -> Warehouse:
    """A new warehouse in an area the caller may see."""
    if scope is not None:
        areas_service.get(session=session, scope=scope, area_id=warehouse_in.area_id)
    elif session.get(Area, warehouse_in.area_id) is None:
        raise NotFound(f"no area {warehouse_in.area_id!r}")
    if session.get(Warehouse, warehouse_in.warehouse_id) is not None:
        raise Conflict(f"warehouse {warehouse_in.warehouse_id!r} already exists")
    warehouse = Warehouse(warehouse_id=warehouse_in.warehouse_id, name=warehouse_in.name or warehouse_in.warehouse_id,
                          area_id=warehouse_in.area_id)
    session.add(warehouse)
    session.flush()
    timeline.record(session, subject_type="warehouse", subject_id=warehouse.warehouse_id, actor=actor,
                    action="supplies.warehouse_added", detail=f"in area {warehouse.area_id}")
    return warehouse


# --- the ledger --------------------------------------------------------------------------------


def balance(*, session: Session, warehouse_id: str, item_id: str) -> Decimal:
    """Stock of an item in a warehouse: the sum of its ledger rows."""
    milli = session.scalar(select(func.coalesce(func.sum(StockMovement.quantity_milli), 0)).where(
        StockMovement.warehouse_id == warehouse_id, StockMovement.item_id == item_id,
    ))
    return rules.from_milli(int(milli or 0))


def record(
    *, session: Session, scope: Scope | None, movement_in: MovementCreate, actor: str, at: datetime | None = None
) -> StockMovement:
    """Append one ledger row; stock may never go below zero (Conflict, naming what is there)."""
    warehouse = get_warehouse(session=session, scope=scope, warehouse_id=movement_in.warehouse_id, lock=True)
    item = session.get(SupplyItem, movement_in.item_id)
    if item is None:
        raise NotFound(f"no item {movement_in.item_id!r} in the catalogue")
    amount = rules.signed(movement_in.kind, rules.quantity(movement_in.quantity))
    if movement_in.kind is MovementKind.delivery:
        if movement_in.building_id is None:
            raise InvalidInput("a delivery names the building it supplies")
        if scope is not None:
            areas_service.get_building(session=session, scope=scope, building_id=movement_in.building_id)
        elif session.get(Building, movement_in.building_id) is None:
            raise NotFound(f"no building {movement_in.building_id!r}")
    elif movement_in.building_id is not None:
        raise InvalidInput("only a delivery names a building")
    if amount < 0:
        held = balance(session=session, warehouse_id=warehouse.warehouse_id, item_id=item.item_id)
        if held + amount < 0:
            raise Conflict(f"warehouse {warehouse.warehouse_id} holds {rules.shown(held)} {item.unit} of "
                           f"{item.item_id}; cannot take {rules.shown(-amount)}")
    movement = StockMovement(
        at=at or clock.now(), warehouse_id=warehouse.warehouse_id, item_id=item.item_id, kind=movement_in.kind,
        quantity_milli=rules.to_milli(amount), building_id=movement_in.building_id,
        reference=movement_in.reference, actor=actor,
    )
    session.add(movement)
    session.flush()
    detail = f"{item.item_id} {'+' if amount > 0 else ''}{rules.shown(amount)} {item.unit}" + (f" to building {movement.building_id}" if movement.building_id else "")
    if movement.reference:
        detail += f" ({movement.reference})"
    timeline.record(session, subject_type="warehouse", subject_id=warehouse.warehouse_id, actor=actor,
                    action=f"supplies.{movement_in.kind.value}", detail=detail, at=movement.at)
    return movement


def stock(*, session: Session, scope: Scope | None, warehouse_id: str | None = None) -> list[StockRow]:
    """The balance of every item in each warehouse the caller may see (items never moved are left out)."""
    if warehouse_id is not None:
        get_warehouse(session=session, scope=scope, warehouse_id=warehouse_id)
    query = (
        select(StockMovement.warehouse_id, StockMovement.item_id, SupplyItem.unit, func.sum(StockMovement.quantity_milli))
        .join(Warehouse, Warehouse.warehouse_id == StockMovement.warehouse_id)
        .join(SupplyItem, SupplyItem.item_id == StockMovement.item_id)
        .group_by(StockMovement.warehouse_id, StockMovement.item_id, SupplyItem.unit)
        .order_by(StockMovement.warehouse_id, StockMovement.item_id)
    )
    query = _warehouses_in_scope(query, scope)
    if warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == warehouse_id)
    return [StockRow(warehouse_id=w, item_id=i, unit=u, quantity=rules.from_milli(int(m)))
            for w, i, u, m in session.execute(query)]


def ledger(
    *, session: Session, scope: Scope | None, filters: LedgerFilter, page: int = 1, size: int = 50
) -> tuple[list[StockMovement], int]:
    """One page of ledger rows of the warehouses the caller may see, newest first, and the total."""
    query = _warehouses_in_scope(select(StockMovement).join(Warehouse, Warehouse.warehouse_id == StockMovement.warehouse_id), scope)
    if filters.warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == filters.warehouse_id)
    if filters.item_id is not None:
        query = query.where(StockMovement.item_id == filters.item_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(StockMovement.movement_id.desc()).offset((page - 1) * size).limit(size))
    return list(rows), total


# --- needs, deliveries, forecast ---------------------------------------------------------------


def residents(*, session: Session, buildings: Sequence[str]) -> dict[str, int]:
    """How many people of the register live in each building (0 for a building with nobody)."""
    counts = dict.fromkeys(buildings, 0)
    query = (select(Person.building_id, func.count()).where(Person.building_id.in_(list(counts)))
             .group_by(Person.building_id))
    for building_id, count in session.execute(query):
        counts[building_id] = int(count)
    return counts


def _check_buildings(session: Session, scope: Scope | None, buildings: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(buildings))
    if scope is not None:
        for building_id in unique:
            areas_service.get_building(session=session, scope=scope, building_id=building_id)
        return unique
    known = set(session.scalars(select(Building.building_id).where(Building.building_id.in_(unique))))
    if missing := [b for b in unique if b not in known]:
        raise NotFound(f"no building {missing[0]!r}")
    return unique


def needs(
    *, session: Session, buildings: list[str], day: date, protocol: Protocol, scope: Scope | None = None
) -> NeedsRead:
    """What each sealed building needs on `day`: its residents × the protocol's rations."""
    checked = _check_buildings(session, scope, buildings)
    rations = protocol.supplies.rations_per_person_per_day
    per_building = [
        BuildingNeeds(building_id=b, residents=n, needs=rules.daily_needs(n, rations))
        for b, n in residents(session=session, buildings=checked).items()
    ]
    total: dict[str, Decimal] = defaultdict(Decimal)
    for row in per_building:
        for item_id, amount in row.needs.items():
            total[item_id] += amount
    return NeedsRead(day=day, buildings=per_building, total={i: total[i] for i in rations})


def plan_deliveries(
    *, session: Session, buildings: list[str], day: date, protocol: Protocol, actor: str, tz: tzinfo,
) -> dict[str, int]:
    """A delivery task for each sealed building with residents, due the protocol's hours into `day`;
    idempotent per building and day."""
    from ringfence.tasks import service as tasks_service
    from ringfence.tasks.models import TaskKind

    day_needs = needs(session=session, buildings=buildings, day=day, protocol=protocol)
    communities = dict(session.execute(
        select(Building.building_id, Building.community_id).where(Building.building_id.in_(buildings))
    ).all())
    starts = clock.start_of_day(day, tz)
    due_at = starts + timedelta(hours=protocol.deadlines.deliver_supplies)
    counts = {"created": 0, "existing": 0}
    for row in day_needs.buildings:
        if row.residents == 0:
            continue
        detail = f"{row.residents} residents: " + ", ".join(f"{i} {q}" for i, q in row.needs.items())
        _task, created = tasks_service.ensure(
            session=session, kind=TaskKind.deliver_supplies, subject_id=row.building_id,
            area_id=communities.get(row.building_id), due_at=due_at,
            source_key=f"supplies:{row.building_id}:{day.isoformat()}", actor=actor, detail=detail,
            protocol=protocol, created_at=starts,
        )
        counts["created" if created else "existing"] += 1
    return counts


def forecast(
    *, session: Session, buildings: list[str], start: date, days: int, protocol: Protocol,
    scope: Scope | None = None,
) -> list[ItemForecast]:
    """For each item: the stock the caller may see minus the buildings' cumulative needs, day by day,
    and the first day it runs short. Items in stock but not rationed are listed with no need."""
    if days < 1:
        raise InvalidInput("a forecast covers at least one day")
    day_needs = needs(session=session, buildings=buildings, day=start, protocol=protocol, scope=scope)
    held: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, str | None] = {i.item_id: i.unit for i in get_items(session=session)}
    for row in stock(session=session, scope=scope):
        held[row.item_id] += row.quantity
    shown = []
    for item_id in sorted(set(day_needs.total) | set(held)):
        outlook = rules.forecast(item_id, stock=held[item_id], daily_need=day_needs.total.get(item_id, Decimal(0)),
                                 start=start, days=days)
        shown.append(ItemForecast(
            item_id=item_id, unit=units.get(item_id), stock=outlook.stock, daily_need=outlook.daily_need,
            days_covered=outlook.days_covered, shortfall_on=outlook.shortfall_on,
            days=[StockDayRead(day=d.day, need=d.need, remaining=d.remaining) for d in outlook.days],
        ))
    return shown
