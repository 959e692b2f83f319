"""Venues, scoped to the caller's subtree through their building (no building: city-wide roles only)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Scope
from ringfence.core.errors import NotFound
from ringfence.venues.models import Venue
from ringfence.venues.schemas import VenueFilter


def _in_scope(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return (
        query.join(Building, Building.building_id == Venue.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(in_subtree(Area.path, scope.subtree))
    )


def get(*, session: Session, scope: Scope, venue_id: str) -> Venue:
    venue = session.scalar(_in_scope(select(Venue), scope).where(Venue.venue_id == venue_id))
    if venue is None:
        raise NotFound(f"no venue {venue_id!r}")
    return venue


def get_all(
    *, session: Session, scope: Scope, filters: VenueFilter, page: int = 1, size: int = 50
) -> tuple[list[Venue], int]:
    """One page of the venues in the caller's subtree matching `filters`, and the total."""
    query = _in_scope(select(Venue), scope)
    if filters.kind is not None:
        query = query.where(Venue.kind == filters.kind)
    if filters.building_id is not None:
        query = query.where(Venue.building_id == filters.building_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    venues = list(session.scalars(query.order_by(Venue.venue_id).offset((page - 1) * size).limit(size)))
    return venues, total
