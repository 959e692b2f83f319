"""Risk areas as proposed by the rules and approved by a commander, with their lifting clock."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base
from ringfence.zones.kinds import ZoneLevel, ZoneStatus, ZoneUnit


class Zone(Base):
    """One zone of one episode at one level; re-delineating finds it again by that identity."""

    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("level", "unit", "unit_id", "episode_start"),)

    zone_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    level: Mapped[ZoneLevel] = mapped_column(Enum(ZoneLevel, native_enum=False, length=10), index=True)
    unit: Mapped[ZoneUnit] = mapped_column(Enum(ZoneUnit, native_enum=False, length=10))
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    # the start of the unbroken stretch the unit has been a zone: part of the identity, so an
    # approval holds through re-delineation and ends with the episode
    episode_start: Mapped[datetime]
    # the area the zone lies in, for jurisdiction: the community of a building, else the unit itself
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.area_id"), index=True)
    since: Mapped[datetime]
    residents: Mapped[int] = mapped_column(Integer)
    demoted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ZoneStatus] = mapped_column(Enum(ZoneStatus, native_enum=False, length=12), index=True)
    proposed_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(120))
    ended_at: Mapped[datetime | None]
    # the lifting clock as the last delineation saw it, and when that last changed
    next_change_on: Mapped[date | None]
    next_level: Mapped[ZoneLevel | None] = mapped_column(Enum(ZoneLevel, native_enum=False, length=10))
    blockers: Mapped[list[dict]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]
