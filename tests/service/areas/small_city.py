"""A small city built with the ORM: two districts with a community, a building, people and a venue each.

City C ─┬─ district D1 ─ subdistrict S1 ─ community M1 ─ building B1: P1, P2 (household H1) · venue V1
        ├─ district D2 ─ subdistrict S2 ─ community M2 ─ building B2: P3 · venue V2
        └─ district D_ (an id holding a LIKE wildcard) ─ community M_ ─ building B_: P4
P0 lives in no building; venue V0 is in none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ringfence.areas.models import Area, AreaLevel, Building
from ringfence.people.models import IdType, Person, Sex
from ringfence.venues.models import Venue

ID_NUMBERS = {
    "P1": "410102199001011234",
    "P2": "41010219850202567X",
    "P3": "410105197003034321",
    "P4": "410106200104048765",
    "P0": "410107196605051111",
}
PHONES = {"P1": "13812341234", "P2": "13900005678", "P3": "13711112222", "P4": "13655556666", "P0": "13500009999"}


@dataclass(frozen=True)
class SmallCity:
    district_a: str = "D1"
    district_b: str = "D2"
    district_wild: str = "D_"


def _area(area_id: str, parent: Area | None, level: AreaLevel) -> Area:
    path = (parent.path if parent else "/") + f"{area_id}/"
    return Area(area_id=area_id, parent_id=parent.area_id if parent else None, level=level, name=f"Area {area_id}", path=path)


def build_small_city(session: Session) -> SmallCity:
    """Insert the city above and flush it (the caller commits if it needs to)."""
    city = _area("C", None, AreaLevel.city)
    d1, d2, dw = (_area(i, city, AreaLevel.district) for i in ("D1", "D2", "D_"))
    s1, s2 = _area("S1", d1, AreaLevel.subdistrict), _area("S2", d2, AreaLevel.subdistrict)
    m1, m2, mw = _area("M1", s1, AreaLevel.community), _area("M2", s2, AreaLevel.community), _area("M_", dw, AreaLevel.community)
    for level in ([city], [d1, d2, dw], [s1, s2], [m1, m2, mw]):
        session.add_all(level)
        session.flush()
    session.add_all([
        Building(building_id="B1", community_id="M1", address="1 North Rd", lon=113.60, lat=34.75),
        Building(building_id="B2", community_id="M2", address="2 South Rd", lon=113.70, lat=34.70),
        Building(building_id="B_", community_id="M_", address="3 West Rd", lon=113.50, lat=34.80),
    ])
    session.flush()
    homes = {"P1": "B1", "P2": "B1", "P3": "B2", "P4": "B_", "P0": None}
    for person_id, building_id in homes.items():
        session.add(Person(
            person_id=person_id, name=f"Name {person_id}", id_type=IdType.resident_id,
            id_number=ID_NUMBERS[person_id], phone=PHONES[person_id], sex=Sex.female, birth_date=date(1990, 1, 1),
            building_id=building_id, household_id="H1" if person_id in {"P1", "P2"} else None,
            key_group="courier" if person_id == "P1" else None,
        ))
    session.add_all([
        Venue(venue_id="V1", name="Market", kind="market", lon=113.60, lat=34.75, building_id="B1"),
        Venue(venue_id="V2", name="Mall", kind="mall", lon=113.70, lat=34.70, building_id="B2"),
        Venue(venue_id="V0", name="Station", kind="transport", lon=113.65, lat=34.72, building_id=None),
    ])
    session.flush()
    return SmallCity()
