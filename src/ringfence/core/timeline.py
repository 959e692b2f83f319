"""Who did what, when, to which subject: the accountability trail every flow writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ringfence.core import clock
from ringfence.core.db import Base


class TimelineEntry(Base):
    __tablename__ = "timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(String(1000))


def record(
    session: Session,
    *,
    subject_type: str,
    subject_id: str,
    actor: str,
    action: str,
    detail: str | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    entry = TimelineEntry(
        at=at or clock.now(),
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        detail=detail,
    )
    session.add(entry)
    return entry


def history(session: Session, *, subject_type: str, subject_id: str) -> list[TimelineEntry]:
    query = (
        select(TimelineEntry)
        .where(TimelineEntry.subject_type == subject_type, TimelineEntry.subject_id == subject_id)
        .order_by(TimelineEntry.id)
    )
    return list(session.scalars(query))
