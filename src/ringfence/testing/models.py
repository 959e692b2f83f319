"""Arrivals from elsewhere (the screening capability decides their measures)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class OriginRisk(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


class Arrival(Base):
    __tablename__ = "arrivals"
    __table_args__ = (UniqueConstraint("person_id", "arrive_at"),)

    arrival_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.person_id"), index=True)
    origin: Mapped[str] = mapped_column(String(120))
    origin_risk: Mapped[OriginRisk] = mapped_column(Enum(OriginRisk, native_enum=False, length=10))
    arrive_at: Mapped[datetime] = mapped_column(index=True)
    mode: Mapped[str | None] = mapped_column(String(40))
    reported_at: Mapped[datetime | None]
    building_id: Mapped[str] = mapped_column(ForeignKey("buildings.building_id"), index=True)
