"""Monitoring: sentinel alarms of a day (EARS and Farrington per district) and the follow-ups owed in the
jurisdiction (each person listed is audited, as the API does)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import audit, clock
from ringfence.web.pages import CurrentVisitor, pager, refuse, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/sentinel", response_class=HTMLResponse)
def sentinel_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    day: Annotated[date | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.SENTINEL_READ, current="sentinel")) is not None:
        return refused
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.reports import situation as read_side
    from ringfence.surveillance import service as surveillance

    settings, scope, now = request.app.state.settings, visitor.scope, clock.now()
    judged_day = day or clock.local_day(now, settings.tz) - timedelta(days=1)
    with open_store(settings) as store:
        alarms = surveillance.alarms(store=store, day=judged_day)
        owed = surveillance.followups(store=store, protocol=protocols.load(settings.protocol), as_of=now)
    rows = surveillance.visible_followups(owed.followups, scope)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    for row in shown:
        audit.record(session, user=scope.actor, action="sentinel.followups", subject=f"person:{row.person_id}",
                     origin=scope.origin, detail=f"web page {page}")
    names = {d.area_id: d.name for d in read_side.districts(session=session)}
    return render(request, visitor, "sections/sentinel.html", current="sentinel", alarms=alarms, day=judged_day,
                  followups=shown, names=names, pager=pager(request, page, PAGE_SIZE, len(rows)))
