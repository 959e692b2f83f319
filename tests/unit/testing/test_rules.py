"""The screening rules at their boundaries, with the bundled protocol's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringfence.core.errors import InvalidInput
from ringfence.protocols.models import ArrivalMeasure
from ringfence.protocols.service import load
from ringfence.testing import rules
from ringfence.testing.models import OriginRisk, RiskLevel
from ringfence.testing.rules import ArrivalTestState, ReportState, TubeState

PROTOCOL = load("covid19-cn-9")
T0 = datetime(2022, 10, 1, 8, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(("level", "size"), [
    (RiskLevel.isolation, 1), (RiskLevel.key_group, 1), (RiskLevel.high, 1), (RiskLevel.medium, 10),
    (RiskLevel.low, 20), (RiskLevel.elsewhere, 20),
])
def test_the_pool_size_follows_the_protocol_by_level(level: RiskLevel, size: int) -> None:
    assert rules.pool_size(level, PROTOCOL.screening) == size


def test_an_unknown_level_has_no_pool_size() -> None:
    with pytest.raises(InvalidInput, match="no pool size"):
        rules.pool_size("purple", PROTOCOL.screening)


def test_people_in_isolation_and_key_groups_get_single_tubes_in_a_low_risk_area() -> None:
    screening = PROTOCOL.screening
    assert rules.person_pool_size(RiskLevel.low, screening, key_group=False, isolated=False) == 20
    assert rules.person_pool_size(RiskLevel.low, screening, key_group=True, isolated=False) == 1
    assert rules.person_pool_size(RiskLevel.medium, screening, key_group=False, isolated=True) == 1


def test_a_round_is_due_24_hours_after_it_starts_unless_told_otherwise() -> None:
    assert rules.round_deadline(T0, PROTOCOL.screening) == T0 + 24 * H
    assert rules.round_deadline(T0, PROTOCOL.screening, hours=12) == T0 + 12 * H
    with pytest.raises(InvalidInput):
        rules.round_deadline(T0, PROTOCOL.screening, hours=0)


def test_hours_left_turn_negative_once_the_deadline_has_passed() -> None:
    assert rules.hours_left(T0 + 24 * H, T0 + 18 * H) == 6
    assert rules.hours_left(T0, T0) == 0
    assert rules.hours_left(T0, T0 + 90 * timedelta(minutes=1)) == -1.5


def test_a_recall_is_due_12_hours_after_the_pool_result() -> None:
    assert rules.recall_due(T0, PROTOCOL.deadlines.recall_pool) == T0 + 12 * H


@pytest.mark.parametrize(("results", "state", "conflict"), [
    ([], TubeState.pending, False),
    (["invalid"], TubeState.invalid, False),
    (["invalid", "negative"], TubeState.negative, False),
    (["negative", "positive"], TubeState.positive, True),
    (["positive", "invalid"], TubeState.positive, False),
])
def test_a_positive_reading_wins_and_contradictions_are_flagged(results: list[str], state: TubeState, conflict: bool) -> None:
    assert rules.tube_state(results) is state
    assert rules.conflicting(results) is conflict


@pytest.mark.parametrize(("risk", "measure"), [
    (OriginRisk.high, ArrivalMeasure.central_isolation), (OriginRisk.medium, ArrivalMeasure.home_isolation),
    (OriginRisk.low, ArrivalMeasure.tests), (OriginRisk.none, ArrivalMeasure.none),
])
def test_the_origin_risk_decides_the_arrival_measure(risk: OriginRisk, measure: ArrivalMeasure) -> None:
    assert rules.arrival_measure(risk, PROTOCOL.arrivals) is measure


def test_an_advance_report_is_on_time_exactly_three_days_before_arriving() -> None:
    arrivals = PROTOCOL.arrivals
    assert rules.advance_report(T0, T0 - 72 * H, arrivals) is ReportState.on_time
    assert rules.advance_report(T0, T0 - 72 * H + timedelta(seconds=1), arrivals) is ReportState.late
    assert rules.advance_report(T0, T0, arrivals) is ReportState.late
    assert rules.advance_report(T0, T0 + timedelta(seconds=1), arrivals) is ReportState.missing
    assert rules.advance_report(T0, None, arrivals) is ReportState.missing


def test_the_arrival_test_is_missing_only_once_its_24_hours_are_over() -> None:
    arrivals = PROTOCOL.arrivals
    assert rules.arrival_tests(T0, [], T0 + 24 * H, arrivals).arrival_test is ArrivalTestState.not_yet_due
    assert rules.arrival_tests(T0, [], T0 + 24 * H + timedelta(seconds=1), arrivals).arrival_test is ArrivalTestState.missing
    assert rules.arrival_tests(T0, [T0 + 24 * H], T0 + 30 * H, arrivals).arrival_test is ArrivalTestState.done
    # a test taken before arriving is not the arrival test
    assert rules.arrival_tests(T0, [T0 - H], T0 + 30 * H, arrivals).arrival_test is ArrivalTestState.missing


def test_the_later_test_must_follow_the_first_24_hours_and_come_by_day_three() -> None:
    arrivals = PROTOCOL.arrivals
    both_early = rules.arrival_tests(T0, [T0 + H, T0 + 20 * H], T0 + 73 * H, arrivals)
    assert (both_early.arrival_test, both_early.later_test) == (ArrivalTestState.done, ArrivalTestState.missing)
    on_day_three = rules.arrival_tests(T0, [T0 + H, T0 + 72 * H], T0 + 80 * H, arrivals)
    assert on_day_three.later_test is ArrivalTestState.done
    too_late = rules.arrival_tests(T0, [T0 + H, T0 + 72 * H + timedelta(seconds=1)], T0 + 80 * H, arrivals)
    assert too_late.later_test is ArrivalTestState.missing
    assert rules.arrival_tests(T0, [T0 + H], T0 + 72 * H, arrivals).later_test is ArrivalTestState.not_yet_due


def test_a_key_group_member_is_overdue_only_after_the_full_48_hours() -> None:
    assert not rules.routine_overdue(T0, 48, T0 + 48 * H)
    assert rules.routine_overdue(T0, 48, T0 + 48 * H + timedelta(seconds=1))
    assert rules.routine_overdue(None, 48, T0)


def test_hospitals_need_a_negative_within_24_hours_and_other_key_places_within_48() -> None:
    key_places = PROTOCOL.key_places
    assert rules.negative_test_hours("hospital", key_places) == 24
    assert rules.negative_test_hours("school", key_places) == 48


def test_the_venue_check_needs_a_negative_known_at_the_scan_and_taken_within_the_hours() -> None:
    scan = T0 + 24 * H
    assert rules.venue_check_passes(scan, [(T0, T0 + H)], 24)  # exactly 24 h before
    assert not rules.venue_check_passes(scan, [(T0 - timedelta(seconds=1), T0 + H)], 24)
    assert not rules.venue_check_passes(scan, [(T0 + H, scan + H)], 24)  # result not known yet
    assert not rules.venue_check_passes(scan, [], 24)
