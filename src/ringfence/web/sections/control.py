"""Control: risk areas with their lifting clocks (approve), screening rounds with the door-knocking list.
Each list comes scoped from its domain service (supplies live in `supplies.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.core.errors import NotFound, RingfenceError
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, gettext_of, refuse, render

router = APIRouter(include_in_schema=False)
AreaId = Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("/zones", response_class=HTMLResponse)
def zones_page(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, Permission.ZONE_READ, current="zones")) is not None:
        return refused
    from ringfence.zones import service as zones_service
    from ringfence.zones.schemas import ZoneFilter

    zones, total = zones_service.get_all(session=session, scope=visitor.scope, filters=ZoneFilter(), page=1, size=500)
    order = {"high": 0, "medium": 1, "low": 2}
    zones = sorted(zones, key=lambda z: (order.get(z.level.value, 3), z.unit_id))
    return render(request, visitor, "sections/zones.html", current="zones", zones=zones, total=total,
                  can_approve=visitor.scope.can(Permission.ZONE_APPROVE))


@router.post("/zones/{zone_id}/approve", response_class=HTMLResponse)
def approve_zone(
    request: Request, session: DbSession, visitor: CurrentVisitor, zone_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    if (refused := refuse(request, visitor, Permission.ZONE_APPROVE, current="zones")) is not None:
        return refused
    from ringfence.zones import service as zones_service

    _ = gettext_of(request, visitor)
    if not security.csrf_valid(request, csrf_token):
        return HTMLResponse(_("Your form expired. Reload the page and try again."), status_code=403)
    try:
        zone = zones_service.approve(session=session, scope=visitor.scope, zone_id=zone_id, at=clock.now())
    except RingfenceError as refusal:
        from markupsafe import escape

        return HTMLResponse(f'<tr><td colspan="8" class="error" role="alert">{escape(str(refusal))}</td></tr>',
                            status_code=refusal.status_code)
    return render(request, visitor, "sections/zone_row.html", current="zones", z=zone, can_approve=True)


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, session: DbSession, visitor: CurrentVisitor, area: AreaId = None,
    hours: Annotated[int, Query(ge=1, le=24 * 14)] = 24,
) -> Response:
    """The rounds with their coverage, and the door-knocking list of one area: residents with no sample
    since `hours` ago, by building."""
    if (refused := refuse(request, visitor, Permission.SCREENING_READ, current="screening")) is not None:
        return refused
    from ringfence.eventlog.store import open_store
    from ringfence.testing import flows as testing_flows
    from ringfence.testing import service as testing

    scope, settings, now = visitor.scope, request.app.state.settings, clock.now()
    rounds = testing.get_rounds(session=session, scope=scope)
    knocking, error = None, None
    with open_store(settings) as store:
        coverage = [testing.coverage(session=session, store=store, screening_round=r, as_of=now) for r in rounds[:20]]
        if area:
            since: datetime = now - timedelta(hours=hours)
            try:
                knocking = testing.uncovered(session=session, store=store, scope=scope, area_id=area, since=since,
                                             as_of=now, statuses=testing_flows.person_statuses(session=session))
            except NotFound:
                error = gettext_of(request, visitor)("There is no such record in your jurisdiction.")
            else:
                testing.audit_listing(session=session, scope=scope, action="screening.uncovered",
                                      person_ids=[r.person_id for r in knocking.uncovered],
                                      detail=f"area {area} since {since.isoformat()} (web)")
    return render(request, visitor, "sections/screening.html", current="screening", coverage=coverage,
                  knocking=knocking, area=area or "", hours=hours, error=error)

