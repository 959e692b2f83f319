"""Economy and accountability: whitelisted enterprises and their help tickets (report, assign, answer,
close), and supervision inspections (`economy_inspections`). The same service functions, permissions
and jurisdiction as `/api/enterprises`, `/api/help-tickets` and `/api/inspections`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.core.errors import NotFound, RingfenceError
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, Visitor, gettext_of, is_htmx, missing, pager, refuse, render
from ringfence.web.sections import economy_forms as forms
from ringfence.web.sections import economy_inspections
from ringfence.web.sections.economy_inspections import PostedForm, RecordId

router = APIRouter(include_in_schema=False)
router.include_router(economy_inspections.router)
PAGE_SIZE = 50
FIRM_CHOICES = 200  # enterprises offered in the help-ticket form


@dataclass
class TicketForm:
    entered: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class TicketFailure:
    """A refused action on one ticket, shown again in its row."""

    ticket_id: int
    action: str
    entered: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def _protocol(request: Request):
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


def _desk(request: Request, session, visitor: Visitor, *, overdue: bool = False) -> dict:
    """The help desk's context: the tickets (first page by deadline), which are late, what the visitor may do."""
    from ringfence.enterprises import service as enterprises
    from ringfence.enterprises import tickets
    from ringfence.enterprises.models import TicketCategory
    from ringfence.enterprises.schemas import EnterpriseFilter, TicketFilter

    _ = gettext_of(request, visitor)
    scope, now = visitor.scope, clock.now()
    asked, asked_total = tickets.get_all(session=session, scope=scope, filters=TicketFilter(overdue=overdue),
                                         as_of=now, page=1, size=PAGE_SIZE)
    can_report = scope.can(Permission.ENTERPRISE_EDIT)
    own = []
    if can_report:
        own, _total = enterprises.get_all(session=session, scope=scope, filters=EnterpriseFilter(), size=FIRM_CHOICES)
    return {
        "tickets": asked, "tickets_total": asked_total, "overdue": overdue,
        "late_ids": {t.ticket_id for t in asked if tickets.is_overdue(t, as_of=now)},
        "can_report": can_report, "can_close": can_report, "can_handle": scope.can(Permission.TASK_EDIT),
        "own_firms": [(e.enterprise_id, f"{e.enterprise_id} · {e.name}") for e in own],
        "categories": [(c.value, forms.option_label(_, "ticket", c.value)) for c in TicketCategory], "ticket_form": TicketForm(),
    }


def _page(request: Request, session, visitor: Visitor, *, page: int = 1, overdue: bool = False,
          status_code: int = 200, **context) -> Response:
    from ringfence.enterprises import service as enterprises
    from ringfence.enterprises.schemas import EnterpriseFilter

    firms, total = enterprises.get_all(session=session, scope=visitor.scope, filters=EnterpriseFilter(), page=page,
                                       size=PAGE_SIZE)
    template = "sections/enterprises_body.html" if is_htmx(request) else "sections/enterprises.html"
    return render(request, visitor, template, status_code=status_code, current="enterprises", firms=firms,
                  pager=pager(request, page, PAGE_SIZE, total),
                  **{**_desk(request, session, visitor, overdue=overdue), **context})


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    overdue: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.ENTERPRISE_READ, current="enterprises")) is not None:
        return refused
    return _page(request, session, visitor, page=page, overdue=overdue)


@router.post("/enterprises/tickets", response_class=HTMLResponse)
def report_ticket(request: Request, session: DbSession, visitor: CurrentVisitor, posted: PostedForm) -> Response:
    """An enterprise files a problem: it gets a deadline and a task; a refusal shows the form again (422)."""
    if (refused := refuse(request, visitor, Permission.ENTERPRISE_EDIT, current="enterprises")) is not None:
        return refused
    from ringfence.enterprises import tickets

    _ = gettext_of(request, visitor)
    checked = forms.ticket(posted, _)
    if not security.csrf_valid(request, forms.text_of(posted, security.CSRF_FIELD, 200)):
        form = TicketForm(entered=checked.entered, errors={"form": _("Your form expired. Reload the page and try again.")})
        return _desk_answer(request, session, visitor, status_code=403, ticket_form=form)
    if not checked.valid:
        return _desk_answer(request, session, visitor, status_code=422,
                            ticket_form=TicketForm(entered=checked.entered, errors=checked.errors))
    try:
        ticket = tickets.report(session=session, scope=visitor.scope, enterprise_id=checked.entered["enterprise_id"],
                                ticket_in=checked.value, actor=visitor.scope.actor, protocol=_protocol(request))
    except NotFound:
        session.rollback()
        form = TicketForm(entered=checked.entered,
                          errors={"enterprise_id": _("There is no such enterprise in your jurisdiction.")})
        return _desk_answer(request, session, visitor, status_code=422, ticket_form=form)
    except RingfenceError as refusal:
        session.rollback()
        form = TicketForm(entered=checked.entered, errors={"form": str(refusal)})
        return _desk_answer(request, session, visitor, status_code=refusal.status_code, ticket_form=form)
    return _desk_answer(request, session, visitor, reported=ticket)


