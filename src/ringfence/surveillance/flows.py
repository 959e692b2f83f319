"""Sentinel work reaching into other capabilities: follow-up tasks (the `sentinel_followup` respond step).

Every follow-up not yet tested becomes a task for the person's community as soon as it is seen
(due `deadlines.sentinel_followup` hours after the purchase or visit), so the community can still
meet the deadline; it is closed, at the sample's time, once a sample inside the window appears.
A follow-up that is missed stays open, overdue, and is escalated like every other task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.surveillance import rules, service
from ringfence.surveillance.rules import FollowUpStatus

if TYPE_CHECKING:
    from ringfence.respond import Context


def derive_followups(session: Session, context: Context) -> dict[str, int]:
    """A task per sentinel follow-up not yet tested; tasks of follow-ups since tested are closed."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    document = service.followups(store=context.events, protocol=context.protocol, as_of=context.as_of)
    communities = {row.community_id for row in document.followups if row.community_id}
    known = set(session.scalars(select(Area.area_id).where(Area.area_id.in_(sorted(communities))))) if communities else set()
    figures = {"followups": len(document.followups), "tested": 0, "pending": 0, "missed": 0,
               "tasks_created": 0, "tasks_done": 0}
    for row in document.followups:
        figures[row.status.value] += 1
        key = rules.followup_key(row.site_id, row.person_id, row.occurred_at)
        if row.status is FollowUpStatus.tested:
            task = tasks.get_by_source(session=session, kind=TaskKind.sentinel_followup, source_key=key)
            if task is not None and task.status.value == "open":
                tasks.complete(session=session, task=task, at=row.tested_at, actor=context.actor)
                figures["tasks_done"] += 1
            continue
        _, created = tasks.ensure(
            session=session, kind=TaskKind.sentinel_followup, subject_id=row.person_id,
            area_id=row.community_id if row.community_id in known else None,
            due_at=rules.task_due(row.occurred_at, context.protocol), source_key=key, actor=context.actor,
            protocol=context.protocol, created_at=context.as_of,
            detail=(f"{rules.categories_text(row.categories)} at {row.site_kind} {row.site_id} "
                    f"{row.occurred_at.isoformat()}: test by {row.test_by.isoformat()}"),
        )
        figures["tasks_created"] += created
    return figures
