"""The read side of isolation: facilities with their beds, occupancy now and projected, alerts,
and the waiting list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.auth.rules import Role, Scope
from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.isolation import rules
from ringfence.isolation.models import Facility, Placement
from ringfence.isolation.rooms import room_states
from ringfence.isolation.rules import PlacementKind, PlacementStatus
from ringfence.isolation.schemas import (
    AlertRead,
    DayLoadRead,
    FacilityRead,
    IsolationStatus,
    OccupancyRead,
    RoomRead,
    WaitingRead,
)
from ringfence.isolation.service import in_scope as service_scope
from ringfence.protocols.models import Protocol


def visible_facility_ids(*, session: Session, scope: Scope | None) -> list[str]:
    """Facilities the caller may see: an isolation manager their own, everyone else all of them."""
    query = select(Facility.facility_id).order_by(Facility.facility_id)
    if scope is not None and scope.role is Role.isolation:
        if scope.unit_id is None:
            return []
        query = query.where(Facility.facility_id == scope.unit_id)
    return list(session.scalars(query))


def facilities(*, session: Session, scope: Scope | None) -> list[FacilityRead]:
    """Each visible facility with its rooms, beds, people placed and people waiting for it."""
    ids = visible_facility_ids(session=session, scope=scope)
    if not ids:
        return []
    states = room_states(session=session, facility_ids=ids)
    waiting = _waiting_count_by_facility(session, ids)
    shown = []
    for facility in session.scalars(select(Facility).where(Facility.facility_id.in_(ids)).order_by(Facility.facility_id)):
        mine = [s for s in states if s.facility_id == facility.facility_id]
        shown.append(FacilityRead(
            facility_id=facility.facility_id, name=facility.name, kind=facility.kind, building_id=facility.building_id,
            rooms=len(mine), beds=sum(s.capacity for s in mine), occupied=sum(len(s.households) for s in mine),
            free_rooms=sum(1 for s in mine if s.empty), waiting=waiting.get(facility.facility_id, 0),
        ))
    return shown


def rooms(*, session: Session, scope: Scope | None, facility_id: str) -> list[RoomRead]:
    """The rooms of a visible facility with how many people each holds now."""
    if facility_id not in visible_facility_ids(session=session, scope=scope):
        raise NotFound(f"no facility {facility_id!r}")
    return [
        RoomRead(facility_id=s.facility_id, room_id=s.room_id, capacity=s.capacity, occupied=len(s.households))
        for s in room_states(session=session, facility_ids=[facility_id])
    ]


def status(*, session: Session, today: date, protocol: Protocol, scope: Scope | None = None) -> IsolationStatus:
    """Occupancy now and over the protocol's projection days, per facility and in all, with alerts.

    People waiting for a named facility count against it; people waiting for any facility count
    against the total only. The waiting list shows first due first.
    """
    ids = visible_facility_ids(session=session, scope=scope)
    isolation = protocol.isolation
    states = room_states(session=session, facility_ids=ids) if ids else []
    placed_until: dict[str, list[date]] = defaultdict(list)
    for facility_id, until in session.execute(
        select(Placement.facility_id, Placement.until).where(
            Placement.status == PlacementStatus.placed, Placement.kind == PlacementKind.central,
            Placement.facility_id.in_(ids),
        )
    ):
        placed_until[facility_id].append(until)
    waiting_query = select(Placement).where(Placement.status == PlacementStatus.waiting)
    if scope is not None and scope.role is Role.isolation:
        waiting_query = waiting_query.where(Placement.facility_id.in_(ids))
    waiting = list(session.scalars(waiting_query.order_by(Placement.due_at, Placement.queued_at, Placement.placement_id)))
    waiting_until: dict[str | None, list[date]] = defaultdict(list)
    for placement in waiting:
        waiting_until[placement.facility_id].append(placement.until)

    def occupancy(facility_id: str | None, beds: int, occupied: int, placed: list[date], queued: list[date]) -> OccupancyRead:
        loads = rules.project(beds=beds, placed_until=placed, waiting_until=queued, today=today,
                              days=isolation.projection_days)
        first = rules.first_alert(loads, isolation.occupancy_alert)
        return OccupancyRead(
            facility_id=facility_id, beds=beds, occupied=occupied, waiting=len(queued),
            occupancy=occupied / beds if beds else 0.0,
            projection=[DayLoadRead(day=ld.day, beds=ld.beds, demand=ld.demand, occupied=ld.occupied,
                                    occupancy=ld.occupancy if beds else 0.0) for ld in loads],
            alert_on=first.day if first else None,
        )

    per_facility = []
    for facility_id in ids:
        mine = [s for s in states if s.facility_id == facility_id]
        per_facility.append(occupancy(
            facility_id, sum(s.capacity for s in mine), sum(len(s.households) for s in mine),
            placed_until[facility_id], waiting_until[facility_id],
        ))
    total = occupancy(
        None, sum(s.capacity for s in states), sum(len(s.households) for s in states),
        [d for days in placed_until.values() for d in days], [d for days in waiting_until.values() for d in days],
    )
    alerts = [_alert(o, isolation.occupancy_alert) for o in [*per_facility, total] if o.alert_on is not None]
    return IsolationStatus(
        as_of=today, threshold=isolation.occupancy_alert, facilities=per_facility, total=total, alerts=alerts,
        waiting=_waiting_list(session, waiting, scope),
    )


def _waiting_list(session: Session, waiting: list[Placement], scope: Scope | None) -> list[WaitingRead]:
    """The waiting people the caller may see (all of them at the shell); each read audited."""
    if scope is not None and not scope.everywhere and scope.role is not Role.isolation:
        visible = set(session.scalars(
            service_scope(select(Placement.placement_id), scope).where(Placement.status == PlacementStatus.waiting)
        ))
        waiting = [p for p in waiting if p.placement_id in visible]
    if scope is not None:
        for p in waiting:
            audit.record(session, user=scope.actor, action="placement.list", subject=f"person:{p.person_id}",
                         origin=scope.origin, detail=f"waiting list: placement {p.placement_id}")
    return [
        WaitingRead(placement_id=p.placement_id, person_id=p.person_id, household_id=p.household_id,
                    facility_id=p.facility_id, due_at=p.due_at, until=p.until)
        for p in waiting
    ]


def _alert(occupancy: OccupancyRead, threshold: float) -> AlertRead:
    day = next(d for d in occupancy.projection if d.day == occupancy.alert_on)
    where = f"facility {occupancy.facility_id}" if occupancy.facility_id else "all facilities"
    share = f"{day.occupancy:.0%}" if occupancy.beds else "no beds"
    return AlertRead(
        facility_id=occupancy.facility_id, day=day.day, occupancy=day.occupancy, threshold=threshold,
        message=f"{where}: projected occupancy {share} on {day.day} passes {threshold:.0%} "
                f"({day.demand} people for {day.beds} beds)",
    )


def _waiting_count_by_facility(session: Session, ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for facility_id in session.scalars(
        select(Placement.facility_id).where(Placement.status == PlacementStatus.waiting, Placement.facility_id.in_(ids))
    ):
        counts[facility_id] += 1
    return counts
