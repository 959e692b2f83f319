"""`/api/facilities`, `/api/placements`, `/api/isolation/status`: thin; the services scope and audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.auth.rules import Permission, Role, Scope
from ringfence.core import clock
from ringfence.core.errors import Forbidden, NotFound
from ringfence.isolation import occupancy, release, rules
from ringfence.isolation import service as isolation_service
from ringfence.isolation.schemas import (
    FacilityRead,
    IsolationStatus,
    PlacementCreate,
    PlacementEnd,
    PlacementFilter,
    PlacementRead,
    RoomRead,
)

facilities_router = APIRouter(prefix="/facilities", tags=["isolation"])
placements_router = APIRouter(prefix="/placements", tags=["isolation"])
status_router = APIRouter(prefix="/isolation", tags=["isolation"])

Reader = Annotated[Scope, Depends(scoped(Permission.ISOLATION_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.ISOLATION_EDIT))]
PlacementId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _protocol(request: Request):
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


@facilities_router.get("", response_model=Page[FacilityRead])
def list_facilities(session: DbSession, scope: Reader, paging: Paging) -> Page[FacilityRead]:
    shown = occupancy.facilities(session=session, scope=scope)
    start = (paging.page - 1) * paging.size
    return Page.of(shown[start:start + paging.size], len(shown), paging)


@facilities_router.get("/{facility_id}", response_model=FacilityRead)
def get_facility(facility_id: PathId, session: DbSession, scope: Reader) -> FacilityRead:
    found = [f for f in occupancy.facilities(session=session, scope=scope) if f.facility_id == facility_id]
    if not found:
        raise NotFound(f"no facility {facility_id!r}")
    return found[0]


@facilities_router.get("/{facility_id}/rooms", response_model=Page[RoomRead])
def list_rooms(facility_id: PathId, session: DbSession, scope: Reader, paging: Paging) -> Page[RoomRead]:
    shown = occupancy.rooms(session=session, scope=scope, facility_id=facility_id)
    start = (paging.page - 1) * paging.size
    return Page.of(shown[start:start + paging.size], len(shown), paging)


@status_router.get("/status", response_model=IsolationStatus)
def isolation_status(
    request: Request, session: DbSession, scope: Reader,
    day: Annotated[date | None, Query(description="project from this day (default: today)")] = None,
) -> IsolationStatus:
    today = day or clock.local_day(clock.now(), request.app.state.settings.tz)
    return occupancy.status(session=session, today=today, protocol=_protocol(request), scope=scope)


@placements_router.get("", response_model=Page[PlacementRead])
def list_placements(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[PlacementFilter, Query()]
) -> Page[PlacementRead]:
    rows, total = isolation_service.get_all(
        session=session, scope=scope, filters=filters, page=paging.page, size=paging.size
    )
    return Page.of([PlacementRead.model_validate(p) for p in rows], total, paging)


@placements_router.get("/{placement_id}", response_model=PlacementRead)
def get_placement(placement_id: PlacementId, session: DbSession, scope: Reader) -> PlacementRead:
    return PlacementRead.model_validate(isolation_service.get(session=session, scope=scope, placement_id=placement_id))


@placements_router.post("", response_model=PlacementRead, status_code=201)
def create_placement(
    placement_in: PlacementCreate, request: Request, session: DbSession, scope: Editor
) -> PlacementRead:
    """Place a person; an isolation manager places into their own facility only."""
    facility_id = placement_in.facility_id
    if scope.role is Role.isolation:
        if scope.unit_id is None or placement_in.kind is rules.PlacementKind.home:
            raise Forbidden("an isolation manager places people in their own facility only")
        if facility_id not in (None, scope.unit_id):
            raise NotFound(f"no facility {facility_id!r}")
        facility_id = scope.unit_id
    now = clock.now()
    start = placement_in.start or clock.local_day(now, request.app.state.settings.tz)
    plan = rules.schedule(placement_in.kind, start, _protocol(request))
    until = placement_in.until or plan.until
    placement = isolation_service.place(
        session=session, person_id=placement_in.person_id, kind=placement_in.kind, start=start,
        until=until, test_dates=[d for d in plan.test_dates if d <= until], actor=scope.actor,
        reason=placement_in.reason, facility_id=facility_id, room_id=placement_in.room_id, as_of=now,
        origin=scope.origin,
    )
    return PlacementRead.model_validate(placement)


@placements_router.post("/{placement_id}/release", response_model=PlacementRead)
def release_placement(
    placement_id: PlacementId, end_in: PlacementEnd, session: DbSession, scope: Editor
) -> PlacementRead:
    """End an active placement now (early release, transfer): the bed frees at once."""
    placement = isolation_service.get(session=session, scope=scope, placement_id=placement_id)
    ending = rules.PlacementStatus.lapsed if placement.status is rules.PlacementStatus.waiting else rules.PlacementStatus.released
    release.end(session=session, placement=placement, status=ending, actor=scope.actor, at=clock.now(),
                          reason=end_in.reason or "released by hand", origin=scope.origin)
    return PlacementRead.model_validate(placement)
