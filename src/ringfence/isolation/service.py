"""Placements: putting people in isolation (a facility room, or at home) or on the waiting list,
and reading them (release.py ends them; rooms.py reads and locks the rooms).

Every change goes on the timeline (subject: the person) and in the audit log. Reads of
placements are scoped: an isolation manager sees their own facility, territorial staff the
people of their subtree; outside is NotFound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol as Shape

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.auth.rules import Role, Scope
from ringfence.cases.models import Case, CaseStatus
from ringfence.core import audit, clock, timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.isolation import rules
from ringfence.isolation.models import Placement
from ringfence.isolation.rooms import lock_rooms, seat_or_queue
from ringfence.isolation.rules import ACTIVE_STATUSES, Newcomer, PlacementKind, PlacementStatus
from ringfence.isolation.schemas import PlacementFilter
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol

# a case in these states is no longer infectious: they may be a contact again later
_PAST_CASE = (CaseStatus.recovered, CaseStatus.discarded, CaseStatus.deceased)
_MEASURE_KINDS = {"central_isolation": PlacementKind.central, "home_isolation": PlacementKind.home}


class ContactLike(Shape):
    """What `place_contacts` needs of a traced contact (tracing's ContactRecord has these)."""

    person_id: str
    measure: str
    measure_until: date
    test_dates: Sequence[date | str]


# --- writes -------------------------------------------------------------------------------------


def place(
    *,
    session: Session,
    person_id: str,
    kind: PlacementKind,
    start: date,
    until: date,
    test_dates: Iterable[date],
    actor: str,
    reason: str | None,
    facility_id: str | None = None,
    room_id: str | None = None,
    due_at: datetime | None = None,
    as_of: datetime | None = None,
    origin: str | None = None,
    protocol: Protocol | None = None,
) -> Placement:
    """Place one person: at home, in the given room, in a free room, or on the waiting list.

    Refused (Conflict) when the person already has an active placement, is an active case, or the
    named room is full or holds another household.
    """
    at = as_of or clock.now()
    person = _person(session, person_id)
    _refuse_if_active(session, person_id)
    _refuse_if_case(session, person_id)
    if until <= start:
        raise InvalidInput(f"until ({until}) must be after start ({start})")
    if room_id is not None and facility_id is None:
        raise InvalidInput("a room is named within a facility: give the facility too")
    placement = Placement(
        person_id=person_id, household_id=person.household_id, kind=kind, start=start, until=until,
        test_dates=sorted({d.isoformat() for d in test_dates}), reason=reason, due_at=due_at or at,
        queued_at=at, placed_by=actor,
    )
    if kind is PlacementKind.home:
        if facility_id or room_id:
            raise InvalidInput("home isolation takes no facility nor room")
        if person.building_id is None:
            raise InvalidInput(f"person {person_id!r} has no home building: home isolation needs one")
        placement.home_building_id = person.building_id
        placement.status, placement.placed_at = PlacementStatus.placed, at
    else:
        rooms = lock_rooms(session, [facility_id] if facility_id else None)
        if room_id is not None:
            room = next((r for r in rooms if r.room_id == room_id), None)
            if room is None:
                raise NotFound(f"no room {room_id!r} in facility {facility_id!r}")
            if (why := rules.refusal(room, person.household_id)) is not None:
                raise Conflict(why)
            chosen: tuple[str, str] | None = room.key
        else:
            chosen = rules.allocate([[Newcomer(person_id, person.household_id)]], rooms)[person_id]
        seat_or_queue(placement, chosen, requested_facility=facility_id, at=at)
    session.add(placement)
    session.flush()
    record_change(session, placement, actor=actor, at=at, origin=origin)
    if placement.status is PlacementStatus.waiting:
        _ask_for_a_room(session, placement, person=person, actor=actor, protocol=protocol)
    return placement


@dataclass
class PlacementBatch:
    """What `place_contacts` did with each contact."""

    placed: list[Placement] = field(default_factory=list)
    waiting: list[Placement] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (person_id, why)

    def counts(self) -> dict[str, int]:
        return {
            "central": sum(1 for p in self.placed if p.kind is PlacementKind.central),
            "home": sum(1 for p in self.placed if p.kind is PlacementKind.home),
            "waiting": len(self.waiting),
            "skipped": len(self.skipped),
        }


def place_contacts(
    *,
    session: Session,
    contacts: Iterable[ContactLike],
    as_of: datetime,
    protocol: Protocol,
    actor: str,
    tz: tzinfo | None = None,
) -> PlacementBatch:
    """Place traced contacts per their measure, households together; idempotent.

    A contact is skipped when their measure is tests only, has already ended, they already have
    an active placement, or they are a case. Central placements nobody can take go on the waiting
    list, due by the contact's `due_at` if it has one (e.g. the case's confirmation plus the
    protocol's placement deadline), else the deadline from `as_of`; a contact-like object may also
    carry `household_id` (default: the person's register household).
    """
    today = clock.local_day(as_of, tz or configured_zone())
    due_at = as_of + timedelta(hours=protocol.deadlines.place_contacts)
    batch = PlacementBatch()
    wanted: dict[str, tuple[ContactLike, PlacementKind]] = {}
    for contact in contacts:
        kind = _MEASURE_KINDS.get(str(getattr(contact.measure, "value", contact.measure)))
        if kind is None:
            batch.skipped.append((contact.person_id, "no isolation measure"))
        elif contact.measure_until <= today:
            batch.skipped.append((contact.person_id, "measure already over"))
        elif contact.person_id in wanted:
            batch.skipped.append((contact.person_id, "listed twice"))
        else:
            wanted[contact.person_id] = (contact, kind)
    if not wanted:
        return batch
    people = {p.person_id: p for p in session.scalars(select(Person).where(Person.person_id.in_(list(wanted))))}
    active = set(session.scalars(select(Placement.person_id).where(
        Placement.person_id.in_(list(wanted)), Placement.status.in_(ACTIVE_STATUSES),
    )))
    cases = set(session.scalars(select(Case.person_id).where(
        Case.person_id.in_(list(wanted)), Case.status.not_in(_PAST_CASE),
    )))
    central: list[tuple[ContactLike, Person]] = []
    for person_id, (contact, kind) in wanted.items():
        person = people.get(person_id)
        why = ("not in the person register" if person is None else "already placed" if person_id in active
               else "is a case" if person_id in cases else None)
        if why is not None:
            batch.skipped.append((person_id, why))
        elif kind is PlacementKind.home:
            if person.building_id is None:
                batch.skipped.append((person_id, "no home building"))
                continue
            batch.placed.append(place(
                session=session, person_id=person_id, kind=kind, start=today, until=contact.measure_until,
                test_dates=_dates(contact.test_dates), actor=actor, reason="secondary contact", as_of=as_of,
                protocol=protocol,
            ))
        else:
            central.append((contact, person))
    if central:
        _place_central(session, central, batch=batch, today=today, due_at=due_at, as_of=as_of, actor=actor,
                       protocol=protocol)
    return batch


def _place_central(
    session: Session, central: list[tuple[ContactLike, Person]], *, batch: PlacementBatch, today: date,
    due_at: datetime, as_of: datetime, actor: str, protocol: Protocol,
) -> None:
    rooms = lock_rooms(session, None)
    household = {person.person_id: getattr(contact, "household_id", None) or person.household_id
                 for contact, person in central}
    groups = rules.households_of(Newcomer(p.person_id, household[p.person_id]) for _c, p in central)
    # all are due at once: big households first, so a stranger never takes the room a family needed
    groups.sort(key=len, reverse=True)
    chosen = rules.allocate(groups, rooms)
    for contact, person in central:
        placement = Placement(
            person_id=person.person_id, household_id=household[person.person_id], kind=PlacementKind.central,
            start=today, until=contact.measure_until, test_dates=sorted(d.isoformat() for d in _dates(contact.test_dates)),
            reason="close contact", due_at=getattr(contact, "due_at", None) or due_at, queued_at=as_of,
            placed_by=actor,
        )
        seat_or_queue(placement, chosen[person.person_id], requested_facility=None, at=as_of)
        session.add(placement)
        session.flush()
        record_change(session, placement, actor=actor, at=as_of)
        if placement.status is PlacementStatus.waiting:
            batch.waiting.append(placement)
            _ask_for_a_room(session, placement, person=person, actor=actor, protocol=protocol)
        else:
            batch.placed.append(placement)


# --- reads --------------------------------------------------------------------------------------


def in_scope(query: Select, scope: Scope) -> Select:
    """Placements the caller may see: their facility's (isolation managers) or their subtree's people."""
    if scope.role is Role.isolation:
        return query.where(Placement.facility_id == scope.unit_id) if scope.unit_id else query.where(false())
    if scope.everywhere:
        return query
    return (
        query.join(Person, Person.person_id == Placement.person_id)
        .join(Building, Building.building_id == Person.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(Area.path.startswith(scope.subtree, autoescape=True))
    )


def get(*, session: Session, scope: Scope, placement_id: int) -> Placement:
    """One placement the caller may see (NotFound otherwise); audited as a read of the person."""
    placement = session.scalar(in_scope(select(Placement), scope).where(Placement.placement_id == placement_id))
    if placement is None:
        raise NotFound(f"no placement {placement_id}")
    audit.record(session, user=scope.actor, action="placement.read", subject=f"person:{placement.person_id}",
                 origin=scope.origin, detail=f"placement {placement_id}")
    return placement


def get_all(
    *, session: Session, scope: Scope, filters: PlacementFilter, page: int = 1, size: int = 50
) -> tuple[list[Placement], int]:
    """One page of the placements the caller may see, newest first, and the total; each row audited."""
    query = in_scope(select(Placement), scope)
    if filters.status is not None:
        query = query.where(Placement.status == filters.status)
    if filters.kind is not None:
        query = query.where(Placement.kind == filters.kind)
    if filters.facility_id is not None:
        query = query.where(Placement.facility_id == filters.facility_id)
    if filters.person_id is not None:
        query = query.where(Placement.person_id == filters.person_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Placement.placement_id.desc()).offset((page - 1) * size).limit(size)))
    for placement in rows:
        audit.record(session, user=scope.actor, action="placement.list", subject=f"person:{placement.person_id}",
                     origin=scope.origin, detail=f"placement {placement.placement_id} page={page} size={size}")
    return rows, total


