"""Screening rounds and arrivals from elsewhere (the screening capability decides their measures)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class OriginRisk(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


class RiskLevel(StrEnum):
    """What decides a round's pool size (the protocol's [screening.pool_size] keys)."""

    isolation = "isolation"
    key_group = "key_group"
    high = "high"
    medium = "medium"
    low = "low"
    elsewhere = "elsewhere"


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


class ScreeningRound(Base):
    """One area screening: every resident of an area subtree sampled between its start and its deadline."""

    __tablename__ = "screening_rounds"

    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("areas.area_id"), index=True)
    level: Mapped[RiskLevel] = mapped_column(Enum(RiskLevel, native_enum=False, length=20))
    # specimens per tube, from the protocol by level when the round was made (10 = 10-in-1)
    pool_size: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    sites: Mapped[list[str]] = mapped_column(JSON)  # sampling site ids
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
