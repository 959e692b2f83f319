"""Delineation: high homes, medium venue buildings unless high, one low zone per district."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ringfence.protocols.models import HighUnit
from ringfence.protocols.service import load
from ringfence.zones.kinds import Episode, UnitKey, ZoneLevel, ZoneUnit
from ringfence.zones.rules import ActiveCase, CityMap, VenueStay, delineate, hits_by_unit, stretch_start

PROTOCOL = load("covid19-cn-9")
RULES = PROTOCOL.zones
TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2022, 10, 3, 12, tzinfo=UTC)

# D1: community M1 (B1: 3 residents, B2: 5) and M2 (B3: 10); D2: community M3 (B4: 7)
CITY = CityMap(
    building_community={"B1": "M1", "B2": "M1", "B3": "M2", "B4": "M3"},
    community_district={"M1": "D1", "M2": "D1", "M3": "D2"},
    residents={
        UnitKey(ZoneUnit.building, "B1"): 3, UnitKey(ZoneUnit.building, "B2"): 5,
        UnitKey(ZoneUnit.building, "B3"): 10, UnitKey(ZoneUnit.building, "B4"): 7,
        UnitKey(ZoneUnit.community, "M1"): 8, UnitKey(ZoneUnit.community, "M2"): 10,
        UnitKey(ZoneUnit.community, "M3"): 7,
        UnitKey(ZoneUnit.district, "D1"): 18, UnitKey(ZoneUnit.district, "D2"): 7,
    },
)


def confirmed(person: str, home: str | None, at: datetime = datetime(2022, 10, 2, 1, tzinfo=UTC)) -> ActiveCase:
    return ActiveCase(person, at, home, CITY.building_community.get(home or ""))


def stay(person: str, building: str, minutes: float) -> VenueStay:
    start = datetime(2022, 9, 30, 10, tzinfo=UTC)
    return VenueStay(person, building, start, start + timedelta(minutes=minutes))


def zones(cases, stays=(), rules=RULES):
    hits = hits_by_unit(cases, stays, rules, as_of=AS_OF)
    return [(z.level.value, z.unit.value, z.unit_id, z.residents)
            for z in delineate(hits, {}, CITY, rules, as_of=AS_OF, tz=TZ)]


def test_a_case_makes_its_home_building_high_and_the_rest_of_its_district_low():
    assert zones([confirmed("P1", "B1")]) == [("high", "building", "B1", 3), ("low", "district", "D1", 15)]


def test_two_cases_of_one_building_make_one_zone():
    assert zones([confirmed("P1", "B1"), confirmed("P2", "B1")])[0] == ("high", "building", "B1", 3)
    assert len(zones([confirmed("P1", "B1"), confirmed("P2", "B1")])) == 2


def test_a_stay_of_30_minutes_makes_the_venue_building_medium_but_29_do_not():
    assert ("medium", "building", "B4", 7) in zones([confirmed("P1", "B1")], [stay("P1", "B4", 30)])
    assert zones([confirmed("P1", "B1")], [stay("P1", "B4", 29.9)]) == zones([confirmed("P1", "B1")])


def test_a_venue_building_that_is_high_is_not_also_medium():
    shown = zones([confirmed("P1", "B1"), confirmed("P2", "B3")], [stay("P2", "B1", 120)])

    assert shown == [("high", "building", "B1", 3), ("high", "building", "B3", 10), ("low", "district", "D1", 5)]


def test_each_district_with_a_zone_gets_its_own_low_zone():
    shown = zones([confirmed("P1", "B1")], [stay("P1", "B4", 45)])

    assert ("low", "district", "D1", 15) in shown and ("low", "district", "D2", 0) in shown


def test_a_case_without_a_home_makes_no_high_zone_but_its_stays_count():
    assert zones([confirmed("P0", None)], [stay("P0", "B3", 60)]) == [
        ("medium", "building", "B3", 10), ("low", "district", "D1", 8),
    ]


def test_stays_of_cases_not_yet_confirmed_make_nothing():
    later = confirmed("P5", "B4", at=AS_OF + timedelta(hours=1))
    assert zones([later], [stay("P5", "B3", 60)]) == []


def test_with_high_unit_community_the_whole_community_is_high_and_hides_its_medium_buildings():
    rules = RULES.model_copy(update={"high_unit": HighUnit.community})

    shown = zones([confirmed("P1", "B1")], [stay("P1", "B2", 60), stay("P1", "B3", 60)], rules=rules)

    assert shown == [("high", "community", "M1", 8), ("medium", "building", "B3", 10), ("low", "district", "D1", 0)]


def test_since_is_the_confirmation_of_the_first_case_and_low_since_the_districts_first_zone():
    first, second = datetime(2022, 10, 1, 2, tzinfo=UTC), datetime(2022, 10, 2, 2, tzinfo=UTC)
    hits = hits_by_unit([confirmed("P1", "B1", first), confirmed("P2", "B1", second), confirmed("P3", "B3", second)],
                        [], RULES, as_of=AS_OF)

    drawn = {(z.level, z.unit_id): z.since for z in delineate(hits, {}, CITY, RULES, as_of=AS_OF, tz=TZ)}

    assert drawn == {(ZoneLevel.high, "B1"): first, (ZoneLevel.high, "B3"): second, (ZoneLevel.low, "D1"): first}


def test_a_district_stretch_starts_at_the_first_of_overlapping_episodes_and_breaks_at_a_gap():
    t = [datetime(2022, 10, d, tzinfo=UTC) for d in range(1, 12)]
    overlapping = [Episode(t[0], t[4]), Episode(t[3], None)]
    broken = [Episode(t[0], t[2]), Episode(t[5], None)]

    assert stretch_start(overlapping, t[8]) == t[0]
    assert stretch_start(broken, t[8]) == t[5]
    assert stretch_start([Episode(t[0], t[2])], t[8]) is None
