"""Isolation: sites with beds, occupancy and its projection, each site's rooms (htmx), the waiting list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.core.errors import NotFound
from ringfence.web.pages import CurrentVisitor, missing, refuse, render

router = APIRouter(include_in_schema=False)
FacilityId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]


@router.get("/isolation", response_class=HTMLResponse)
def isolation_page(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, Permission.ISOLATION_READ, current="isolation")) is not None:
        return refused
    from ringfence.isolation import occupancy
    from ringfence.protocols import service as protocols

    settings = request.app.state.settings
    today = clock.local_day(clock.now(), settings.tz)
    status = occupancy.status(session=session, today=today, protocol=protocols.load(settings.protocol),
                              scope=visitor.scope)
    sites = occupancy.facilities(session=session, scope=visitor.scope)
    return render(request, visitor, "sections/isolation.html", current="isolation", status=status, sites=sites)


@router.get("/isolation/facilities/{facility_id}/rooms", response_class=HTMLResponse)
def facility_rooms(request: Request, session: DbSession, visitor: CurrentVisitor, facility_id: FacilityId) -> Response:
    """One site's rooms and who is in them (an htmx fragment)."""
    if (refused := refuse(request, visitor, Permission.ISOLATION_READ, current="isolation")) is not None:
        return refused
    from ringfence.isolation import occupancy

    try:
        rooms = occupancy.rooms(session=session, scope=visitor.scope, facility_id=facility_id)
    except NotFound:
        return missing(request, visitor, current="isolation")
    return render(request, visitor, "sections/isolation_rooms.html", current="isolation", rooms=rooms,
                  facility_id=facility_id)