def active_of(*, session: Session, person_id: str) -> Placement | None:
    """The person's active (waiting or placed) placement, if any."""
    return session.scalar(
        select(Placement).where(Placement.person_id == person_id, Placement.status.in_(ACTIVE_STATUSES))
    )


# --- helpers ------------------------------------------------------------------------------------


def configured_zone() -> tzinfo:
    from ringfence.config import get_settings

    return get_settings().tz


def _dates(values: Iterable[date | str]) -> list[date]:
    return [v if isinstance(v, date) else clock.parse_date(v) for v in values]


def _person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person {person_id!r}")
    return person


def _refuse_if_active(session: Session, person_id: str) -> None:
    active = active_of(session=session, person_id=person_id)
    if active is None:
        return
    if active.status is PlacementStatus.waiting:
        raise Conflict(f"person {person_id!r} is already on the waiting list (placement {active.placement_id})")
    where = f"room {active.room_id} of facility {active.facility_id}" if active.room_id else "home isolation"
    raise Conflict(f"person {person_id!r} is already placed ({where}, until {active.until}); release them first")


def active_case_of(*, session: Session, person_id: str) -> Case | None:
    """The person's case while it is not over (recovered, discarded, deceased), if any: such a person is no contact."""
    return session.scalar(select(Case).where(Case.person_id == person_id, Case.status.not_in(_PAST_CASE)))


