from __future__ import annotations

from datetime import timedelta

import pytest
from tests.service.isolation.facilities import AS_OF, TODAY, add_people, build_facilities

from ringfence.auth.rules import Role, Scope
from ringfence.core.errors import NotFound
from ringfence.isolation import occupancy, service
from ringfence.isolation.rules import PlacementKind
from ringfence.protocols import service as protocols

TWENTY_SINGLES = {"F1": {f"R{i:02}": 1 for i in range(20)}}


@pytest.fixture(scope="module")
def protocol():
    return protocols.load("covid19-cn-9")


def place_strangers(session, count: int, *, days: int = 7, prefix: str = "Q") -> None:
    people = [f"{prefix}{i}" for i in range(count)]
    add_people(session, *people)
    for person_id in people:
        service.place(session=session, person_id=person_id, kind=PlacementKind.central, start=TODAY,
                      until=TODAY + timedelta(days=days), test_dates=[], actor="t", reason=None, as_of=AS_OF)


@pytest.mark.parametrize(("people", "alerted"), [(17, False), (18, True)])
def test_the_alert_fires_when_projected_occupancy_passes_85_percent(session, protocol, people, alerted) -> None:
    build_facilities(session, rooms=TWENTY_SINGLES)
    place_strangers(session, people)
    report = occupancy.status(session=session, today=TODAY, protocol=protocol)
    (f1,) = report.facilities
    assert (f1.beds, f1.occupied) == (20, people)
    assert (f1.alert_on == TODAY) is alerted
    assert [a.facility_id for a in report.alerts] == (["F1", None] if alerted else [])


def test_the_projection_drops_people_on_their_until_day(session, protocol) -> None:
    build_facilities(session, rooms=TWENTY_SINGLES)
    place_strangers(session, 3, days=2, prefix="A")
    place_strangers(session, 2, days=5, prefix="B")
    report = occupancy.status(session=session, today=TODAY, protocol=protocol)
    demand = [d.demand for d in report.facilities[0].projection]
    assert len(demand) == protocol.isolation.projection_days
    assert demand[:7] == [5, 5, 2, 2, 2, 0, 0]


def test_people_waiting_count_in_the_projection_and_can_raise_the_alert(session, protocol) -> None:
    build_facilities(session, rooms={"F1": {"S": 1}, "F2": {"S": 1}})
    place_strangers(session, 3)
    report = occupancy.status(session=session, today=TODAY, protocol=protocol)
    assert (report.total.beds, report.total.occupied, report.total.waiting) == (2, 2, 1)
    assert report.total.projection[0].demand == 3 and report.total.projection[0].occupancy == 1.5
    assert [w.person_id for w in report.waiting] == ["Q2"]
    assert "all facilities: projected occupancy 150%" in report.alerts[-1].message


def test_an_isolation_manager_sees_only_their_facility(session, protocol) -> None:
    build_facilities(session)
    manager = Scope(actor="f1.manager", role=Role.isolation, subtree=None, unit_id="F1")
    assert [f.facility_id for f in occupancy.facilities(session=session, scope=manager)] == ["F1"]
    assert [f.facility_id for f in occupancy.status(session=session, today=TODAY, protocol=protocol, scope=manager).facilities] == ["F1"]
    with pytest.raises(NotFound):
        occupancy.rooms(session=session, scope=manager, facility_id="F2")


def test_facilities_count_their_beds_and_people(session) -> None:
    build_facilities(session)
    service.place(session=session, person_id="P3", kind=PlacementKind.central, start=TODAY,
                  until=TODAY + timedelta(days=7), test_dates=[], actor="t", reason=None, facility_id="F1", as_of=AS_OF)
    f1 = occupancy.facilities(session=session, scope=None)[0]
    assert (f1.rooms, f1.beds, f1.occupied, f1.free_rooms) == (3, 6, 1, 2)
    rooms = {r.room_id: r.occupied for r in occupancy.rooms(session=session, scope=None, facility_id="F1")}
    assert rooms == {"D": 0, "S": 1, "T": 0}
