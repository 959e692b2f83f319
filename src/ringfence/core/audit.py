"""The append-only audit log: every read of a person's record and every write of personal data.

Rows are only ever inserted; the migration adds database triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ringfence.core import clock
from ringfence.core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(String(1000))


def record(
    session: Session,
    *,
    user: str,
    action: str,
    subject: str,
    origin: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry; `origin` says from where (an address, or `cli`)."""
    entry = AuditEntry(
        at=at or clock.now(), user=user, action=action, subject=subject, origin=origin, detail=detail
    )
    session.add(entry)
    return entry


def entries(session: Session, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def search(
    session: Session,
    *,
    since: datetime | None = None,
    user: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[AuditEntry], int]:
    """One page of entries matching every given criterion, newest first, and how many match."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if user is not None:
        query = query.where(AuditEntry.user == user)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * size).limit(size))
    return list(rows), total
