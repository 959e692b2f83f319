"""Economy and accountability: whitelisted enterprises and their help tickets, supervision inspections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.web.pages import CurrentVisitor, pager, refuse, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    overdue: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.ENTERPRISE_READ, current="enterprises")) is not None:
        return refused
    from ringfence.enterprises import service as enterprises
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import EnterpriseFilter, TicketFilter

    now = clock.now()
    firms, total = enterprises.get_all(session=session, scope=visitor.scope, filters=EnterpriseFilter(), page=page,
                                       size=PAGE_SIZE)
    asked, asked_total = tickets.get_all(session=session, scope=visitor.scope, filters=TicketFilter(overdue=overdue),
                                         as_of=now, page=1, size=PAGE_SIZE)
    late = {t.ticket_id for t in asked if tickets.is_overdue(t, as_of=now)}
    return render(request, visitor, "sections/enterprises.html", current="enterprises", firms=firms,
                  pager=pager(request, page, PAGE_SIZE, total), tickets=asked, tickets_total=asked_total, late=late,
                  overdue=overdue)


@router.get("/inspections", response_class=HTMLResponse)
def inspections_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.SUPERVISION_READ, current="inspections")) is not None:
        return refused
    from ringfence.supervision import service as supervision

    found, total = supervision.get_all(session=session, scope=visitor.scope, page=page, size=PAGE_SIZE)
    findings = {i.inspection_id: supervision.findings_of(session=session, inspection=i) for i in found}
    repeated = supervision.repeated_findings(session=session, scope=visitor.scope)
    return render(request, visitor, "sections/inspections.html", current="inspections", inspections=found,
                  findings=findings, repeated=repeated, pager=pager(request, page, PAGE_SIZE, total))
