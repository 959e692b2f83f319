"""The situation's figures, each on a constructed world."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.service.reports.situation_world import DAY, END, build_situation

from ringfence.cases.models import FoundVia
from ringfence.eventlog.store import open_store
from ringfence.protocols import service as protocols
from ringfence.reports import situation as read_side
from ringfence.reports.rules import CaseFact

PROTOCOL = protocols.load("covid19-cn-9")
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(session, settings):
    return build_situation(session, settings)


@pytest.fixture
def figures(world, session, settings):
    with open_store(settings) as store:
        return read_side.situation(session=session, store=store, protocol=PROTOCOL, day=DAY, tz=TZ)


def test_the_day_is_reported_as_of_the_end_of_its_local_day(figures) -> None:
    assert figures.as_of == END


def test_the_headline_counts_community_cases_and_their_share(figures) -> None:
    h = figures.headline
    assert (h.new_cases, h.community_cases, h.controlled_cases) == (3, 2, 1)
    assert h.community_share == pytest.approx(2 / 3)
    assert (h.cases_last_7_days, h.cases_previous_7_days, h.change_7_days) == (4, 0, None)
    assert h.community_share_7_days == pytest.approx(3 / 4)


def test_new_cases_are_counted_by_day_district_and_way_found(figures) -> None:
    rows = [(r.day, r.district_id, r.found_via, r.cases) for r in figures.daily_cases]
    assert rows == [
        (date(2022, 10, 17), "D1", FoundVia.sentinel, 1),
        (DAY, "D1", FoundVia.screening, 1),
        (DAY, "D2", FoundVia.controlled, 1),
        (DAY, "D_", FoundVia.arrival, 1),
    ]


def test_overdue_tasks_are_counted_by_kind_and_district(figures) -> None:
    overdue = figures.overdue
    assert (overdue.total, overdue.by_kind, overdue.by_district) == (1, {"investigate_case": 1}, {"D1": 1})
    [row] = overdue.longest
    # 26 h late: raised to the subdistrict when due, and to the district 24 h later
    assert row.hours_overdue == pytest.approx(26) and row.escalated_to == "D1"


def test_coverage_is_the_share_of_residents_sampled_in_the_window_per_district(figures) -> None:
    coverage = {r.district_id: (r.residents, r.sampled) for r in figures.coverage.districts}
    assert coverage["D1"] == (2, 1) and coverage["D2"] == (1, 0)
    assert (figures.coverage.residents, figures.coverage.sampled) == (4, 1)
    assert figures.coverage.coverage == pytest.approx(1 / 4)


def test_occupancy_without_facilities_has_no_share(figures) -> None:
    assert figures.occupancy.available and figures.occupancy.beds == 0 and figures.occupancy.occupancy is None


def test_time_to_placement_is_the_median_over_cases_whose_contacts_are_all_placed(world, session) -> None:
    from ringfence.isolation.models import Placement
    from ringfence.isolation.rules import PlacementKind, PlacementStatus
    from ringfence.tracing.models import ContactRecord, Measure
    from ringfence.tracing.rules import ContactCategory, ExposureVia

    def contact(case, person_id, measure=Measure.home_isolation):
        return ContactRecord(case_id=case.case_id, person_id=person_id, category=ContactCategory.close,
                             via=ExposureVia.household, traced_at=case.confirmed_at, measure=measure,
                             measure_until=DAY + timedelta(days=7), test_dates=[])

    def placement(person_id, placed_at):
        return Placement(person_id=person_id, kind=PlacementKind.home, status=PlacementStatus.placed,
                         home_building_id="B1", start=DAY, until=DAY + timedelta(days=7), test_dates=[],
                         due_at=placed_at, queued_at=placed_at, placed_at=placed_at, placed_by="test")

    p1, p3 = world["P1"], world["P3"]
    session.add_all([contact(p1, "P2"), contact(p3, "P0"), contact(p3, "P4", Measure.tests)])
    session.add(placement("P2", p1.sampled_at + timedelta(hours=20)))
    session.flush()
    facts = [CaseFact(c.case_id, c.confirmed_at, c.sampled_at, c.found_via, "D1") for c in (p1, p3)]
    figures = read_side.placement_figures(session=session, facts=facts)
    # P1's only contact placed 20 h after its sample; P3's isolating contact P0 is not placed yet
    # (P4 is a companion to test, not to place)
    assert (figures.available, figures.median_hours, figures.cases_measured, figures.cases_waiting) == (
        True, pytest.approx(20), 1, 1)


def test_rt_of_a_steady_epidemic_is_about_one_with_the_window_labelled_by_its_last_day() -> None:
    first = datetime(2022, 10, 1, 4, 0, tzinfo=UTC)
    facts = [CaseFact(day * 100 + i, first + timedelta(days=day), None, FoundVia.screening, "D1")
             for day in range(21) for i in range(20)]
    rt = read_side.rt_figures(facts, last=date(2022, 10, 21), tz=TZ, protocol=PROTOCOL)
    assert rt.first_day == date(2022, 10, 1) and rt.latest.day == date(2022, 10, 21)
    assert rt.latest.mean == pytest.approx(1.0, abs=0.05)
    assert rt.latest.q025 < rt.latest.mean < rt.latest.q975


def test_cases_found_on_arrival_are_imported_and_do_not_raise_rt() -> None:
    first = datetime(2022, 10, 1, 4, 0, tzinfo=UTC)
    local = [CaseFact(day * 100 + i, first + timedelta(days=day), None, FoundVia.screening, "D1")
             for day in range(21) for i in range(20)]
    arrivals = [CaseFact(10_000 + day * 100 + i, first + timedelta(days=day), None, FoundVia.arrival, "D1")
                for day in range(14, 21) for i in range(20)]
    steady = read_side.rt_figures(local, last=date(2022, 10, 21), tz=TZ, protocol=PROTOCOL).latest.mean
    with_arrivals = read_side.rt_figures(local + arrivals, last=date(2022, 10, 21), tz=TZ, protocol=PROTOCOL).latest.mean
    assert with_arrivals < steady  # more infectors, the same local cases


def test_too_short_a_series_gives_no_rt(figures) -> None:
    assert figures.rt.points == [] and figures.rt.latest is None and figures.rt.first_day == date(2022, 10, 17)


def test_case_facts_place_each_case_in_its_home_district(world, session) -> None:
    paths = read_side.district_paths(read_side.districts(session=session))
    facts = {f.case_id: f.district_id for f in read_side.case_facts(session=session, until=END, paths=paths)}
    assert facts == {world["P1"].case_id: "D1", world["P2"].case_id: "D1", world["P3"].case_id: "D2",
                     world["P4"].case_id: "D_"}
