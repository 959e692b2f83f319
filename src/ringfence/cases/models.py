"""Cases: confirmed and asymptomatic infections, with how they were found."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class Classification(StrEnum):
    confirmed = "confirmed"
    asymptomatic = "asymptomatic"


class FoundVia(StrEnum):
    screening = "screening"
    sentinel = "sentinel"
    controlled = "controlled"  # already under control (isolated or monitored) when found
    arrival = "arrival"
    other = "other"


class CaseStatus(StrEnum):
    confirmed = "confirmed"
    isolated = "isolated"
    recovered = "recovered"
    deceased = "deceased"
    discarded = "discarded"


class Case(Base):
    __tablename__ = "cases"

    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.person_id"), unique=True)
    classification: Mapped[Classification] = mapped_column(Enum(Classification, native_enum=False, length=20))
    status: Mapped[CaseStatus] = mapped_column(
        Enum(CaseStatus, native_enum=False, length=20), default=CaseStatus.confirmed
    )
    confirmed_at: Mapped[datetime] = mapped_column(index=True)
    onset_at: Mapped[datetime | None]
    sampled_at: Mapped[datetime | None]
    isolated_at: Mapped[datetime | None]
    found_via: Mapped[FoundVia] = mapped_column(
        Enum(FoundVia, native_enum=False, length=20), default=FoundVia.other
    )
    # when the daily cycle traced the case's contacts (None: not yet); tracing once is what makes it idempotent
    traced_at: Mapped[datetime | None]
