"""Venues with a venue code (场所码): where check-ins happen."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class Venue(Base):
    __tablename__ = "venues"

    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"), index=True)
    dwell_minutes: Mapped[int | None] = mapped_column(Integer)
