"""Checking the placing form of a site's rooms: each problem as a message next to its field, in the
visitor's language, before the isolation service (which checks again under its locks) is asked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ringfence.areas.schemas import ID_PATTERN
from ringfence.isolation import rooms, rules
from ringfence.isolation import service as isolation_service
from ringfence.isolation.rules import PlacementStatus
from ringfence.people.models import Person

MAX_REASON = 300
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class WantedPlacement:
    person_id: str
    room_id: str | None  # None: a free room chosen by the rules, else the waiting list
    until: date | None  # None: the protocol's
    reason: str | None


def checked_placement(
    session: Session, *, facility_id: str, entered: dict[str, str], today: date, _
) -> tuple[dict[str, str], WantedPlacement | None]:
    """The placement the form asks for, or a message per field that is wrong."""
    errors: dict[str, str] = {}
    person = _person(session, entered["person_id"], errors, _)
    room_id = entered["room_id"] or None
    if room_id is not None:
        room = next((r for r in rooms.room_states(session=session, facility_ids=[facility_id])
                     if r.room_id == room_id), None)
        if room is None:
            errors["room_id"] = _("Room: there is no such room in this site.")
        elif room.free_beds <= 0:
            errors["room_id"] = _("Room: %(room)s is full; choose another or leave the choice to the rules.") % {
                "room": room_id}
        elif person is not None and not rules.can_take(room, person.household_id):
            errors["room_id"] = _("Room: %(room)s holds another household; only one household shares a room.") % {
                "room": room_id}
    until = None
    if entered["until"]:
        try:
            until = date.fromisoformat(entered["until"])
        except ValueError:
            errors["until"] = _("Until: give a date like 2022-11-05.")
        else:
            if until <= today:
                errors["until"] = _("Until: give a day after today (%(today)s).") % {"today": today.isoformat()}
    if len(entered["reason"]) > MAX_REASON:
        errors["reason"] = _("Reason: at most 300 characters.")
    if errors or person is None:
        return errors, None
    return {}, WantedPlacement(person_id=person.person_id, room_id=room_id, until=until,
                               reason=entered["reason"] or None)


def _person(session: Session, person_id: str, errors: dict[str, str], _) -> Person | None:
    if not person_id:
        errors["person_id"] = _("Person: give the person's id.")
        return None
    person = session.get(Person, person_id) if _ID.match(person_id) and len(person_id) <= 64 else None
    if person is None:
        errors["person_id"] = _("Person: there is no such person in the register.")
        return None
    active = isolation_service.active_of(session=session, person_id=person_id)
    if active is not None and active.status is PlacementStatus.waiting:
        errors["person_id"] = _("Person: already on the waiting list (placement %(id)s).") % {"id": active.placement_id}
    elif active is not None:
        where = (_("room %(room)s of %(site)s") % {"room": active.room_id, "site": active.facility_id} if active.room_id
                 else _("home isolation"))
        errors["person_id"] = _("Person: already placed (%(where)s, until %(until)s); release them first.") % {
            "where": where, "until": active.until.isoformat()}
    elif (case := isolation_service.active_case_of(session=session, person_id=person_id)) is not None:
        errors["person_id"] = _("Person: is a case (case %(id)s); cases are treated, not isolated as contacts.") % {
            "id": case.case_id}
    return person
