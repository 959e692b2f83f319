"""A small city for the web pages: two districts with polygons, buildings, residents, cases over two
weeks, a facility with rooms, risk areas, tasks, and one user per role.

Everything registers through the real importers (so the event log's register snapshots exist) and the
domain services; cases are dated back from now, so "today" on the dashboard has figures.

District A (`da`, "Jinshui") holds the residents named Alpha…; district B (`db`, "Erqi") those named
Bravo…; a test checks one district's user never sees the other's names.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.config import Settings
from ringfence.core import clock
from ringfence.imports.flows import import_file
from ringfence.imports.schemas import FeedKind

PASSWORD = "a long passphrase"


def box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


# district A west of 113.65, district B east of it; each: one subdistrict, two communities side by side
AREAS = [
    {"area_id": "zz", "parent_id": "", "level": "city", "name": "Zhengzhou", "geometry": box(113.55, 34.70, 113.75, 34.80)},
    {"area_id": "da", "parent_id": "zz", "level": "district", "name": "Jinshui", "geometry": box(113.55, 34.70, 113.65, 34.80)},
    {"area_id": "db", "parent_id": "zz", "level": "district", "name": "Erqi", "geometry": box(113.65, 34.70, 113.75, 34.80)},
    {"area_id": "sa", "parent_id": "da", "level": "subdistrict", "name": "Fengchan", "geometry": box(113.55, 34.70, 113.65, 34.80)},
    {"area_id": "sb", "parent_id": "db", "level": "subdistrict", "name": "Jianzhong", "geometry": box(113.65, 34.70, 113.75, 34.80)},
    {"area_id": "ka1", "parent_id": "sa", "level": "community", "name": "Weilai", "geometry": box(113.55, 34.70, 113.60, 34.80)},
    {"area_id": "ka2", "parent_id": "sa", "level": "community", "name": "Dongfeng", "geometry": box(113.60, 34.70, 113.65, 34.80)},
    {"area_id": "kb1", "parent_id": "sb", "level": "community", "name": "Huaihe", "geometry": box(113.65, 34.70, 113.70, 34.80)},
    {"area_id": "kb2", "parent_id": "sb", "level": "community", "name": "Songshan", "geometry": box(113.70, 34.70, 113.75, 34.80)},
]
BUILDINGS = [
    {"building_id": "ba1", "community_id": "ka1", "address": "1 Weilai Road", "lon": 113.575, "lat": 34.75},
    {"building_id": "ba2", "community_id": "ka2", "address": "2 Dongfeng Road", "lon": 113.625, "lat": 34.75},
    {"building_id": "bb1", "community_id": "kb1", "address": "3 Huaihe Road", "lon": 113.675, "lat": 34.75},
    {"building_id": "bb2", "community_id": "kb2", "address": "4 Songshan Road", "lon": 113.725, "lat": 34.75},
    {"building_id": "hotel", "community_id": "kb2", "address": "9 Songshan Road", "lon": 113.73, "lat": 34.72},
]
# cases per day back from today, alternating the districts: enough days for R(t) (7-day windows)
CASE_DAYS = [13, 12, 11, 10, 9, 9, 8, 7, 7, 6, 5, 5, 4, 3, 3, 2, 1, 1, 0, 0]
WAYS = ["screening", "sentinel", "controlled", "screening", "arrival"]


@dataclass
class World:
    settings: Settings
    people_a: list[str] = field(default_factory=list)  # names of district A's residents
    people_b: list[str] = field(default_factory=list)
    task_subjects_a: list[str] = field(default_factory=list)  # person ids tasks of district A are about
    task_subjects_b: list[str] = field(default_factory=list)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def feed(settings: Settings, folder: Path, kind: str, rows: list[dict]) -> None:
    result = import_file(settings=settings, kind=FeedKind(kind), path=write_csv(folder / f"{kind}.csv", rows),
                         actor="world", progress=False)
    assert result.rejected == 0, f"the world's {kind} feed has rejects: {result.rejects_path}"


def resident_id(sequence: int) -> str:
    from ringfence.people.rules import resident_id_check_digit

    first17 = f"410105199003{(sequence % 28) + 1:02d}{sequence:03d}"
    return first17 + resident_id_check_digit(first17)


def build(session: Session, settings: Settings, folder: Path) -> World:
    """The city, its people and outbreak, risk areas and tasks, and the users; committed."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    world = World(settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    feed(settings, folder, "areas", AREAS)
    feed(settings, folder, "buildings", BUILDINGS)
    people = []
    for n in range(24):
        district_a = n % 2 == 0
        name = f"{'Alpha' if district_a else 'Bravo'} Resident{n:02d}"
        building = ("ba1" if n % 4 == 0 else "ba2") if district_a else ("bb1" if n % 4 == 1 else "bb2")
        people.append({"person_id": f"p{n:02d}", "name": name, "id_number": resident_id(n + 1),
                       "phone": f"1380000{n:04d}", "sex": "", "birth_date": "",
                       "building_id": building})
        (world.people_a if district_a else world.people_b).append(name)
    feed(settings, folder, "people", people)
    now = clock.now()
    cases = [
        {"person_id": f"p{n:02d}", "classification": "confirmed" if n % 3 else "asymptomatic",
         "confirmed_at": (now - timedelta(days=days, minutes=30 + n)).isoformat(),
         "found_via": WAYS[n % len(WAYS)]}
        for n, days in enumerate(CASE_DAYS)
    ]
    feed(settings, folder, "cases", cases)
    feed(settings, folder, "facilities", [{"facility_id": "f1", "name": "Songshan Hotel", "kind": "hotel",
                                           "building_id": "hotel"}])
    feed(settings, folder, "rooms", [{"facility_id": "f1", "room_id": f"r{n}", "capacity": 1} for n in range(1, 5)])

    _zones(session, settings, now)
    for n, person in enumerate(people[20:24]):  # two tasks a district, one overdue
        subject = person["person_id"]
        area = next(b["community_id"] for b in BUILDINGS if b["building_id"] == person["building_id"])
        tasks.ensure(session=session, kind=TaskKind.investigate_case, subject_id=subject, area_id=area,
                     due_at=now + timedelta(hours=-6 if n < 2 else 48), source_key=f"world:{subject}",
                     actor="world", created_at=now - timedelta(days=1))
        (world.task_subjects_a if area.startswith("ka") else world.task_subjects_b).append(subject)
    for username, role, area in (("hq", Role.commander, None), ("dist_a", Role.district, "da"),
                                 ("dist_b", Role.district, "db"), ("it", Role.admin, None)):
        auth_service.create(session=session, user_in=UserCreate(username=username, role=role, area_id=area,
                                                                 password=PASSWORD), actor="world")
    session.commit()
    return world


def _zones(session: Session, settings: Settings, now) -> None:
    """The risk areas the rules draw from the cases, stored and approved."""
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.zones import service as zones

    with open_store(settings) as store:
        states = zones.delineate(session=session, store=store, protocol=protocols.load(settings.protocol),
                                 as_of=now, tz=settings.tz)
    zones.sync(session=session, states=states, as_of=now, actor="world", auto_approve=True)
    session.flush()
