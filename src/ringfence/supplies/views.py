"""`/api/supplies/…`: the catalogue, warehouses, stock and ledger, needs and the shortfall forecast."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import StringConstraints

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.rules import Permission, Scope
from ringfence.core import clock
from ringfence.supplies import service as supplies_service
from ringfence.supplies.schemas import (
    ForecastRead,
    ItemCreate,
    ItemRead,
    LedgerFilter,
    MovementCreate,
    MovementRead,
    NeedsRead,
    StockRow,
    WarehouseCreate,
    WarehouseRead,
)

router = APIRouter(prefix="/supplies", tags=["supplies"])

Reader = Annotated[Scope, Depends(scoped(Permission.SUPPLY_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.SUPPLY_EDIT))]
BuildingIdText = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
Buildings = Annotated[
    list[BuildingIdText],
    Query(alias="building", min_length=1, max_length=1000, description="sealed building ids (repeat the parameter)"),
]
MAX_FORECAST_DAYS = 90


def _protocol(request: Request):
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


def _today(request: Request) -> date:
    return clock.local_day(clock.now(), request.app.state.settings.tz)


def _movement_read(m) -> MovementRead:
    return MovementRead(movement_id=m.movement_id, at=m.at, warehouse_id=m.warehouse_id, item_id=m.item_id,
                        kind=m.kind, quantity=m.quantity, building_id=m.building_id, reference=m.reference, actor=m.actor)


@router.get("/items", response_model=Page[ItemRead])
def list_items(session: DbSession, scope: Reader, paging: Paging) -> Page[ItemRead]:
    items = supplies_service.get_items(session=session)
    start = (paging.page - 1) * paging.size
    return Page.of([ItemRead.model_validate(i) for i in items[start:start + paging.size]], len(items), paging)


@router.post("/items", response_model=ItemRead, status_code=201)
def create_item(item_in: ItemCreate, session: DbSession, scope: Editor) -> ItemRead:
    return ItemRead.model_validate(supplies_service.create_item(session=session, item_in=item_in, actor=scope.actor))


@router.get("/warehouses", response_model=Page[WarehouseRead])
def list_warehouses(session: DbSession, scope: Reader, paging: Paging) -> Page[WarehouseRead]:
    shown = supplies_service.get_warehouses(session=session, scope=scope)
    start = (paging.page - 1) * paging.size
    return Page.of([WarehouseRead.model_validate(w) for w in shown[start:start + paging.size]], len(shown), paging)


@router.post("/warehouses", response_model=WarehouseRead, status_code=201)
def create_warehouse(warehouse_in: WarehouseCreate, session: DbSession, scope: Editor) -> WarehouseRead:
    warehouse = supplies_service.create_warehouse(session=session, scope=scope, warehouse_in=warehouse_in, actor=scope.actor)
    return WarehouseRead.model_validate(warehouse)


@router.get("/stock", response_model=list[StockRow])
def list_stock(
    session: DbSession, scope: Reader,
    warehouse_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=ID_PATTERN)] = None,
) -> list[StockRow]:
    return supplies_service.stock(session=session, scope=scope, warehouse_id=warehouse_id)


@router.get("/ledger", response_model=Page[MovementRead])
def list_ledger(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[LedgerFilter, Query()]
) -> Page[MovementRead]:
    rows, total = supplies_service.ledger(session=session, scope=scope, filters=filters, page=paging.page, size=paging.size)
    return Page.of([_movement_read(m) for m in rows], total, paging)


@router.post("/movements", response_model=MovementRead, status_code=201)
def create_movement(movement_in: MovementCreate, session: DbSession, scope: Editor) -> MovementRead:
    """Append a receipt, issue, delivery or adjustment to the ledger (it is never edited)."""
    movement = supplies_service.record(session=session, scope=scope, movement_in=movement_in, actor=scope.actor)
    return _movement_read(movement)


@router.get("/needs", response_model=NeedsRead)
def get_needs(request: Request, session: DbSession, scope: Reader, buildings: Buildings,
              day: date | None = None) -> NeedsRead:
    return supplies_service.needs(session=session, buildings=buildings, day=day or _today(request),
                                  protocol=_protocol(request), scope=scope)


@router.get("/forecast", response_model=ForecastRead)
def get_forecast(
    request: Request, session: DbSession, scope: Reader, buildings: Buildings, start: date | None = None,
    days: Annotated[int, Query(ge=1, le=MAX_FORECAST_DAYS)] = 14,
) -> ForecastRead:
    first = start or _today(request)
    items = supplies_service.forecast(session=session, buildings=buildings, start=first, days=days,
                                      protocol=_protocol(request), scope=scope)
    return ForecastRead(start=first, days=days, buildings=list(dict.fromkeys(buildings)), items=items)
