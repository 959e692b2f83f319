"""Isolation facilities, their rooms, and placements of people in them (or at home)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, ForeignKeyConstraint, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base
from ringfence.isolation.rules import PlacementKind, PlacementStatus


class Facility(Base):
    __tablename__ = "facilities"

    facility_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"), index=True)


class Room(Base):
    __tablename__ = "rooms"

    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.facility_id"), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)


_ACTIVE = "status IN ('waiting', 'placed')"


class Placement(Base):
    """One person's isolation: waiting for a room, placed (in a room or at home), then ended."""

    __tablename__ = "placements"
    __table_args__ = (
        ForeignKeyConstraint(["facility_id", "room_id"], ["rooms.facility_id", "rooms.room_id"]),
        # one active placement per person, whatever two writers race to do
        Index(
            "uq_placements_active_person", "person_id", unique=True,
            sqlite_where=text(_ACTIVE), postgresql_where=text(_ACTIVE),
        ),
        Index("ix_placements_status_due_at", "status", "due_at"),
    )

    placement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.person_id"), index=True)
    # the person's household when placed: members of one household may share a room
    household_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[PlacementKind] = mapped_column(Enum(PlacementKind, native_enum=False, length=12))
    status: Mapped[PlacementStatus] = mapped_column(Enum(PlacementStatus, native_enum=False, length=12))
    # central: the facility (asked for while waiting, or the room's); home: none
    facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.facility_id"), index=True)
    room_id: Mapped[str | None] = mapped_column(String(64))
    home_building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"))
    start: Mapped[date]
    until: Mapped[date] = mapped_column(index=True)
    test_dates: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(300))
    # the waiting list is served first come by this deadline (the protocol's placement deadline)
    due_at: Mapped[datetime]
    queued_at: Mapped[datetime]
    placed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    placed_by: Mapped[str] = mapped_column(String(120))