def _refuse_if_case(session: Session, person_id: str) -> None:
    case = active_case_of(session=session, person_id=person_id)
    if case is not None:
        raise Conflict(f"person {person_id!r} is a case (case {case.case_id}): cases are treated, not isolated as contacts")


def record_change(session: Session, placement: Placement, *, actor: str, at: datetime, origin: str | None = None) -> None:
    if placement.status is PlacementStatus.waiting:
        action, where = "isolation.waiting", "no free room" + (f" in {placement.facility_id}" if placement.facility_id else "")
    elif placement.kind is PlacementKind.home:
        action, where = "isolation.placed", f"home isolation at building {placement.home_building_id}"
    else:
        action, where = "isolation.placed", f"room {placement.room_id} of facility {placement.facility_id}"
    detail = f"placement {placement.placement_id}: {where}, until {placement.until}"
    if placement.reason:
        detail += f" ({placement.reason})"
    timeline.record(session, subject_type="person", subject_id=placement.person_id, actor=actor, at=at,
                    action=action, detail=detail)
    audit.record(session, user=actor, action=action.replace("isolation.", "placement."),
                 subject=f"person:{placement.person_id}", origin=origin, detail=detail, at=at)


def _ask_for_a_room(session: Session, placement: Placement, *, person: Person, actor: str,
                    protocol: Protocol | None = None) -> None:
    """A waiting placement is a task: someone must find the person a room before it is due."""
    from ringfence.tasks import service as tasks_service
    from ringfence.tasks.models import TaskKind

    community = None
    if person.building_id is not None:
        community = session.scalar(select(Building.community_id).where(Building.building_id == person.building_id))
    tasks_service.ensure(
        session=session, kind=TaskKind.place_contact, subject_id=placement.person_id, area_id=community,
        due_at=placement.due_at, source_key=_room_task_key(placement), actor=actor,
        detail=f"no free isolation room: waiting since {placement.queued_at.isoformat()}",
        unit=placement.facility_id, protocol=protocol, created_at=placement.queued_at,
    )


def settle_room_task(session: Session, placement: Placement, *, actor: str, at: datetime, reason: str | None) -> None:
    """The waiting placement's task is done once placed, cancelled when its wait ends otherwise."""
    from ringfence.tasks import service as tasks_service
    from ringfence.tasks.models import TaskKind, TaskStatus

    task = tasks_service.get_by_source(session=session, kind=TaskKind.place_contact, source_key=_room_task_key(placement))
    if task is None or task.status is not TaskStatus.open:
        return
    if reason is None:
        tasks_service.complete(session=session, task=task, at=at, actor=actor)
    else:
        tasks_service.cancel(session=session, task=task, at=at, actor=actor, reason=reason)


def _room_task_key(placement: Placement) -> str:
    return f"isolation.waiting:{placement.placement_id}"
