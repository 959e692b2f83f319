"""The person register: one row per person, deduplicated by ID number (then phone)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class IdType(StrEnum):
    resident_id = "resident_id"  # 18-character PRC resident identity card, with check digit
    passport = "passport"
    hk_macau_permit = "hk_macau_permit"
    taiwan_permit = "taiwan_permit"
    other = "other"


class Sex(StrEnum):
    male = "male"
    female = "female"
    unknown = "unknown"


class Person(Base):
    __tablename__ = "people"

    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    id_type: Mapped[IdType | None] = mapped_column(Enum(IdType, native_enum=False, length=20))
    id_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    sex: Mapped[Sex | None] = mapped_column(Enum(Sex, native_enum=False, length=10))
    birth_date: Mapped[date | None]
    building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"), index=True)
    household_id: Mapped[str | None] = mapped_column(String(64), index=True)
    workplace_id: Mapped[str | None] = mapped_column(String(64), index=True)
    key_group: Mapped[str | None] = mapped_column(String(40), index=True)
