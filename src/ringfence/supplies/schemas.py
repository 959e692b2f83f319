"""What the faces show of the supplies catalogue, warehouses, ledger, needs and forecasts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ringfence.areas.schemas import ID_PATTERN, id_field
from ringfence.supplies.rules import MovementKind

# a quantity in the item's unit: at most three decimals, within what the ledger's integers hold
Quantity = Field(max_digits=15, decimal_places=3)


class ItemCreate(BaseModel):
    item_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=20, pattern=ID_PATTERN)


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: str
    name: str
    unit: str


class WarehouseCreate(BaseModel):
    warehouse_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    area_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)


class WarehouseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    warehouse_id: str
    name: str
    area_id: str


class MovementCreate(BaseModel):
    """A ledger row: receipts add, issues and deliveries (to a building) take, adjustments either."""

    warehouse_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    item_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    kind: MovementKind
    quantity: Decimal = Quantity
    building_id: str | None = id_field("deliveries: the building supplied")
    reference: str | None = Field(default=None, max_length=300)


class MovementRead(BaseModel):
    movement_id: int
    at: datetime
    warehouse_id: str
    item_id: str
    kind: MovementKind
    quantity: Decimal
    building_id: str | None
    reference: str | None
    actor: str


class LedgerFilter(BaseModel):
    warehouse_id: str | None = id_field()
    item_id: str | None = id_field()


class StockRow(BaseModel):
    warehouse_id: str
    item_id: str
    unit: str | None
    quantity: Decimal


class BuildingNeeds(BaseModel):
    building_id: str
    residents: int
    needs: dict[str, Decimal]  # item → quantity a day


class NeedsRead(BaseModel):
    day: date
    buildings: list[BuildingNeeds]
    total: dict[str, Decimal]


class StockDayRead(BaseModel):
    day: date
    need: Decimal
    remaining: Decimal


class ItemForecast(BaseModel):
    item_id: str
    unit: str | None
    stock: Decimal
    daily_need: Decimal
    days_covered: int
    shortfall_on: date | None
    days: list[StockDayRead]


class ForecastRead(BaseModel):
    start: date
    days: int
    buildings: list[str]
    items: list[ItemForecast]
