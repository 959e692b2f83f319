"""Daily aberration verdicts: EARS bounds as Hutwagner/Fricker define them, Farrington on weekly cycles."""

from __future__ import annotations

import statistics
from statistics import NormalDist

import pytest

from ringfence.surveillance.aberration import AlarmMethod, days_needed, judge_last_day, judge_series

BASELINE = [3, 5, 4, 6, 2, 4, 5, 3, 4, 6, 5, 4]


def test_c1_compares_the_day_with_mean_plus_z_sd_of_the_seven_days_before() -> None:
    counts = [*BASELINE, 14]
    window = counts[-8:-1]
    expected = statistics.mean(window) + NormalDist().inv_cdf(1 - 0.001) * statistics.stdev(window)
    verdict = judge_last_day(counts, AlarmMethod.ears_c1)
    assert verdict.judged and verdict.upperbound == pytest.approx(expected)
    assert verdict.alarm is (14 > expected)


def test_c2_leaves_a_two_day_gap_before_its_baseline() -> None:
    counts = [*BASELINE, 9]
    window = counts[-10:-3]
    expected = statistics.mean(window) + NormalDist().inv_cdf(1 - 0.001) * statistics.stdev(window)
    assert judge_last_day(counts, AlarmMethod.ears_c2).upperbound == pytest.approx(expected)


def test_c3_alarms_when_the_summed_exceedances_of_three_days_pass_its_threshold() -> None:
    counts = [*BASELINE, 9, 10, 11]
    z = NormalDist().inv_cdf(1 - 0.025)

    def exceedance(t: int) -> float:
        window = counts[t - 9:t - 2]
        return max(0.0, (counts[t] - statistics.mean(window)) / statistics.stdev(window) - 1)

    total = sum(exceedance(t) for t in (len(counts) - 3, len(counts) - 2, len(counts) - 1))
    assert judge_last_day(counts, AlarmMethod.ears_c3).alarm is (total > z)
    assert total > z  # the rising week is meant to alarm


def test_a_method_without_enough_days_does_not_judge() -> None:
    for method in AlarmMethod:
        verdict = judge_last_day([5.0] * (days_needed(method) - 1), method)
        assert not verdict.judged and not verdict.alarm and verdict.upperbound is None


def test_farrington_with_weekly_cycles_alarms_on_a_spike_and_not_on_a_usual_day() -> None:
    weekly = [4, 5, 6, 5, 4, 9, 10] * 4  # weekends busier, four weeks
    usual = judge_last_day([*weekly[:-1], 10], AlarmMethod.farrington_flexible)
    spike = judge_last_day([*weekly[:-1], 40], AlarmMethod.farrington_flexible)
    assert usual.judged and not usual.alarm
    assert spike.alarm and spike.upperbound < 40


def test_every_method_judges_a_long_enough_series() -> None:
    verdicts = judge_series([4.0, 5.0, 6.0, 5.0, 4.0, 9.0, 10.0] * 4)
    assert [v.method for v in verdicts] == list(AlarmMethod) and all(v.judged for v in verdicts)
