"""The rooms of the isolation facilities as placement sees them: each room with the households placed in
it now, read plainly or with the facilities locked, and a placement seated in a chosen room or queued."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.core.errors import NotFound
from ringfence.isolation.models import Facility, Placement, Room
from ringfence.isolation.rules import PlacementStatus, RoomState


def room_states(*, session: Session, facility_ids: Sequence[str] | None = None) -> list[RoomState]:
    """Every room (of the given facilities) with the households of the people placed in it now."""
    query = select(Room).order_by(Room.facility_id, Room.room_id)
    if facility_ids is not None:
        query = query.where(Room.facility_id.in_(list(facility_ids)))
    states = {(r.facility_id, r.room_id): RoomState(r.facility_id, r.room_id, r.capacity) for r in session.scalars(query)}
    occupants = select(Placement.facility_id, Placement.room_id, Placement.household_id).where(
        Placement.status == PlacementStatus.placed, Placement.room_id.is_not(None),
    )
    if facility_ids is not None:
        occupants = occupants.where(Placement.facility_id.in_(list(facility_ids)))
    for facility_id, room_id, household_id in session.execute(occupants):
        if (state := states.get((facility_id, room_id))) is not None:
            state.households.append(household_id)
    return list(states.values())


def lock_rooms(session: Session, facility_ids: list[str] | None) -> list[RoomState]:
    """Room states, with the facilities locked (PostgreSQL) so two placements never share a last bed."""
    query = select(Facility.facility_id).order_by(Facility.facility_id).with_for_update()
    if facility_ids is not None:
        query = query.where(Facility.facility_id.in_(facility_ids))
    found = list(session.scalars(query))
    if facility_ids is not None and not found:
        raise NotFound(f"no facility {facility_ids[0]!r}")
    return room_states(session=session, facility_ids=facility_ids)


def seat_or_queue(placement: Placement, chosen: tuple[str, str] | None, *, requested_facility: str | None,
                   at: datetime) -> None:
    if chosen is None:
        placement.status, placement.facility_id = PlacementStatus.waiting, requested_facility
        return
    placement.facility_id, placement.room_id = chosen
    placement.status, placement.placed_at = PlacementStatus.placed, at
