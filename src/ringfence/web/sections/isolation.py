"""Isolation: sites with beds, occupancy and its projection, each site's rooms with who is in them (htmx),
the waiting list; placing a person in a site (a room, or the waiting list when full) and releasing a
placement, through the same services as `POST /api/placements` and `POST /api/placements/{id}/release`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ringfence.api.deps import DbSession
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.rules import Permission, Role, Scope
from ringfence.core import clock
from ringfence.core.errors import NotFound, RingfenceError
from ringfence.isolation import occupancy, release, rules
from ringfence.isolation import service as isolation_service
from ringfence.isolation.models import Facility
from ringfence.isolation.rules import PlacementKind, PlacementStatus
from ringfence.isolation.schemas import PlacementFilter
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, Visitor, gettext_of, is_htmx, missing, refuse, render
from ringfence.web.sections.isolation_forms import checked_placement

router = APIRouter(include_in_schema=False)
FacilityId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
PlacementId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormText = Annotated[str, Form(max_length=1000)]


def _protocol(request: Request):
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


def _today(request: Request) -> date:
    return clock.local_day(clock.now(), request.app.state.settings.tz)


def may_place(scope: Scope, facility_id: str) -> bool:
    """Whether the caller may place people in (and release them from) this site: an isolation manager their own."""
    return scope.can(Permission.ISOLATION_EDIT) and (scope.role is not Role.isolation or scope.unit_id == facility_id)


@router.get("/isolation", response_class=HTMLResponse)
def isolation_page(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, Permission.ISOLATION_READ, current="isolation")) is not None:
        return refused
    sites = occupancy.facilities(session=session, scope=visitor.scope)
    shown_rooms = _rooms_context(session, visitor.scope, sites[0].facility_id) if len(sites) == 1 else {}
    return _whole_page(request, session, visitor, sites=sites, **shown_rooms)


@router.get("/isolation/facilities/{facility_id}/rooms", response_class=HTMLResponse)
def facility_rooms(request: Request, session: DbSession, visitor: CurrentVisitor, facility_id: FacilityId) -> Response:
    """One site's rooms and who is in them, with the placing form for those who may place (an htmx fragment)."""
    if (refused := refuse(request, visitor, Permission.ISOLATION_READ, current="isolation")) is not None:
        return refused
    try:
        context = _rooms_context(session, visitor.scope, facility_id)
    except NotFound:
        return missing(request, visitor, current="isolation")
    if not is_htmx(request):
        return _whole_page(request, session, visitor, **context)
    return render(request, visitor, "sections/isolation_rooms.html", current="isolation", **context)


