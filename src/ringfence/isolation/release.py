"""Ending placements: on their until day, when the person becomes a case, or by hand; and giving
the beds that free to the waiting list. `release_isolation` is the daily step of `respond`."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.auth.rules import Scope
from ringfence.cases.models import Case
from ringfence.core import audit, clock, timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.isolation import rules
from ringfence.isolation.models import Placement
from ringfence.isolation.rooms import lock_rooms, seat_or_queue
from ringfence.isolation.rules import ACTIVE_STATUSES, Newcomer, PlacementStatus
from ringfence.isolation.service import configured_zone, in_scope, record_change, settle_room_task


def end(
    *, session: Session, placement: Placement, status: PlacementStatus, actor: str, at: datetime,
    reason: str | None = None, origin: str | None = None,
) -> Placement:
    """End an active placement as released, became_case or lapsed; its bed is free at once."""
    if placement.status not in ACTIVE_STATUSES:
        raise Conflict(f"placement {placement.placement_id} of person {placement.person_id!r} "
                       f"has already ended ({placement.status.value})")
    if status in ACTIVE_STATUSES:
        raise InvalidInput(f"a placement ends as released, became_case or lapsed, not {status.value}")
    if placement.status is PlacementStatus.waiting:
        settle_room_task(session, placement, actor=actor, at=at, reason=f"{status.value} while waiting for a room")
    placement.status, placement.ended_at = status, at
    timeline.record(
        session, subject_type="person", subject_id=placement.person_id, actor=actor, at=at,
        action=f"isolation.{status.value}", detail=f"placement {placement.placement_id}" + (f": {reason}" if reason else ""),
    )
    audit.record(session, user=actor, action=f"placement.{status.value}", subject=f"person:{placement.person_id}",
                 origin=origin, detail=f"placement {placement.placement_id}", at=at)
    return placement


def release_person(
    *, session: Session, person_id: str, actor: str, at: datetime, reason: str | None = None,
    scope: Scope | None = None,
) -> Placement:
    """End the person's active placement now, by hand (early release, a transfer to hospital…)."""
    query = select(Placement).where(Placement.person_id == person_id, Placement.status.in_(ACTIVE_STATUSES))
    if scope is not None:
        query = in_scope(query, scope)
    placement = session.scalar(query)
    if placement is None:
        raise NotFound(f"person {person_id!r} has no active placement")
    ending = PlacementStatus.lapsed if placement.status is PlacementStatus.waiting else PlacementStatus.released
    return end(session=session, placement=placement, status=ending, actor=actor, at=at, reason=reason or "released by hand",
               origin=scope.origin if scope else None)


def end_for_cases(*, session: Session, as_of: datetime, actor: str, tz: tzinfo | None = None) -> int:
    """End as became_case every active placement whose person was confirmed a case since it started."""
    zone = tz or configured_zone()
    rows = session.execute(
        select(Placement, Case.confirmed_at).join(Case, Case.person_id == Placement.person_id)
        .where(Placement.status.in_(ACTIVE_STATUSES), Case.confirmed_at <= as_of)
    ).all()
    ended = 0
    for placement, confirmed_at in rows:
        if confirmed_at >= clock.start_of_day(placement.start, zone):
            end(session=session, placement=placement, status=PlacementStatus.became_case, actor=actor, at=as_of,
                reason=f"confirmed a case at {confirmed_at.isoformat()}")
            ended += 1
    return ended


def release_due(*, session: Session, as_of: datetime, actor: str, tz: tzinfo | None = None) -> dict[str, int]:
    """End every placement whose until day has come: placed ones released, waiting ones lapsed."""
    today = clock.local_day(as_of, tz or configured_zone())
    counts = {"released": 0, "lapsed": 0}
    due = session.scalars(
        select(Placement).where(Placement.status.in_(ACTIVE_STATUSES), Placement.until <= today)
        .order_by(Placement.placement_id)
    )
    for placement in due:
        ending = PlacementStatus.released if placement.status is PlacementStatus.placed else PlacementStatus.lapsed
        end(session=session, placement=placement, status=ending, actor=actor, at=as_of, reason=f"until {placement.until}")
        counts[ending.value] += 1
    return counts


def place_waiting(*, session: Session, as_of: datetime, actor: str) -> int:
    """Give free rooms to the waiting list, first due first served, households kept together."""
    waiting = list(session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.waiting)
        .order_by(Placement.due_at, Placement.queued_at, Placement.placement_id)
    ))
    if not waiting:
        return 0
    rooms = lock_rooms(session, None)
    by_id = {p.placement_id: p for p in waiting}
    groups: dict[Hashable, list[Newcomer]] = {}
    for p in waiting:  # in FIFO order: a household is served when its first member's turn comes
        group_key = (p.facility_id, p.household_id) if p.household_id else ("alone", p.placement_id)
        groups.setdefault(group_key, []).append(Newcomer(p.placement_id, p.household_id))
    placed = 0
    for group in groups.values():
        facility_id = by_id[group[0].key].facility_id
        candidates = [r for r in rooms if facility_id is None or r.facility_id == facility_id]
        for placement_id, chosen in rules.allocate([group], candidates).items():
            if chosen is None:
                continue
            placement = by_id[placement_id]
            seat_or_queue(placement, chosen, requested_facility=placement.facility_id, at=as_of)
            record_change(session, placement, actor=actor, at=as_of)
            settle_room_task(session, placement, actor=actor, at=as_of, reason=None)
            placed += 1
    return placed


def release_isolation(*, session: Session, as_of: datetime, actor: str, tz: tzinfo | None = None) -> dict[str, int]:
    """The daily step: end placements of new cases, release those due, then place the waiting list."""
    became_case = end_for_cases(session=session, as_of=as_of, actor=actor, tz=tz)
    counts = release_due(session=session, as_of=as_of, actor=actor, tz=tz)
    session.flush()
    return {"became_case": became_case, **counts, "placed": place_waiting(session=session, as_of=as_of, actor=actor)}
