"""Notification hooks: a `Notifier` interface, SMTP e-mail and SMS-gateway senders, a fake for tests,
and an outbox so a message leaves only after the change that caused it is committed.

Services call `enqueue` inside their transaction; an entry point calls `deliver_pending` after
committing (respond's "notify" step, the API's background task, the CLI after its unit of work).
Senders are configured by the environment (RINGFENCE_NOTIFY_*) and off by default.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ringfence.core import audit, clock, timeline
from ringfence.core.errors import NotFound
from ringfence.notifications import rules
from ringfence.notifications.models import Channel, Notification, NotificationStatus, Recipient
from ringfence.notifications.schemas import RecipientFilter


class Notifier(Protocol):
    """Something that delivers one message to one address (raises on failure)."""

    def send(self, *, to: str, subject: str, body: str) -> None: ...


class NotifySettings(BaseSettings):
    """Where messages go; nothing is sent unless a host or URL is set."""

    model_config = SettingsConfigDict(env_prefix="RINGFENCE_NOTIFY_", extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "ringfence@localhost"
    smtp_starttls: bool = True
    sms_url: str | None = Field(default=None, description="SMS gateway endpoint taking JSON {to, text}")
    sms_token: SecretStr | None = None
    timeout_seconds: float = 10.0


@dataclass
class SmtpNotifier:
    """E-mail through an SMTP server (STARTTLS and login when configured)."""

    host: str
    port: int = 587
    sender: str = "ringfence@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 10.0

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
            if self.starttls:
                server.starttls()
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(message)


@dataclass
class SmsGatewayNotifier:
    """Text messages through an HTTP gateway: POST {"to", "text"} as JSON, bearer token if set."""

    url: str
    token: str | None = None
    timeout: float = 10.0

    def send(self, *, to: str, subject: str, body: str) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(self.url, json={"to": to, "text": f"{subject}: {body}"}, headers=headers,
                              timeout=self.timeout)
        response.raise_for_status()


@dataclass
class RecordingNotifier:
    """The fake for tests: remembers every message instead of sending it."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, *, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


@dataclass
class Senders:
    """One notifier per channel; a channel without one is not configured."""

    by_channel: dict[Channel, Notifier] = field(default_factory=dict)

    @classmethod
    def everywhere(cls, notifier: Notifier) -> Senders:
        """The same notifier for every channel (tests)."""
        return cls({channel: notifier for channel in Channel})


def configured_senders(settings: NotifySettings | None = None) -> Senders:
    """The senders the environment configures; none by default."""
    settings = settings or NotifySettings()
    senders = Senders()
    if settings.smtp_host:
        senders.by_channel[Channel.email] = SmtpNotifier(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from, user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls, timeout=settings.timeout_seconds,
        )
    if settings.sms_url:
        senders.by_channel[Channel.sms] = SmsGatewayNotifier(
            url=settings.sms_url, token=settings.sms_token.get_secret_value() if settings.sms_token else None,
            timeout=settings.timeout_seconds,
        )
    return senders


def add_recipient(
    *, session: Session, party: str, channel: Channel, address: str, actor: str | None = None,
    origin: str | None = None,
) -> Recipient:
    """Register an address for a party (idempotent); a new one is audited when an `actor` is named."""
    existing = session.scalar(select(Recipient).where(
        Recipient.party == party, Recipient.channel == channel, Recipient.address == address
    ))
    if existing is not None:
        return existing
    recipient = Recipient(party=party, channel=channel, address=address)
    session.add(recipient)
    session.flush()
    if actor is not None:
        _audit(session, recipient, actor=actor, action="recipient.add", origin=origin)
    return recipient


def _audit(session: Session, recipient: Recipient, *, actor: str, action: str, origin: str | None) -> None:
    # the address is an official's personal data: the log names it masked
    audit.record(session, user=actor, action=action, subject=f"recipient:{recipient.recipient_id}", origin=origin,
                 detail=f"{recipient.party} {recipient.channel.value} "
                        f"{rules.mask_address(recipient.channel, recipient.address)}")


