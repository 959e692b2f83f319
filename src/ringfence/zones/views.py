"""`/api/zones`, `/api/zones/{id}/approve`, `/api/zones.geojson`: thin; the service scopes and records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.core import clock
from ringfence.core.errors import InvalidInput
from ringfence.zones import geojson
from ringfence.zones import service as zones
from ringfence.zones.rules import ZoneState
from ringfence.zones.schemas import Delineation, ZoneFilter, ZoneRead, ZoneRow, ZoneStatusDocument

router = APIRouter(prefix="/zones", tags=["zones"])
geojson_router = APIRouter(tags=["zones"])

Reader = Annotated[Scope, Depends(scoped(Permission.ZONE_READ))]
Approver = Annotated[Scope, Depends(scoped(Permission.ZONE_APPROVE))]
ZoneId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AsOf = Annotated[datetime | None, Query(description="as of this time (default: now); naive = local time")]


def _computed(request: Request, session, scope: Scope, as_of: datetime | None) -> tuple[datetime, list[ZoneState]]:
    """The zones the rules draw as of `as_of`, inside the caller's jurisdiction."""
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols

    settings = request.app.state.settings
    at = clock.now() if as_of is None else (as_of if as_of.tzinfo else as_of.replace(tzinfo=settings.tz))
    if not 1970 <= at.year <= 9000:
        raise InvalidInput("as_of must lie between the years 1970 and 9000")
    with open_store(settings) as store:
        states = zones.delineate(session=session, store=store, protocol=protocols.load(settings.protocol),
                                 as_of=at, tz=settings.tz)
    return at, zones.within(session=session, scope=scope, states=states)


@router.get("", response_model=Page[ZoneRead])
def list_zones(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[ZoneFilter, Query()]
) -> Page[ZoneRead]:
    rows, total = zones.get_all(session=session, scope=scope, filters=filters, page=paging.page, size=paging.size)
    return Page.of([ZoneRead.model_validate(z) for z in rows], total, paging)


@router.get("/delineation", response_model=Delineation)
def delineation(request: Request, session: DbSession, scope: Reader, as_of: AsOf = None) -> Delineation:
    """What the rules draw as of a time (stores nothing): the `zones delineate` document."""
    _, states = _computed(request, session, scope, as_of)
    return Delineation(zones=[ZoneRow.of(s) for s in states])


@router.get("/status", response_model=ZoneStatusDocument)
def zone_status(request: Request, session: DbSession, scope: Reader, as_of: AsOf = None) -> ZoneStatusDocument:
    """Each zone's lifting clock as of a time: next possible change, and what blocks it."""
    at, states = _computed(request, session, scope, as_of)
    return zones.status(session=session, states=states, as_of=at)


@router.get("/{zone_id}", response_model=ZoneRead)
def get_zone(zone_id: ZoneId, session: DbSession, scope: Reader) -> ZoneRead:
    return ZoneRead.model_validate(zones.get(session=session, scope=scope, zone_id=zone_id))


@router.post("/{zone_id}/approve", response_model=ZoneRead)
def approve_zone(zone_id: ZoneId, session: DbSession, scope: Approver) -> ZoneRead:
    """Approve a proposed zone: the headquarters anywhere, a district inside its own subtree."""
    return ZoneRead.model_validate(zones.approve(session=session, scope=scope, zone_id=zone_id, at=clock.now()))


@geojson_router.get("/zones.geojson")
def zones_geojson(
    session: DbSession, scope: Reader,
    buffer_metres: Annotated[float | None, Query(gt=0, le=5000, description="buildings as buffers this wide")] = None,
) -> dict:
    """The current zones (proposed or in force) as a GeoJSON FeatureCollection."""
    rows, _ = zones.get_all(session=session, scope=scope, filters=ZoneFilter(), page=1, size=10**9)
    return geojson.feature_collection(session=session, zones=rows, buffer_metres=buffer_metres)
