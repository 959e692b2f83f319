"""Help tickets (万人助万企): an enterprise reports a problem, an official is assigned and answers by a deadline.

Each ticket carries a `help_ticket` task (territory: the enterprise's community), so an unanswered
ticket escalates like any other overdue task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ringfence.auth.rules import Scope
from ringfence.core import audit, clock, timeline
from ringfence.core.errors import NotFound
from ringfence.enterprises import rules
from ringfence.enterprises import service as enterprises
from ringfence.enterprises.models import HelpTicket, TicketStatus
from ringfence.enterprises.schemas import TicketCreate, TicketFilter
from ringfence.notifications import service as notifications
from ringfence.protocols.models import Protocol
from ringfence.tasks import service as tasks
from ringfence.tasks.models import Task, TaskKind, TaskStatus

SUBJECT_TYPE = "help_ticket"


def _record(session: Session, ticket: HelpTicket, *, actor: str, action: str, at: datetime,
            detail: str | None = None) -> None:
    timeline.record(session, subject_type=SUBJECT_TYPE, subject_id=str(ticket.ticket_id), actor=actor, action=action,
                    detail=detail, at=at)


def report(
    *, session: Session, scope: Scope, enterprise_id: str, ticket_in: TicketCreate, actor: str, protocol: Protocol,
    at: datetime | None = None,
) -> HelpTicket:
    """File an enterprise's problem; it must be answered within the protocol's help_ticket_hours."""
    enterprise = enterprises.get(session=session, scope=scope, enterprise_id=enterprise_id)
    at = at or clock.now()
    ticket = HelpTicket(
        enterprise_id=enterprise.enterprise_id, category=ticket_in.category, description=ticket_in.description,
        reported_at=at, reported_by=actor, due_at=at + timedelta(hours=protocol.responsibility.help_ticket_hours),
        status=TicketStatus.open,
    )
    session.add(ticket)
    session.flush()
    task, _ = tasks.ensure(
        session=session, kind=TaskKind.help_ticket, subject_id=enterprise.enterprise_id,
        area_id=enterprises.community_of(session=session, building_id=enterprise.building_id), due_at=ticket.due_at,
        source_key=f"ticket:{ticket.ticket_id}", actor=actor, protocol=protocol, created_at=at,
        detail=f"{ticket.category.value}: {ticket.description[:200]}",
    )
    ticket.task_id = task.task_id
    _record(session, ticket, actor=actor, action="ticket.reported", at=at, detail=ticket.category.value)
    return ticket


def get(*, session: Session, scope: Scope, ticket_id: int) -> HelpTicket:
    query = enterprises.scoped(select(HelpTicket), scope, HelpTicket.enterprise_id)
    ticket = session.scalar(query.where(HelpTicket.ticket_id == ticket_id))
    if ticket is None:
        raise NotFound(f"no help ticket {ticket_id}")
    return ticket


def get_all(
    *, session: Session, scope: Scope, filters: TicketFilter, as_of: datetime | None = None, page: int = 1, size: int = 50
) -> tuple[list[HelpTicket], int]:
    """One page of the tickets the caller may see, by deadline; `overdue` = unanswered past due at `as_of`."""
    query = enterprises.scoped(select(HelpTicket), scope, HelpTicket.enterprise_id)
    if filters.enterprise_id is not None:
        query = query.where(HelpTicket.enterprise_id == filters.enterprise_id)
    if filters.status is not None:
        query = query.where(HelpTicket.status == filters.status)
    if filters.assignee is not None:
        query = query.where(HelpTicket.assignee == filters.assignee)
    if filters.overdue:
        as_of = as_of or clock.now()
        query = query.where(HelpTicket.due_at < as_of,
                            HelpTicket.status.in_([TicketStatus.open, TicketStatus.assigned]))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(HelpTicket.due_at, HelpTicket.ticket_id).offset((page - 1) * size).limit(size))
    return list(rows), total


def is_overdue(ticket: HelpTicket, *, as_of: datetime) -> bool:
    """Unanswered past its deadline at `as_of` (answered exactly at the deadline is on time)."""
    answered = ticket.answered_at
    return as_of > ticket.due_at and (answered is None or answered > as_of)


def assign(
    *, session: Session, ticket: HelpTicket, assignee: str, actor: str, origin: str | None = None,
    at: datetime | None = None,
) -> HelpTicket:
    """Give the ticket to an official; they are notified (through the outbox)."""
    rules.check_ticket_step(ticket.status, TicketStatus.assigned)
    at = at or clock.now()
    ticket.status, ticket.assignee, ticket.assigned_at = TicketStatus.assigned, assignee, at
    _record(session, ticket, actor=actor, action="ticket.assigned", at=at, detail=assignee)
    if ticket.task_id is not None:
        task = session.get(Task, ticket.task_id)
        if task is not None and task.status is TaskStatus.open:
            task.assignee = assignee
            timeline.record(session, subject_type="task", subject_id=str(task.task_id), actor=actor,
                            action="task.assigned", detail=assignee, at=at)
    notifications.enqueue(
        session=session, party=f"user:{assignee}", subject=f"Help ticket {ticket.ticket_id} for {ticket.enterprise_id}",
        body=f"{ticket.category.value}: {ticket.description}\nAnswer by {ticket.due_at.isoformat()}",
        source=f"{SUBJECT_TYPE}:{ticket.ticket_id}", at=at,
    )
    if origin is not None:
        audit.record(session, user=actor, action="ticket.assigned", subject=f"help_ticket:{ticket.ticket_id}",
                     origin=origin, detail=f"to {assignee}")
    return ticket


def answer(
    *, session: Session, ticket: HelpTicket, text: str, actor: str, origin: str | None = None, at: datetime | None = None
) -> HelpTicket:
    """Answer the enterprise; closes the ticket's task (on time or late by its deadline)."""
    rules.check_ticket_step(ticket.status, TicketStatus.answered)
    at = at or clock.now()
    ticket.status, ticket.answer, ticket.answered_at = TicketStatus.answered, text, at
    _record(session, ticket, actor=actor, action="ticket.answered", at=at,
            detail="on time" if at <= ticket.due_at else "late")
    tasks.complete_by_source(session=session, kind=TaskKind.help_ticket, source_key=f"ticket:{ticket.ticket_id}",
                             at=at, actor=actor)
    notifications.enqueue(session=session, party=f"enterprise:{ticket.enterprise_id}",
                          subject=f"Answer to help ticket {ticket.ticket_id}", body=text,
                          source=f"{SUBJECT_TYPE}:{ticket.ticket_id}", at=at)
    if origin is not None:
        audit.record(session, user=actor, action="ticket.answered", subject=f"help_ticket:{ticket.ticket_id}",
                     origin=origin)
    return ticket


def close(*, session: Session, ticket: HelpTicket, actor: str, at: datetime | None = None) -> HelpTicket:
    """The enterprise (or desk) closes the ticket."""
    rules.check_ticket_step(ticket.status, TicketStatus.closed)
    at = at or clock.now()
    ticket.status = TicketStatus.closed
    _record(session, ticket, actor=actor, action="ticket.closed", at=at)
    if ticket.answered_at is None:
        tasks.complete_by_source(session=session, kind=TaskKind.help_ticket, source_key=f"ticket:{ticket.ticket_id}",
                                 at=at, actor=actor)
    return ticket
