"""The situation's definitions: community share, time to placement, daily totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ringfence.cases.models import FoundVia
from ringfence.reports import rules
from ringfence.reports.rules import CaseFact

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2022, 10, 10, 2, 0, tzinfo=UTC)


def test_every_way_of_being_found_but_among_controlled_people_is_community() -> None:
    assert [rules.is_community(v) for v in FoundVia] == [v is not FoundVia.controlled for v in FoundVia]


def test_the_community_share_is_community_cases_over_all_cases() -> None:
    found = [FoundVia.screening, FoundVia.controlled, FoundVia.controlled, FoundVia.arrival]
    assert rules.community_share(found) == pytest.approx(2 / 4)
    assert rules.community_share([]) is None


def test_time_to_placement_runs_to_the_last_contact_placed() -> None:
    placed = [AT + timedelta(hours=5), AT + timedelta(hours=30)]
    assert rules.placement_hours(AT, placed) == pytest.approx(30)


def test_a_case_with_a_contact_not_placed_or_no_contact_has_no_time_to_placement() -> None:
    assert rules.placement_hours(AT, [AT + timedelta(hours=5), None]) is None
    assert rules.placement_hours(AT, []) is None


def test_a_contact_already_isolated_when_the_case_was_sampled_counts_as_placed_at_once() -> None:
    running = [(AT - timedelta(days=2), None)]
    assert rules.contact_placed_at(AT, running) == AT


def test_a_contact_counts_from_the_first_placement_after_the_sample_and_not_from_an_ended_one() -> None:
    placements = [(AT - timedelta(days=20), AT - timedelta(days=10)), (AT + timedelta(hours=9), None),
                  (AT + timedelta(hours=40), None), (None, None)]
    assert rules.contact_placed_at(AT, placements) == AT + timedelta(hours=9)
    assert rules.contact_placed_at(AT, [(AT - timedelta(days=20), AT - timedelta(days=10))]) is None


def test_the_median_ignores_unknown_values() -> None:
    assert rules.median([10.0, None, 2.0, 4.0]) == 4.0
    assert rules.median([None]) is None


def test_daily_totals_count_cases_by_their_local_day_of_confirmation() -> None:
    # 23:30 UTC on the 9th is 07:30 on the 10th in Shanghai
    cases = [CaseFact(1, datetime(2022, 10, 9, 23, 30, tzinfo=UTC), None, FoundVia.other, "D1"),
             CaseFact(2, datetime(2022, 10, 9, 15, 0, tzinfo=UTC), None, FoundVia.other, "D1")]
    assert rules.daily_totals(cases, date(2022, 10, 9), date(2022, 10, 11), TZ) == [1, 1, 0]
