"""`/api/venues`: venues inside the caller's subtree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.auth.rules import Permission, Scope
from ringfence.venues import service as venues_service
from ringfence.venues.schemas import VenueFilter, VenueRead

router = APIRouter(prefix="/venues", tags=["venues"])

Reader = Annotated[Scope, Depends(scoped(Permission.VENUE_READ))]


@router.get("", response_model=Page[VenueRead])
def list_venues(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[VenueFilter, Query()]
) -> Page[VenueRead]:
    venues, total = venues_service.get_all(
        session=session, scope=scope, filters=filters, page=paging.page, size=paging.size
    )
    return Page.of([VenueRead.model_validate(v) for v in venues], total, paging)


@router.get("/{venue_id}", response_model=VenueRead)
def get_venue(venue_id: PathId, session: DbSession, scope: Reader) -> VenueRead:
    return VenueRead.model_validate(venues_service.get(session=session, scope=scope, venue_id=venue_id))
