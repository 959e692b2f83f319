"""Tasks: my tasks, overdue, escalated, all in the jurisdiction; marking one done (htmx)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.core.errors import RingfenceError
from ringfence.tasks import service
from ringfence.tasks.models import TaskKind, TaskStatus
from ringfence.tasks.schemas import TaskFilter
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, gettext_of, is_htmx, pager, refuse, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


class TaskView(StrEnum):
    all = "all"
    mine = "mine"
    overdue = "overdue"
    escalated = "escalated"


VIEW_LABELS = {TaskView.all: "tasks.all", TaskView.mine: "tasks.mine", TaskView.overdue: "tasks.overdue",
               TaskView.escalated: "tasks.escalated"}


def parsed(kind: type[StrEnum], value: str | None, label: str, errors: list[str], _) -> StrEnum | None:
    """`value` as a member of `kind`; a message in `errors` (and None) when it names none."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        errors.append(f"{_(label)}: {_('not a valid choice')} ({value[:40]})")
        return None


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    view: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    overdue: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.TASK_READ, current="tasks")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    errors: list[str] = []
    chosen_view = parsed(TaskView, view, "View", errors, _) or (TaskView.overdue if overdue else TaskView.all)
    chosen_kind = parsed(TaskKind, kind, "Kind", errors, _)
    chosen_status = parsed(TaskStatus, status, "Status", errors, _)
    now = clock.now()
    filters = TaskFilter(kind=chosen_kind, status=chosen_status, as_of=now,
                         assignee=visitor.user.username if chosen_view is TaskView.mine else None)
    overdue_at = now if chosen_view is TaskView.overdue else None
    if chosen_view is TaskView.escalated:  # judged per task: every match first, then the page
        rows = [r for r in service.rows(session=session, as_of=now, tasks=service.get_all(
            session=session, scope=visitor.scope, filters=filters, overdue_at=overdue_at)) if r.escalated_to]
        total, rows = len(rows), rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    else:
        tasks, total = service.get_page(session=session, scope=visitor.scope, page=page, size=PAGE_SIZE,
                                        filters=filters, overdue_at=overdue_at)
        rows = service.rows(session=session, tasks=tasks, as_of=now)
    template = "sections/tasks_rows.html" if is_htmx(request) else "sections/tasks.html"
    return render(
        request, visitor, template, current="tasks",
        rows=rows, pager=pager(request, page, PAGE_SIZE, total), errors=errors,
        views=[(v.value, _(VIEW_LABELS[v])) for v in TaskView], view=chosen_view.value,
        kinds=[(k.value, _(k.value)) for k in TaskKind], kind=chosen_kind.value if chosen_kind else "",
        statuses=[(s.value, _(s.value)) for s in TaskStatus], status=chosen_status.value if chosen_status else "",
        now=now, can_edit=visitor.scope.can(Permission.TASK_EDIT),
    )


@router.post("/tasks/{task_id}/done", response_class=HTMLResponse)
def complete_task(
    request: Request, session: DbSession, visitor: CurrentVisitor, task_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Mark a task done; answers its row again (htmx swaps it in place)."""
    if (refused := refuse(request, visitor, Permission.TASK_EDIT, current="tasks")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    if not security.csrf_valid(request, csrf_token):
        return HTMLResponse(_("Your form expired. Reload the page and try again."), status_code=403)
    now = clock.now()
    try:
        task = service.get(session=session, scope=visitor.scope, task_id=task_id)
        service.complete(session=session, task=task, at=now, actor=visitor.scope.actor, origin=visitor.scope.origin)
    except RingfenceError as refusal:
        return HTMLResponse(f'<tr><td colspan="8" class="error" role="alert">{_escape(str(refusal))}</td></tr>',
                            status_code=refusal.status_code)
    row = service.rows(session=session, tasks=[task], as_of=now)[0]
    return render(request, visitor, "sections/task_row.html", current="tasks", row=row, now=now, can_edit=True)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