def _desk_answer(request: Request, session, visitor: Visitor, *, status_code: int = 200, **context) -> Response:
    """The help desk again (htmx swaps #tickets-area), or the whole page for a browser without scripts."""
    if not is_htmx(request):
        return _page(request, session, visitor, status_code=status_code, **context)
    return render(request, visitor, "sections/enterprises_tickets.html", status_code=status_code,
                  current="enterprises", **{**_desk(request, session, visitor), **context})


def _ticket_step(request: Request, session, visitor: Visitor, ticket_id: int, posted, action: str,
                 background: BackgroundTasks | None = None) -> Response:
    """Assign, answer or close one ticket; answers its row again (htmx swaps it in place)."""
    from ringfence.auth import service as auth_service
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketAnswer, TicketAssign

    _ = gettext_of(request, visitor)
    scope = visitor.scope
    try:
        ticket = tickets.get(session=session, scope=scope, ticket_id=ticket_id)
    except NotFound:
        return _absent(request, visitor)
    failure = TicketFailure(ticket_id=ticket_id, action=action)
    status_code = 200
    if not security.csrf_valid(request, forms.text_of(posted, security.CSRF_FIELD, 200)):
        failure.problem, status_code = _("Your form expired. Reload the page and try again."), 403
    else:
        schema, name = {"assign": (TicketAssign, "assignee"), "answer": (TicketAnswer, "answer")}.get(action, (None, None))
        checked = forms.one_text(posted, schema, name, _) if schema else None
        if checked is not None:
            failure.entered = checked.entered
        if checked is not None and not checked.valid:
            failure.errors, status_code = checked.errors, 422
        elif action == "assign" and not _active_user(auth_service, session, checked.value.assignee):
            failure.errors, status_code = {"assignee": _("No active user has this username.")}, 422
        else:
            try:
                if action == "assign":
                    tickets.assign(session=session, ticket=ticket, assignee=checked.value.assignee, actor=scope.actor,
                                   origin=scope.origin)
                elif action == "answer":
                    tickets.answer(session=session, ticket=ticket, text=checked.value.answer, actor=scope.actor,
                                   origin=scope.origin)
                else:
                    tickets.close(session=session, ticket=ticket, actor=scope.actor, at=clock.now())
                failure = None
            except RingfenceError as refusal:
                session.rollback()
                ticket = tickets.get(session=session, scope=scope, ticket_id=ticket_id)
                failure.problem, status_code = str(refusal), refusal.status_code
    if failure is None and background is not None:
        from ringfence.tasks.views import deliver_notifications

        deliver_notifications(background, request)
    if not is_htmx(request):
        return _page(request, session, visitor, status_code=status_code, failure=failure)
    now = clock.now()
    return render(request, visitor, "sections/enterprises_ticket_row.html", status_code=status_code,
                  current="enterprises", t=ticket, failure=failure,
                  late_ids={ticket.ticket_id} if tickets.is_overdue(ticket, as_of=now) else set(),
                  can_handle=scope.can(Permission.TASK_EDIT), can_close=scope.can(Permission.ENTERPRISE_EDIT))


def _active_user(auth_service, session, username: str) -> bool:
    user = auth_service.get_by_username(session=session, username=username)
    return user is not None and user.active


@router.post("/enterprises/tickets/{ticket_id}/assign", response_class=HTMLResponse)
def assign_ticket(request: Request, session: DbSession, visitor: CurrentVisitor, ticket_id: RecordId,
                  posted: PostedForm, background: BackgroundTasks) -> Response:
    """Give the ticket to an official (notified once this is committed)."""
    if (refused := refuse(request, visitor, Permission.TASK_EDIT, current="enterprises")) is not None:
        return refused
    return _ticket_step(request, session, visitor, ticket_id, posted, "assign", background)


@router.post("/enterprises/tickets/{ticket_id}/answer", response_class=HTMLResponse)
def answer_ticket(request: Request, session: DbSession, visitor: CurrentVisitor, ticket_id: RecordId,
                  posted: PostedForm, background: BackgroundTasks) -> Response:
    """Answer the enterprise (closes the ticket's task; the enterprise is notified)."""
    if (refused := refuse(request, visitor, Permission.TASK_EDIT, current="enterprises")) is not None:
        return refused
    return _ticket_step(request, session, visitor, ticket_id, posted, "answer", background)


@router.post("/enterprises/tickets/{ticket_id}/close", response_class=HTMLResponse)
def close_ticket(request: Request, session: DbSession, visitor: CurrentVisitor, ticket_id: RecordId,
                 posted: PostedForm) -> Response:
    """The enterprise closes its ticket."""
    if (refused := refuse(request, visitor, Permission.ENTERPRISE_EDIT, current="enterprises")) is not None:
        return refused
    return _ticket_step(request, session, visitor, ticket_id, posted, "close")


def _absent(request: Request, visitor: Visitor) -> Response:
    """404 for a ticket outside the jurisdiction: the page, or the row htmx swaps in."""
    if not is_htmx(request):
        return missing(request, visitor, current="enterprises")
    text = escape(gettext_of(request, visitor)("There is no such record in your jurisdiction."))
    return HTMLResponse(f'<tr><td colspan="9" class="error" role="alert">{text}</td></tr>', status_code=404)
