"""The situation of one part of the city: a district's (or subdistrict's) figures count only its own
cases, tasks, residents, beds and follow-ups; the whole city's stay as they were."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.service.reports.situation_world import DAY, END, MORNING, build_situation
from tests.service.surveillance.sentinel_world import append, sentinel_row

from ringfence.cases.models import FoundVia
from ringfence.eventlog.store import open_store
from ringfence.protocols import service as protocols
from ringfence.reports import service
from ringfence.reports import situation as read_side

PROTOCOL = protocols.load("covid19-cn-9")
TZ = ZoneInfo("Asia/Shanghai")
D1, D2, WILD, S1 = "/C/D1/", "/C/D2/", "/C/D_/", "/C/D1/S1/"


@pytest.fixture
def world(session, settings):
    """The situation world, plus a facility in D2 (two beds, P3 placed), P1 of D1 waiting for any bed,
    and P3 of D2 owing a sentinel follow-up test."""
    from ringfence.isolation.models import Facility, Placement, Room
    from ringfence.isolation.rules import PlacementKind, PlacementStatus

    cases = build_situation(session, settings)
    session.add(Facility(facility_id="F2", name="South hotel", kind="hotel", building_id="B2"))
    session.flush()
    session.add(Room(facility_id="F2", room_id="R1", capacity=2))
    session.flush()

    def placement(person_id: str, status: PlacementStatus, **where) -> Placement:
        return Placement(person_id=person_id, kind=PlacementKind.central, status=status, start=DAY,
                         until=DAY + timedelta(days=7), test_dates=[], due_at=MORNING, queued_at=MORNING,
                         placed_at=MORNING if status is PlacementStatus.placed else None, placed_by="test", **where)

    session.add_all([placement("P3", PlacementStatus.placed, facility_id="F2", room_id="R1", household_id="H3"),
                     placement("P1", PlacementStatus.waiting)])
    session.commit()
    append(settings, "sentinel", [sentinel_row("V1", MORNING, "antipyretic", person_id="P3")], "sentinel-1")
    return cases


def figures_of(session, settings, subtree):
    with open_store(settings) as store:
        return read_side.situation(session=session, store=store, protocol=PROTOCOL, day=DAY, tz=TZ, subtree=subtree)


def test_a_district_counts_only_the_cases_living_in_it(world, session, settings) -> None:
    d1 = figures_of(session, settings, D1)
    assert (d1.headline.new_cases, d1.headline.community_cases, d1.headline.cases_last_7_days) == (1, 1, 2)
    assert {r.district_id for r in d1.daily_cases} == {"D1"}
    assert [d.district_id for d in d1.districts] == ["D1"]
    d2 = figures_of(session, settings, D2)
    assert (d2.headline.new_cases, d2.headline.controlled_cases, d2.headline.community_share) == (1, 1, 0.0)
    assert [(r.found_via, r.cases) for r in d2.daily_cases] == [(FoundVia.controlled, 1)]


def test_a_district_whose_id_holds_a_like_wildcard_counts_no_other_district(world, session, settings) -> None:
    wild = figures_of(session, settings, WILD)
    assert wild.headline.new_cases == 1 and {r.district_id for r in wild.daily_cases} == {"D_"}
    assert wild.overdue.total == 0 and wild.coverage.residents == 1


def test_a_district_counts_only_the_overdue_tasks_of_its_territory(world, session, settings) -> None:
    d1, d2 = figures_of(session, settings, D1), figures_of(session, settings, D2)
    assert (d1.overdue.total, d1.overdue.by_district, [t.area_id for t in d1.overdue.longest]) == (1, {"D1": 1}, ["M1"])
    assert (d2.overdue.total, d2.overdue.longest) == (0, [])


def test_coverage_counts_only_the_residents_of_the_part(world, session, settings) -> None:
    d1, s1, d2 = (figures_of(session, settings, p) for p in (D1, S1, D2))
    assert (d1.coverage.residents, d1.coverage.sampled) == (2, 1)
    assert (s1.coverage.residents, s1.coverage.sampled) == (2, 1)
    assert (d2.coverage.residents, d2.coverage.sampled, d2.coverage.coverage) == (1, 0, 0.0)


def test_occupancy_counts_the_beds_standing_in_the_part_and_its_residents_waiting(world, session, settings) -> None:
    d1, d2 = figures_of(session, settings, D1), figures_of(session, settings, D2)
    assert (d2.occupancy.beds, d2.occupancy.occupied, d2.occupancy.waiting, d2.occupancy.occupancy) == (2, 1, 0, 0.5)
    assert (d1.occupancy.beds, d1.occupancy.occupied, d1.occupancy.waiting, d1.occupancy.occupancy) == (0, 0, 1, None)
    city = figures_of(session, settings, None)
    assert (city.occupancy.beds, city.occupancy.occupied, city.occupancy.waiting) == (2, 1, 1)


def test_sentinel_follow_ups_are_counted_where_the_person_lives(world, session, settings) -> None:
    d1, d2, city = (figures_of(session, settings, p) for p in (D1, D2, None))
    owed = [f.sentinel.followups_missed + f.sentinel.followups_pending for f in (city, d2, d1)]
    assert owed == [1, 1, 0]
    # the event happened at V1 in D1: events are placed at the site, and judged per district
    assert (d1.sentinel.events_today, d2.sentinel.events_today) == (1, 0)


def test_a_subdistrict_shows_its_cases_with_its_district_named(world, session, settings) -> None:
    s1 = figures_of(session, settings, S1)
    assert s1.headline.new_cases == 1 and [d.district_id for d in s1.districts] == ["D1"]
    assert s1.overdue.total == 1


def test_the_whole_city_still_counts_every_case_and_task(world, session, settings) -> None:
    city = figures_of(session, settings, None)
    assert (city.headline.new_cases, city.overdue.total, city.coverage.residents) == (3, 1, 4)
    assert city.as_of == END


def test_the_part_s_report_draws_only_its_own_cases_on_the_curve(world, session, settings) -> None:
    with open_store(settings) as store:
        report = service.daily(session=session, store=store, protocol=PROTOCOL, day=DAY, tz=TZ, lang="en", subtree=D2)
    drawn = report.charts["epidemic_curve"]["data"]["values"]
    assert sum(v["cases"] for v in drawn) == 1
    sentinel = json.dumps(report.charts["sentinel"])
    assert "Area D2" in sentinel and "Area D1" not in sentinel
