"""`/api/tasks`: the caller's task list, a task and its history, closing and assigning, the SLA table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request

from ringfence.api.deps import DbSession, engine_of, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.core import clock
from ringfence.core.errors import InvalidInput
from ringfence.tasks import service
from ringfence.tasks.schemas import SlaRow, TaskAssign, TaskFilter, TaskRead, TaskRow

router = APIRouter(prefix="/tasks", tags=["tasks"])

# a numbered record in a path: within the store's integer range, so no id reaches the database as an overflow
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]

Reader = Annotated[Scope, Depends(scoped(Permission.TASK_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.TASK_EDIT))]


def aware_or_now(at: datetime | None, name: str = "as_of") -> datetime:
    """A time given with an offset, in UTC; now when absent. Shared by the command views."""
    if at is None:
        return clock.now()
    if at.tzinfo is None:
        raise InvalidInput(f"{name} needs a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{name} is out of range") from None


def deliver_notifications(background: BackgroundTasks, request: Request) -> None:
    """Send the outbox once the request's transaction has committed."""
    from ringfence.notifications.service import deliver_committed

    background.add_task(deliver_committed, engine_of(request.app))


@router.get("", response_model=Page[TaskRow])
def list_tasks(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[TaskFilter, Query()]
) -> Page[TaskRow]:
    """Tasks in the caller's subtree by due time; `overdue` and escalation judged as of `as_of` (default now)."""
    as_of = aware_or_now(filters.as_of)
    filters = filters.model_copy(update={"as_of": as_of})
    tasks, total = service.get_page(session=session, scope=scope, page=paging.page, size=paging.size,
                                    overdue_at=as_of if filters.overdue else None, filters=filters)
    return Page.of(service.rows(session=session, tasks=tasks, as_of=as_of), total, paging)


@router.get("/sla", response_model=list[SlaRow])
def sla_table(session: DbSession, scope: Reader, as_of: datetime | None = None) -> list[SlaRow]:
    """Per area and department: total, done, share done on time, median hours to done, overdue now."""
    return service.sla(session=session, scope=scope, as_of=aware_or_now(as_of))


@router.get("/{task_id}", response_model=TaskRead)
def get_task(task_id: RecordId, session: DbSession, scope: Reader) -> TaskRead:
    return service.read(session=session, task=service.get(session=session, scope=scope, task_id=task_id))


@router.post("/{task_id}/done", response_model=TaskRow)
def complete_task(task_id: RecordId, session: DbSession, scope: Editor) -> TaskRow:
    task = service.get(session=session, scope=scope, task_id=task_id)
    service.complete(session=session, task=task, at=clock.now(), actor=scope.actor, origin=scope.origin)
    return TaskRow.model_validate(task)


@router.post("/{task_id}/assign", response_model=TaskRow)
def assign_task(
    task_id: RecordId, assignment: TaskAssign, session: DbSession, scope: Editor, background: BackgroundTasks,
    request: Request,
) -> TaskRow:
    """Name the person answerable; they are notified once this is committed."""
    task = service.get(session=session, scope=scope, task_id=task_id)
    service.assign(session=session, task=task, assignee=assignment.assignee, unit=assignment.unit, actor=scope.actor,
                   origin=scope.origin)
    deliver_notifications(background, request)
    return TaskRow.model_validate(task)
