"""The administrative tree (city > district > subdistrict > community) and its buildings."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class AreaLevel(StrEnum):
    city = "city"
    district = "district"
    subdistrict = "subdistrict"
    community = "community"


LEVEL_ORDER = [AreaLevel.city, AreaLevel.district, AreaLevel.subdistrict, AreaLevel.community]


class Area(Base):
    __tablename__ = "areas"

    area_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("areas.area_id"), index=True)
    level: Mapped[AreaLevel] = mapped_column(Enum(AreaLevel, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(200))
    # "/city/district/.../self/": a subtree is every area whose path starts with its root's path
    path: Mapped[str] = mapped_column(String(400), index=True)
    geometry: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, as text


class Building(Base):
    __tablename__ = "buildings"

    building_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("areas.area_id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
