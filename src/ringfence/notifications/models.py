"""Notifications: who is reached how (recipients) and the outbox of messages to send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class Recipient(Base):
    """An address at which a responsible party is reached.

    `party` names who: `area:<area_id>` (the area's duty office), `user:<username>`,
    `department:<name>`, `enterprise:<enterprise_id>`.
    """

    __tablename__ = "notification_recipients"
    __table_args__ = (UniqueConstraint("party", "channel", "address"),)

    recipient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=10))
    address: Mapped[str] = mapped_column(String(200))


class NotificationStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    unaddressed = "unaddressed"  # nobody registered for the party: kept, visible, not retried


class Notification(Base):
    """One message to a party: written in the transaction of the change, sent after it commits."""

    __tablename__ = "notifications"

    notification_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(120))  # what it is about: task:12, ticket:3
    created_at: Mapped[datetime]
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(NotificationStatus, native_enum=False, length=20), default=NotificationStatus.pending, index=True
    )
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))
