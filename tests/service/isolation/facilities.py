"""The small city plus isolation facilities, and a third member of household H1.

Facility F1 (a hotel in B2): rooms T (triple), D (double), S (single). Facility F2: room S (single).
H1 = P1, P2, P5 (all in B1); P3 lives in B2, P4 in B_, P0 in no building.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session
from tests.service.areas.small_city import build_small_city

from ringfence.isolation.models import Facility, Room
from ringfence.people.models import Person

AS_OF = datetime(2022, 10, 1, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
TODAY = date(2022, 10, 1)


def build_facilities(session: Session, *, rooms: dict[str, dict[str, int]] | None = None) -> None:
    """The small city, P5 in household H1, and facilities with rooms {facility: {room: capacity}}."""
    build_small_city(session)
    add_facilities(session, rooms=rooms)


def add_facilities(session: Session, *, rooms: dict[str, dict[str, int]] | None = None) -> None:
    """P5 in household H1 and the facilities, in a small city already built."""
    session.add(Person(person_id="P5", name="Name P5", building_id="B1", household_id="H1"))
    rooms = rooms if rooms is not None else {"F1": {"T": 3, "D": 2, "S": 1}, "F2": {"S": 1}}
    for facility_id, capacities in rooms.items():
        session.add(Facility(facility_id=facility_id, name=f"Hotel {facility_id}", kind="hotel", building_id="B2"))
        session.flush()
        session.add_all(Room(facility_id=facility_id, room_id=r, capacity=c) for r, c in capacities.items())
    session.flush()


def add_people(session: Session, *person_ids: str, household_id: str | None = None, building_id: str = "B1") -> None:
    session.add_all(Person(person_id=p, name=f"Name {p}", building_id=building_id, household_id=household_id)
                    for p in person_ids)
    session.flush()
