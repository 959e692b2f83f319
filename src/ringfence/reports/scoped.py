"""The situation of one part of the city: which districts it touches, and its isolation beds.

A part is an area subtree, named by its `Area.path` prefix (`/city/district/`); None is the whole
city. Cases count where their person lives, tasks where their territory lies, isolation beds where
their facility stands. Sentinel alarms are judged per district, so a part below a district shows
its district's alarms (the dashboard says so).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.protocols.models import Protocol
from ringfence.reports.schemas import OccupancyFigures


def touches(district_path: str, subtree: str | None) -> bool:
    """Whether a district lies in the part, or the part lies in the district."""
    if subtree is None:
        return True
    return district_path.startswith(subtree) or subtree.startswith(district_path)


def areas_in(subtree: str):
    """A subquery of the ids of the areas in the part."""
    return select(Area.area_id).where(in_subtree(Area.path, subtree))


def occupancy_in(*, session: Session, day: date, protocol: Protocol, subtree: str) -> OccupancyFigures:
    """Beds and occupancy of the facilities standing in the part, and the first projected day past the alert.

    Waiting against them: people waiting for one of these facilities, and residents of the part
    waiting for any facility (they will take a bed somewhere; counted where they live).
    """
    try:
        from ringfence.isolation import rules
        from ringfence.isolation.models import Facility, Placement
        from ringfence.isolation.rooms import room_states
        from ringfence.isolation.rules import PlacementKind, PlacementStatus
        from ringfence.people.models import Person
    except ImportError:
        return OccupancyFigures(available=False)
    ids = list(session.scalars(
        select(Facility.facility_id).join(Building, Building.building_id == Facility.building_id)
        .join(Area, Area.area_id == Building.community_id).where(in_subtree(Area.path, subtree))
        .order_by(Facility.facility_id)
    ))
    states = room_states(session=session, facility_ids=ids) if ids else []
    placed_until = list(session.scalars(select(Placement.until).where(
        Placement.status == PlacementStatus.placed, Placement.kind == PlacementKind.central,
        Placement.facility_id.in_(ids),
    ))) if ids else []
    residents = (select(Person.person_id).join(Building, Building.building_id == Person.building_id)
                 .join(Area, Area.area_id == Building.community_id).where(in_subtree(Area.path, subtree)))
    waiting_until = list(session.scalars(select(Placement.until).where(
        Placement.status == PlacementStatus.waiting,
        or_(Placement.facility_id.in_(ids),
            Placement.facility_id.is_(None) & Placement.person_id.in_(residents)),
    )))
    beds = sum(s.capacity for s in states)
    occupied = sum(len(s.households) for s in states)
    isolation = protocol.isolation
    loads = rules.project(beds=beds, placed_until=placed_until, waiting_until=waiting_until, today=day,
                          days=isolation.projection_days)
    first = rules.first_alert(loads, isolation.occupancy_alert)
    return OccupancyFigures(
        available=True, beds=beds, occupied=occupied, waiting=len(waiting_until),
        occupancy=occupied / beds if beds else None, threshold=isolation.occupancy_alert,
        alert_on=first.day if first else None,
    )