def get_recipient(*, session: Session, recipient_id: int) -> Recipient:
    recipient = session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(f"no recipient {recipient_id}")
    return recipient


def get_recipients(
    *, session: Session, filters: RecipientFilter, page: int = 1, size: int = 50
) -> tuple[list[Recipient], int]:
    """One page of the registered addresses, by party, channel and id, and how many match."""
    query = select(Recipient)
    if filters.party is not None:
        query = query.where(Recipient.party == filters.party)
    if filters.channel is not None:
        query = query.where(Recipient.channel == filters.channel)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Recipient.party, Recipient.channel, Recipient.recipient_id)
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def remove_recipient(*, session: Session, recipient: Recipient, actor: str, origin: str | None = None) -> None:
    """Stop sending to this address (messages already sent keep their record); audited."""
    _audit(session, recipient, actor=actor, action="recipient.remove", origin=origin)
    session.delete(recipient)
    session.flush()


def enqueue(
    *, session: Session, party: str, subject: str, body: str, source: str | None = None, at: datetime | None = None
) -> Notification:
    """Put a message to `party` in the outbox; it leaves with `deliver_pending` after commit."""
    message = Notification(
        party=party, subject=subject[:300], body=body, source=source, created_at=at or clock.now(),
        status=NotificationStatus.pending,
    )
    session.add(message)
    return message


def deliver_pending(*, session: Session, senders: Senders | None = None, batch: int = 1000) -> dict[str, int]:
    """Send every pending message to every address of its party; returns counts by outcome.

    A message nobody is registered for is marked `unaddressed`; a send that raises is `failed`
    with its error (one line), and the others still go. Messages are read `batch` at a time, in order,
    each batch's parties' addresses in one query; a message with no configured channel stays pending
    without holding up the ones after it.
    """
    senders = senders if senders is not None else configured_senders()
    counts = {"sent": 0, "failed": 0, "unaddressed": 0, "unconfigured": 0}
    recipients_of: dict[str, list[Recipient]] = {}
    after = 0
    while messages := list(session.scalars(
        select(Notification).where(Notification.status == NotificationStatus.pending,
                                   Notification.notification_id > after)
        .order_by(Notification.notification_id).limit(batch)
    )):
        after = messages[-1].notification_id
        if parties := {m.party for m in messages} - recipients_of.keys():
            recipients_of |= {party: [] for party in parties}
            for recipient in session.scalars(select(Recipient).where(Recipient.party.in_(sorted(parties)))):
                recipients_of[recipient.party].append(recipient)
        for message in messages:
            counts[_deliver(session, message, recipients_of[message.party], senders)] += 1
        session.flush()
    return counts


def _deliver(session: Session, message: Notification, recipients: list[Recipient], senders: Senders) -> str:
    """Send one message to its party's reachable addresses; the outcome's name."""
    if not recipients:
        message.status = NotificationStatus.unaddressed
        return "unaddressed"
    reachable = [r for r in recipients if r.channel in senders.by_channel]
    if not reachable:
        return "unconfigured"  # stays pending until a sender is configured
    errors = []
    for recipient in reachable:
        try:
            senders.by_channel[recipient.channel].send(to=recipient.address, subject=message.subject,
                                                       body=message.body)
        except Exception as exc:  # noqa: BLE001 - any sender failure is recorded, not raised
            errors.append(f"{recipient.channel.value}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    message.sent_at = clock.now()
    message.status = NotificationStatus.failed if errors else NotificationStatus.sent
    message.error = "; ".join(errors)[:500] or None
    if message.source:
        kind, _, subject_id = message.source.partition(":")
        timeline.record(session, subject_type=kind, subject_id=subject_id, actor="notifier",
                        action=f"notification.{message.status.value}", detail=f"{message.party}: {message.subject}")
    return "failed" if errors else "sent"


def deliver_committed(engine) -> dict[str, int]:
    """Deliver the outbox in a transaction of its own (after the caller's change has committed)."""
    from ringfence.core.db import transaction

    with transaction(engine) as session:
        return deliver_pending(session=session)
