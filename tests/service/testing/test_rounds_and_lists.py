"""Rounds, coverage, recalls and uncovered lists over the small city, scoped to the caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from tests.service.testing.screening_city import CITY, DISTRICT_B, PROTOCOL, at, build, reported, sampled

from ringfence.cases.models import Case, Classification
from ringfence.config import Settings
from ringfence.core.audit import AuditEntry
from ringfence.core.errors import Conflict, NotFound
from ringfence.eventlog.store import open_store
from ringfence.testing import flows, service
from ringfence.testing.models import RiskLevel
from ringfence.testing.schemas import RoundCreate


@pytest.fixture
def city(session: Session, settings: Settings) -> Settings:
    build(session, settings)
    return settings


def new_round(session: Session, area_id: str = "D1", level: RiskLevel = RiskLevel.medium, **values):
    round_in = RoundCreate(area_id=area_id, level=level, starts_at=at(2, 6), **values)
    return service.create_round(session=session, scope=CITY, round_in=round_in, protocol=PROTOCOL, at=at(2, 5))


def test_a_round_takes_its_pool_size_and_deadline_from_the_protocol(session: Session, city: Settings) -> None:
    medium = new_round(session, round_id="r-medium", sites=["site1", "site2", "site1"])
    low = new_round(session, level=RiskLevel.low, round_id="r-low", deadline_hours=12)
    high = new_round(session, level=RiskLevel.high, round_id="r-high")
    assert (medium.pool_size, low.pool_size, high.pool_size) == (10, 20, 1)
    assert medium.deadline_at == at(3, 6)
    assert low.deadline_at == at(2, 18)
    assert medium.sites == ["site1", "site2"]
    assert session.query(AuditEntry).filter_by(action="round.create").count() == 3


def test_a_round_needs_a_visible_area_and_a_fresh_id(session: Session, city: Settings) -> None:
    new_round(session, round_id="r1")
    with pytest.raises(Conflict):
        new_round(session, round_id="r1")
    with pytest.raises(NotFound):
        new_round(session, area_id="nowhere")
    with pytest.raises(NotFound):
        service.create_round(
            session=session, scope=DISTRICT_B, protocol=PROTOCOL, at=at(2, 5),
            round_in=RoundCreate(area_id="D1", level=RiskLevel.low, starts_at=at(2, 6)),
        )


def test_a_district_sees_only_the_rounds_of_its_subtree(session: Session, city: Settings) -> None:
    new_round(session, round_id="r-d1")
    new_round(session, area_id="M2", round_id="r-m2")
    assert [r.round_id for r in service.get_rounds(session=session, scope=DISTRICT_B)] == ["r-m2"]
    with pytest.raises(NotFound):
        service.get_round(session=session, scope=DISTRICT_B, round_id="r-d1")
    assert {r.round_id for r in service.get_rounds(session=session, scope=CITY, open_at=at(3, 5))} == {"r-d1", "r-m2"}
    assert service.get_rounds(session=session, scope=CITY, open_at=at(3, 6)) == []


def test_coverage_gives_the_dashboard_figures_of_a_round(session: Session, city: Settings) -> None:
    whole_city = new_round(session, area_id="C", round_id="r-city")
    sampled(city, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)), ("P3", "T2", at(2, 9)))
    reported(city, ("T1", "positive", at(2, 10)))
    with open_store(city) as store:
        figures = service.coverage(session=session, store=store, screening_round=whole_city, as_of=at(2, 18))
    assert (figures.residents, figures.sampled, figures.tubes, figures.tubes_pending, figures.positive_pools) == (
        4, 3, 2, 1, 1
    )
    assert figures.coverage == 0.75
    assert (figures.hours_left, figures.overdue) == (12.0, False)
    assert [(a.area_id, a.residents, a.sampled) for a in figures.areas] == [
        ("D1", 2, 2), ("D2", 1, 1), ("D_", 1, 0)
    ]
    with open_store(city) as store:
        late = service.coverage(session=session, store=store, screening_round=whole_city, as_of=at(3, 7))
    assert (late.hours_left, late.overdue) == (-1.0, True)


def test_recall_lists_members_with_their_deadline_and_a_district_sees_only_its_own(
    session: Session, city: Settings
) -> None:
    sampled(city, ("P1", "T1", at(2, 8)), ("P2", "T1", at(2, 8)), ("P3", "T2", at(2, 8)), ("P4", "T2", at(2, 8)))
    reported(city, ("T1", "positive", at(2, 10)), ("T2", "positive", at(2, 11)))
    with open_store(city) as store:
        everything = service.recall(session=session, store=store, scope=CITY, protocol=PROTOCOL, as_of=at(2, 12))
        mine = service.recall(session=session, store=store, scope=DISTRICT_B, protocol=PROTOCOL, as_of=at(2, 12))
    assert [(r.person_id, r.tube_id, r.due_at) for r in everything.recall] == [
        ("P1", "T1", at(2, 22)), ("P2", "T1", at(2, 22)), ("P3", "T2", at(2, 23)), ("P4", "T2", at(2, 23)),
    ]
    assert [r.person_id for r in mine.recall] == ["P3"]


def test_a_positive_single_tube_is_reported_with_what_the_person_already_is(session: Session, city: Settings) -> None:
    session.add(Case(person_id="P3", classification=Classification.confirmed, confirmed_at=at(1, 8)))
    session.commit()
    sampled(city, ("P3", "S1", at(2, 8)), ("P1", "S2", at(2, 8)))
    reported(city, ("S1", "positive", at(2, 10)), ("S2", "positive", at(2, 10)))
    statuses = flows.person_statuses(session=session)
    with open_store(city) as store:
        document = service.recall(
            session=session, store=store, scope=CITY, protocol=PROTOCOL, as_of=at(2, 12), statuses=statuses
        )
    assert document.recall == []
    assert [(c.person_id, c.sample_id, c.status) for c in document.candidates] == [
        ("P1", "P1-S2-020800", None), ("P3", "P3-S1-020800", "case:confirmed"),
    ]


def test_uncovered_residents_are_grouped_by_building_and_none_is_left_out(session: Session, city: Settings) -> None:
    session.add(Case(person_id="P2", classification=Classification.asymptomatic, confirmed_at=at(1, 8)))
    session.commit()
    sampled(city, ("P3", "T9", at(2, 8)))
    with open_store(city) as store:
        document = service.uncovered(
            session=session, store=store, scope=CITY, area_id="C", since=at(2, 6), as_of=at(2, 12),
            statuses=flows.person_statuses(session=session),
        )
    assert [(r.person_id, r.building_id, r.status) for r in document.uncovered] == [
        ("P1", "B1", None), ("P2", "B1", "case:confirmed"), ("P4", "B_", None),
    ]
    assert [(b.building_id, b.address, b.uncovered, b.people) for b in document.buildings] == [
        ("B1", "1 North Rd", 2, ["P1", "P2"]), ("B_", "3 West Rd", 1, ["P4"]),
    ]
    assert session.query(AuditEntry).filter_by(action="screening.uncovered", subject="area:C").count() == 1


def test_uncovered_refuses_an_area_outside_the_jurisdiction(session: Session, city: Settings) -> None:
    with open_store(city) as store, pytest.raises(NotFound):
        service.uncovered(session=session, store=store, scope=DISTRICT_B, area_id="D1", since=at(2, 6), as_of=at(2, 12))


def test_overdue_key_group_members_are_counted_per_group_and_employer(session: Session, city: Settings) -> None:
    sampled(city, ("P1", "S1", at(2, 8) - timedelta(hours=48)))
    reported(city, ("S1", "negative", at(1, 9)))
    with open_store(city) as store:
        on_time = service.overdue(store=store, protocol=PROTOCOL, as_of=at(2, 8))
        late = service.overdue(store=store, protocol=PROTOCOL, as_of=at(2, 8, 1))
    assert on_time.overdue == [] and [(g.key, g.members, g.overdue) for g in on_time.groups] == [("courier", 1, 0)]
    assert [(r.person_id, r.key_group, r.due_at) for r in late.overdue] == [("P1", "courier", at(2, 8))]
    assert [(g.key, g.members, g.overdue) for g in late.employers] == [(None, 1, 1)]
