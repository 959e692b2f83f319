from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringfence.tasks import rules

DUE = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
CHAIN = rules.ancestors_of("/C/D1/S1/M1/")


def test_the_chain_of_an_area_runs_from_itself_up_to_the_city() -> None:
    assert CHAIN == ["M1", "S1", "D1", "C"]


@pytest.mark.parametrize(("late", "steps"), [
    (timedelta(0), 0),
    (timedelta(seconds=1), 1),
    (timedelta(hours=23, minutes=59), 1),
    (timedelta(hours=24), 2),
    (timedelta(hours=47, minutes=59), 2),
    (timedelta(hours=48), 3),
    (timedelta(days=10), 11),
])
def test_a_task_rises_one_level_when_overdue_and_one_more_per_full_period(late, steps) -> None:
    assert rules.escalation_steps(due_at=DUE, as_of=DUE + late, period=DAY) == steps


def test_a_task_not_yet_due_does_not_rise() -> None:
    assert rules.escalation_steps(due_at=DUE, as_of=DUE - timedelta(hours=5), period=DAY) == 0


@pytest.mark.parametrize(("steps", "target"), [
    (0, (None, 0)), (1, ("S1", 1)), (2, ("D1", 2)), (3, ("C", 3)), (4, ("C", 3)), (40, ("C", 3)),
])
def test_escalation_climbs_the_tree_and_stops_at_the_city(steps, target) -> None:
    assert rules.escalation_target(CHAIN, steps) == target


def test_a_task_of_the_city_itself_has_nowhere_to_rise() -> None:
    assert rules.escalation_target(["C"], 3) == (None, 0)


def test_overdue_means_past_due_and_not_done_by_then() -> None:
    assert not rules.is_overdue(due_at=DUE, as_of=DUE)
    assert rules.is_overdue(due_at=DUE, as_of=DUE + timedelta(minutes=1))
    assert not rules.is_overdue(due_at=DUE, as_of=DUE + DAY, done_at=DUE + timedelta(hours=2))
    assert rules.is_overdue(due_at=DUE, as_of=DUE + DAY, done_at=DUE + 2 * DAY)


def facts(created_h: float, due_h: float, done_h: float | None = None, cancelled: bool = False) -> rules.TaskFacts:
    start = DUE - DAY
    return rules.TaskFacts(
        created_at=start + timedelta(hours=created_h), due_at=start + timedelta(hours=due_h),
        done_at=None if done_h is None else start + timedelta(hours=done_h), cancelled=cancelled,
    )


def test_sla_figures_count_on_time_late_overdue_and_pending_tasks() -> None:
    as_of = DUE - DAY + timedelta(hours=30)
    figures = rules.sla_figures([
        facts(0, 24, done_h=4),  # on time, 4 h
        facts(0, 24, done_h=24),  # on time at the deadline itself, 24 h
        facts(0, 24, done_h=28),  # late, 28 h
        facts(0, 24),  # open and overdue
        facts(10, 34),  # open, not due yet: undecided
        facts(0, 24, cancelled=True),  # does not count
        facts(0, 24, done_h=40),  # done after as_of: still overdue at as_of
    ], as_of=as_of)
    assert (figures.total, figures.done, figures.done_on_time, figures.overdue_now) == (6, 3, 2, 2)
    assert figures.on_time_share == pytest.approx(2 / 5)
    assert figures.median_hours_to_done == pytest.approx(24.0)


def test_sla_figures_of_nothing_decided_have_no_share_and_no_median() -> None:
    figures = rules.sla_figures([facts(0, 48)], as_of=DUE)
    assert (figures.total, figures.on_time_share, figures.median_hours_to_done) == (1, None, None)