@router.post("/isolation/facilities/{facility_id}/placements", response_class=HTMLResponse)
def place_person(
    request: Request, session: DbSession, visitor: CurrentVisitor, facility_id: FacilityId,
    person_id: FormText = "", room_id: FormText = "", until: FormText = "", reason: FormText = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Place a person in this site: the room asked for, else a free one, else the waiting list (as the service does)."""
    if (refused := refuse(request, visitor, Permission.ISOLATION_EDIT, current="isolation")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    if not security.csrf_valid(request, csrf_token):
        return _expired(_)
    scope = visitor.scope
    if not may_place(scope, facility_id) or facility_id not in occupancy.visible_facility_ids(session=session, scope=scope):
        return missing(request, visitor, current="isolation")
    entered = {"person_id": person_id.strip(), "room_id": room_id.strip(), "until": until.strip(),
               "reason": reason.strip()}
    today = _today(request)
    errors, wanted = checked_placement(session, facility_id=facility_id, entered=entered, today=today, _=_)
    if wanted is None:
        return _rooms_answer(request, session, visitor, facility_id, status_code=422, entered=entered, errors=errors)
    protocol, now = _protocol(request), clock.now()
    plan = rules.schedule(PlacementKind.central, today, protocol)
    last_day = wanted.until or plan.until
    try:
        placement = isolation_service.place(
            session=session, person_id=wanted.person_id, kind=PlacementKind.central, start=today, until=last_day,
            test_dates=[d for d in plan.test_dates if d <= last_day], actor=scope.actor, reason=wanted.reason,
            facility_id=facility_id, room_id=wanted.room_id, as_of=now, origin=scope.origin, protocol=protocol,
        )
    except RingfenceError as refusal:  # what the checks could not foresee (a bed taken meanwhile)
        return _rooms_answer(request, session, visitor, facility_id, status_code=422, entered=entered,
                             errors={"form": f"{_('The placement was refused')}: {refusal}"})
    if placement.status is PlacementStatus.waiting:
        notice = _("No free room: %(person)s is on the waiting list of this site.") % {"person": placement.person_id}
    else:
        notice = _("%(person)s placed in room %(room)s until %(until)s.") % {
            "person": placement.person_id, "room": placement.room_id, "until": placement.until.isoformat()}
    return _rooms_answer(request, session, visitor, facility_id, notice=notice)


@router.post("/isolation/placements/{placement_id}/release", response_class=HTMLResponse)
def release_placement(
    request: Request, session: DbSession, visitor: CurrentVisitor, placement_id: PlacementId,
    reason: FormText = "", shown_in: Annotated[str, Form(max_length=20)] = "rooms",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """End a placement now: a placed person leaves their room (the bed frees at once), a waiting one leaves the
    list. Answers the site's rooms, or the waiting-list row the button was in."""
    if (refused := refuse(request, visitor, Permission.ISOLATION_EDIT, current="isolation")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    if not security.csrf_valid(request, csrf_token):
        return _expired(_)
    scope = visitor.scope
    try:
        placement = isolation_service.get(session=session, scope=scope, placement_id=placement_id)
    except NotFound:
        return missing(request, visitor, current="isolation")
    reason = reason.strip()
    if len(reason) > 300:
        return _released(request, session, visitor, placement, shown_in, status_code=422,
                         refusal=_("Reason: at most 300 characters."))
    room_id, was_waiting = placement.room_id, placement.status is PlacementStatus.waiting
    ending = PlacementStatus.lapsed if was_waiting else PlacementStatus.released
    try:
        release.end(session=session, placement=placement, status=ending, actor=scope.actor, at=clock.now(),
                    reason=reason or "released by hand", origin=scope.origin)
    except RingfenceError:  # already ended (by the daily step, or by a colleague meanwhile)
        return _released(request, session, visitor, placement, shown_in, status_code=409,
                         refusal=_("This placement has already ended."))
    if was_waiting:
        notice = _("%(person)s is off the waiting list.") % {"person": placement.person_id}
    elif room_id is None:
        notice = _("%(person)s released from isolation.") % {"person": placement.person_id}
    else:
        notice = _("%(person)s released from room %(room)s.") % {"person": placement.person_id, "room": room_id}
    return _released(request, session, visitor, placement, shown_in, notice=notice)


def _released(request: Request, session: Session, visitor: Visitor, placement, shown_in: str, *,
              status_code: int = 200, refusal: str | None = None, notice: str | None = None) -> Response:
    """A release's answer where its button was: the waiting-list row, or the site's rooms (the whole page for a
    browser without scripts)."""
    if not is_htmx(request) and (shown_in == "waiting" or placement.facility_id is None):
        return _whole_page(request, session, visitor, status_code=status_code, page_message=refusal or notice,
                           page_failed=refusal is not None)
    if shown_in == "waiting" or placement.facility_id is None:
        refreshed = _summary(request, session, visitor, waiting=False) if refusal is None else {}
        return render(request, visitor, "sections/isolation_waiting_answer.html", status_code=status_code,
                      current="isolation", w=placement, message=refusal or notice, failed=refusal is not None,
                      **refreshed)
    if refusal is not None:
        return _rooms_answer(request, session, visitor, placement.facility_id, status_code=status_code,
                             errors={"form": refusal})
    return _rooms_answer(request, session, visitor, placement.facility_id, notice=notice)


# --- answers ------------------------------------------------------------------------------------


def _expired(_) -> HTMLResponse:
    return HTMLResponse(f'<p class="error" role="alert">{_("Your form expired. Reload the page and try again.")}</p>',
                        status_code=403)


def _rooms_context(session: Session, scope: Scope, facility_id: str) -> dict[str, Any]:
    """A visible site's rooms (NotFound otherwise) with the people placed in each, the caller may see."""
    rooms = occupancy.rooms(session=session, scope=scope, facility_id=facility_id)
    beds = sum(r.capacity for r in rooms)
    placed, _total = isolation_service.get_all(
        session=session, scope=scope, filters=PlacementFilter(facility_id=facility_id, status=PlacementStatus.placed),
        page=1, size=max(beds, 1),
    )
    occupants: dict[str, list] = {}
    for placement in sorted(placed, key=lambda p: p.person_id):
        occupants.setdefault(placement.room_id, []).append(placement)
    facility = session.get(Facility, facility_id)
    return {"rooms": rooms, "facility_id": facility_id, "facility_name": facility.name if facility else facility_id,
            "occupants": occupants, "can_place": may_place(scope, facility_id)}


def _summary(request: Request, session: Session, visitor: Visitor, *, waiting: bool = True) -> dict[str, Any]:
    """The page's figures, sites, projection and (unless `waiting` is False) waiting list, for htmx to refresh
    out of band after a change."""
    status = occupancy.status(session=session, today=_today(request), protocol=_protocol(request), scope=visitor.scope)
    return {"status": status, "sites": occupancy.facilities(session=session, scope=visitor.scope), "oob": True,
            "oob_waiting": waiting, "can_release_waiting": visitor.scope.can(Permission.ISOLATION_EDIT)}


def _whole_page(request: Request, session: Session, visitor: Visitor, *, status_code: int = 200,
                **context: Any) -> Response:
    summary = {**_summary(request, session, visitor), "oob": False}
    return render(request, visitor, "sections/isolation.html", status_code=status_code, current="isolation",
                  **{**summary, **context})


def _rooms_answer(request: Request, session: Session, visitor: Visitor, facility_id: str, *, status_code: int = 200,
                  **context: Any) -> Response:
    """After a placement or a release: the site's rooms again (and the page's figures out of band) for htmx,
    the whole page for a browser without scripts."""
    rooms = _rooms_context(session, visitor.scope, facility_id)
    if not is_htmx(request):
        return _whole_page(request, session, visitor, status_code=status_code, **rooms, **context)
    refreshed = _summary(request, session, visitor) if status_code == 200 else {}
    return render(request, visitor, "sections/isolation_rooms.html", status_code=status_code, current="isolation",
                  **rooms, **refreshed, **context)
