"""Sentinel follow-up arithmetic: the testing window, its statuses, where sites and people lie."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ringfence.protocols import service as protocols
from ringfence.surveillance import rules
from ringfence.surveillance.rules import FollowUpStatus

PROTOCOL = protocols.load("covid19-cn-9")
AT = datetime(2022, 10, 10, 2, 0, tzinfo=UTC)
HOURS = PROTOCOL.sentinel.test_within_hours


def test_a_sample_inside_the_window_makes_the_follow_up_tested_at_the_first_such_sample() -> None:
    verdict = rules.judge(AT, [AT + timedelta(hours=20), AT + timedelta(hours=3)], as_of=AT + timedelta(days=2),
                          protocol=PROTOCOL)
    assert verdict.status is FollowUpStatus.tested
    assert verdict.tested_at == AT + timedelta(hours=3)
    assert verdict.test_by == AT + timedelta(hours=HOURS)


def test_a_sample_at_the_very_end_of_the_window_still_counts() -> None:
    verdict = rules.judge(AT, [AT + timedelta(hours=HOURS)], as_of=AT + timedelta(days=3), protocol=PROTOCOL)
    assert verdict.status is FollowUpStatus.tested


def test_samples_before_the_event_or_after_the_window_do_not_count() -> None:
    samples = [AT - timedelta(minutes=1), AT + timedelta(hours=HOURS, seconds=1)]
    verdict = rules.judge(AT, samples, as_of=AT + timedelta(days=3), protocol=PROTOCOL)
    assert verdict.status is FollowUpStatus.missed and verdict.tested_at is None


def test_without_a_sample_it_is_pending_until_the_window_closes_then_missed() -> None:
    assert rules.judge(AT, [], as_of=AT + timedelta(hours=HOURS), protocol=PROTOCOL).status is FollowUpStatus.pending
    assert rules.judge(AT, [], as_of=AT + timedelta(hours=HOURS, seconds=1),
                       protocol=PROTOCOL).status is FollowUpStatus.missed


def test_a_sample_not_yet_collected_at_as_of_is_not_known() -> None:
    verdict = rules.judge(AT, [AT + timedelta(hours=5)], as_of=AT + timedelta(hours=4), protocol=PROTOCOL)
    assert verdict.status is FollowUpStatus.pending


@pytest.mark.parametrize(("category", "person_id", "owed"), [
    ("antipyretic", "P1", True), ("fever_clinic", "P1", True), ("vitamins", "P1", False),
    ("antibiotic", None, False), ("antibiotic", "", False),
])
def test_only_rows_naming_a_person_in_a_monitored_category_owe_a_test(category, person_id, owed) -> None:
    assert rules.requires_followup(category, person_id, PROTOCOL) is owed


def test_the_task_is_due_the_protocol_deadline_after_the_event() -> None:
    assert rules.task_due(AT, PROTOCOL) == AT + timedelta(hours=PROTOCOL.deadlines.sentinel_followup)


def test_a_path_lies_in_the_district_whose_path_starts_it_else_unknown() -> None:
    districts = {"/C/D1/": "D1", "/C/D2/": "D2"}
    assert rules.district_of("/C/D2/S2/M2/", districts) == "D2"
    assert rules.district_of("/C/D3/M3/", districts) == rules.UNKNOWN_DISTRICT
    assert rules.district_of(None, districts) == rules.UNKNOWN_DISTRICT


def test_a_daily_series_has_a_zero_for_every_day_without_a_count() -> None:
    series = rules.daily_series({date(2022, 10, 2): 4, date(2022, 10, 4): 1}, date(2022, 10, 1), date(2022, 10, 5))
    assert series == [0, 4, 0, 1, 0]


def test_days_too_far_out_to_count_from_are_refused() -> None:
    from ringfence.core.errors import InvalidInput

    assert rules.check_day(date(2022, 10, 1)) == date(2022, 10, 1)
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(InvalidInput, match="outside"):
            rules.check_day(day)
