"""Supervision inspections (督导检查) of places, their findings and the findings' rectification."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class PlaceKind(StrEnum):
    sealed_building = "sealed_building"
    isolation_site = "isolation_site"
    venue = "venue"
    enterprise = "enterprise"
    sampling_site = "sampling_site"
    checkpoint = "checkpoint"
    other = "other"


class Inspection(Base):
    __tablename__ = "inspections"

    inspection_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_kind: Mapped[PlaceKind] = mapped_column(Enum(PlaceKind, native_enum=False, length=30))
    place_id: Mapped[str] = mapped_column(String(120), index=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("areas.area_id"), index=True)  # where the place stands
    team: Mapped[str] = mapped_column(String(120))
    inspector: Mapped[str] = mapped_column(String(120))
    inspected_at: Mapped[datetime] = mapped_column(index=True)
    notes: Mapped[str | None] = mapped_column(String(2000))


class FindingStatus(StrEnum):
    open = "open"
    rectified = "rectified"


class Finding(Base):
    """A gap an inspection found, whose responsible parties must close it by `rectify_by`."""

    __tablename__ = "inspection_findings"

    finding_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.inspection_id"), index=True)
    category: Mapped[str] = mapped_column(String(80), index=True)  # e.g. unsealed_exit, no_temperature_check
    description: Mapped[str] = mapped_column(String(2000))
    department: Mapped[str | None] = mapped_column(String(80), index=True)
    unit: Mapped[str | None] = mapped_column(String(120), index=True)
    person: Mapped[str | None] = mapped_column(String(120))
    rectify_by: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[FindingStatus] = mapped_column(
        Enum(FindingStatus, native_enum=False, length=20), default=FindingStatus.open, index=True
    )
    rectified_at: Mapped[datetime | None]
    closure_note: Mapped[str | None] = mapped_column(String(2000))
    closed_by: Mapped[str | None] = mapped_column(String(120))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.task_id"))
