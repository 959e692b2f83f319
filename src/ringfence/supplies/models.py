"""The supplies catalogue, warehouses and the append-only stock ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base
from ringfence.supplies.rules import MovementKind, from_milli


class SupplyItem(Base):
    __tablename__ = "supply_items"

    # the protocol's ration keys name items: rice_kg, water_l, masks…
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))


class Warehouse(Base):
    __tablename__ = "warehouses"

    warehouse_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[str] = mapped_column(ForeignKey("areas.area_id"), index=True)


class StockMovement(Base):
    """One row of the stock ledger: a signed quantity in or out of a warehouse. Never updated nor
    deleted (the migration adds triggers refusing both); a mistake is corrected by an adjustment."""

    __tablename__ = "stock_ledger"
    __table_args__ = (Index("ix_stock_ledger_warehouse_id_item_id", "warehouse_id", "item_id"),)

    movement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.warehouse_id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("supply_items.item_id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(Enum(MovementKind, native_enum=False, length=12))
    # thousandths of the item's unit, signed: exact sums on every store
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(120))

    @property
    def quantity(self) -> Decimal:
        return from_milli(self.quantity_milli)
