"""Contacts as records: who was exposed to which case, how, and their follow-up schedule."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base
from ringfence.tracing.rules import ContactCategory, ExposureVia


class Measure(StrEnum):
    central_isolation = "central_isolation"
    home_isolation = "home_isolation"
    tests = "tests"  # companions: tests within days, no isolation


class ContactStatus(StrEnum):
    traced = "traced"
    placed = "placed"
    released = "released"
    became_case = "became_case"


class ContactRecord(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.case_id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.person_id"), index=True)
    category: Mapped[ContactCategory] = mapped_column(Enum(ContactCategory, native_enum=False, length=12))
    via: Mapped[ExposureVia] = mapped_column(Enum(ExposureVia, native_enum=False, length=12))
    through: Mapped[str | None] = mapped_column(String(64))
    venue_id: Mapped[str | None] = mapped_column(String(64))
    last_exposure: Mapped[datetime | None]
    overlap_minutes: Mapped[int | None] = mapped_column(Integer)
    traced_at: Mapped[datetime]
    measure: Mapped[Measure] = mapped_column(Enum(Measure, native_enum=False, length=20))
    measure_until: Mapped[date]
    monitoring_until: Mapped[date | None]
    test_dates: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[ContactStatus] = mapped_column(
        Enum(ContactStatus, native_enum=False, length=12), default=ContactStatus.traced
    )
