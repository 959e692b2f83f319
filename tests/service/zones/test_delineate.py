"""Delineation over the store and the event log: homes, long stays in the window, screening rounds."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.service.zones.zone_city import build, confirm, delineate, drawn, local, reported, sampled, scanned

from ringfence.cases.models import CaseStatus
from ringfence.protocols.models import HighUnit
from ringfence.zones.kinds import BlockerKind, ZoneLevel


@pytest.fixture
def city(session, settings):
    build(session, settings)
    return settings


def test_a_case_makes_its_home_high_and_a_long_stay_makes_the_venue_building_medium(session, city):
    confirm(session, "P1", local(3))
    scanned(city, ("P1", "V2", local(2, 12), local(2, 12, 40)))

    assert drawn(session, city, local(3, 12)) == [
        ("high", "building", "B1", 2), ("medium", "building", "B2", 1),
        ("low", "district", "D1", 0), ("low", "district", "D2", 0),
    ]


def test_stays_that_are_short_outside_the_window_or_in_no_building_make_nothing(session, city):
    confirm(session, "P1", local(10))
    scanned(
        city,
        ("P1", "V2", local(9, 12), local(9, 12, 29)),  # 29 minutes
        ("P1", "V2", local(1, 12), local(1, 14)),  # long, but before the window opens (4 days before)
        ("P1", "V0", local(9, 8), local(9, 11)),  # a station in no building
        ("P1", "V2", local(10, 9, 45), local(10, 11)),  # only 15 minutes of it before confirmation
    )

    assert drawn(session, city, local(10, 12)) == [("high", "building", "B1", 2), ("low", "district", "D1", 0)]


def test_a_check_in_without_check_out_lasts_the_dwell_of_its_venue_kind(session, city):
    confirm(session, "P3", local(10))
    scanned(city, ("P3", "V1", local(9, 12)))  # a market: 40 minutes by the protocol

    assert ("medium", "building", "B1", 2) in drawn(session, city, local(10, 12))


def test_a_discarded_case_and_a_case_confirmed_later_make_no_zone(session, city):
    confirm(session, "P1", local(3), status=CaseStatus.discarded)
    confirm(session, "P3", local(5))

    assert drawn(session, city, local(4)) == []


def test_with_high_unit_community_the_community_is_the_high_zone(session, city):
    from ringfence.protocols.service import load

    protocol = load("covid19-cn-9")
    protocol = protocol.model_copy(update={"zones": protocol.zones.model_copy(update={"high_unit": HighUnit.community})})
    confirm(session, "P1", local(3))

    assert drawn(session, city, local(3, 12), protocol) == [("high", "community", "M1", 2), ("low", "district", "D1", 0)]


def _b1(session, city, as_of: datetime):
    return next(z for z in delineate(session, city, as_of) if z.unit_id == "B1")


def test_an_all_negative_round_of_the_other_residents_on_day_7_demotes_the_building(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "T2", local(8, 9)), ("P1", "T1", local(8, 9)))  # the case's own sample counts for nothing
    reported(city, ("T2", "negative", local(8, 15)), ("T1", "positive", local(8, 15)))

    zone = _b1(session, city, local(8, 20))

    assert (zone.level, zone.demoted, zone.since) == (ZoneLevel.medium, True, local(8, 0))
    assert zone.next_change.isoformat() == "2022-10-11"


def test_a_round_on_day_6_leaves_the_building_high_with_a_missing_round_on_day_7(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "T2", local(7, 9)))
    reported(city, ("T2", "negative", local(7, 15)))

    assert _b1(session, city, local(7, 20)).level is ZoneLevel.high
    zone = _b1(session, city, local(8, 20))
    assert zone.level is ZoneLevel.high
    assert [b.kind for b in zone.blockers] == [BlockerKind.missing_round]


def test_a_result_reported_after_as_of_is_a_pending_tube(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "T2", local(8, 9)))
    reported(city, ("T2", "negative", local(9, 3)))

    pending = _b1(session, city, local(8, 20))
    assert pending.level is ZoneLevel.high
    assert [b.kind for b in pending.blockers] == [BlockerKind.pending_tube]
    assert _b1(session, city, local(9, 4)).level is ZoneLevel.medium


def test_a_negative_pooled_tube_covers_its_members(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "POOL", local(8, 9)), ("P3", "POOL", local(8, 9)))
    reported(city, ("POOL", "negative", local(8, 15)))

    assert _b1(session, city, local(8, 20)).level is ZoneLevel.medium


def test_a_tube_whose_only_result_is_invalid_covers_no_one(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "BAD", local(8, 9)))
    reported(city, ("BAD", "invalid", local(8, 15)))

    zone = _b1(session, city, local(8, 20))
    assert zone.level is ZoneLevel.high
    assert [b.kind for b in zone.blockers] == [BlockerKind.missing_round]
