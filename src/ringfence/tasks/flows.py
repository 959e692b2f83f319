"""The respond steps of command and accountability: cases to investigate, escalation, notification.

Each takes the session and the respond `Context`, is idempotent, and returns counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Building
from ringfence.cases.models import Case, CaseStatus
from ringfence.people.models import Person
from ringfence.tasks import rules
from ringfence.tasks import service as tasks
from ringfence.tasks.models import Task, TaskKind

if TYPE_CHECKING:
    from ringfence.respond import Context


def case_source_key(case_id: int) -> str:
    """The source key of a case's investigation task (for other steps that close it)."""
    return f"case:{case_id}"


def investigate_cases(session: Session, context: Context) -> dict[str, int]:
    """Every case confirmed by `as_of` gets an investigation task, due `deadlines.investigate_case` h after."""
    hours = context.protocol.deadlines.investigate_case
    pending = session.execute(
        select(Case.case_id, Case.person_id, Case.confirmed_at, Building.community_id)
        .outerjoin(Person, Person.person_id == Case.person_id)
        .outerjoin(Building, Building.building_id == Person.building_id)
        .outerjoin(Task, and_(Task.kind == TaskKind.investigate_case,
                              Task.source_key == "case:" + Case.case_id.cast(Task.source_key.type)))
        .where(Case.confirmed_at <= context.as_of, Case.status != CaseStatus.discarded, Task.task_id.is_(None))
        .order_by(Case.case_id)
    ).all()
    created = 0
    for case_id, person_id, confirmed_at, community_id in pending:
        _, new = tasks.ensure(
            session=session, kind=TaskKind.investigate_case, subject_id=person_id, area_id=community_id,
            due_at=rules.due_after(confirmed_at, hours), source_key=case_source_key(case_id),
            actor=context.actor, protocol=context.protocol, created_at=context.as_of,
            detail=f"case {case_id} confirmed {confirmed_at.isoformat()}",
        )
        created += new
    return {"investigate_case": created}


def escalate_overdue(session: Session, context: Context) -> dict[str, int]:
    """Raise overdue tasks as of `as_of` (see `tasks.service.escalate`)."""
    raised = tasks.escalate(session=session, as_of=context.as_of, protocol=context.protocol, actor=context.actor)
    return {"escalated": raised}


def deliver_notifications(session: Session, context: Context) -> dict[str, int]:
    """Send what the earlier steps (already committed) put in the outbox, through the configured senders."""
    from ringfence.notifications import service as notifications

    return notifications.deliver_pending(session=session)
