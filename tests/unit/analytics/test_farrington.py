"""Farrington and flexible Farrington against surveillance's tests and outputs (ALGORITHMS.md §2.2)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ringfence.analytics import farrington as f
from ringfence.analytics import farrington_thresholds as thresholds
from ringfence.core.errors import InvalidInput

REFERENCE = Path(__file__).parents[2] / "data" / "reference"
RTOL = 1e-5  # the oracle files print 7 significant digits

OLD_OPTIONS = f.FarringtonControl(
    no_periods=1, b=4, w=3, weights_threshold=1, past_weeks_not_included=3, p_threshold_trend=0.05, alpha=0.1
)
NEW_OPTIONS = f.FarringtonControl(
    no_periods=10,
    b=4,
    w=3,
    weights_threshold=2.58,
    past_weeks_not_included=26,
    p_threshold_trend=1,
    alpha=0.1,
)
CONTROLS = {
    1: OLD_OPTIONS,
    2: NEW_OPTIONS,
    3: replace(NEW_OPTIONS, threshold_method=f.ThresholdMethod.muan),
    4: replace(NEW_OPTIONS, threshold_method=f.ThresholdMethod.nb_plugin),
}


def counts(name: str) -> list[float]:
    with (REFERENCE / name).open() as handle:
        return [float(row["observed"]) for row in csv.DictReader(handle)]


def oracle(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open() as handle:
        return list(csv.DictReader(handle))


def optional(text: str) -> float | None:
    return None if text == "NA" else float(text)


def assert_matches(
    verdicts: list[f.FarringtonVerdict], rows: list[dict[str, str]], *, exact_bounds: bool = False
):
    index_field = "week" if "week" in rows[0] else "index"
    assert [v.index for v in verdicts] == [int(r[index_field]) for r in rows]
    for v, row in zip(verdicts, rows, strict=True):
        where = f"period {v.index}"
        assert v.alarm == (row["alarm"] == "1"), where
        expected_bound = optional(row["upperbound"])
        if expected_bound is None:
            assert v.upperbound is None, where
        elif exact_bounds:
            assert v.upperbound == expected_bound, where
        else:
            assert v.upperbound == pytest.approx(expected_bound, rel=RTOL), where
        if "expected" in row:
            expected_mean = optional(row["expected"])
            assert (v.expected is None) == (expected_mean is None), where
            if expected_mean is not None:
                assert v.expected == pytest.approx(expected_mean, rel=RTOL), where
        if "phi" in row:
            assert v.phi == pytest.approx(float(row["phi"]), rel=RTOL), where
        if "trend" in row:
            assert bool(v.trend) == (row["trend"] == "1"), where


def test_weights_follow_the_packages_unit_test():
    weights = f.assign_weights(np.array([0, 0, 0, 0, 0, 2, 2, 2, 2, 2.0]), 0)
    np.testing.assert_allclose(weights, [1.6] * 5 + [0.4] * 5)


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (f.PowerTransform.none, (1.3073128, 8.6926872, 0.0907246, 0.8124165)),
        (f.PowerTransform.half, (1.9891097, 9.3744842, 0.1189986, 0.6857951)),
        (f.PowerTransform.two_thirds, (1.8084477, 9.1154825, 0.1094727, 0.7289546)),
    ],
)
def test_farrington_threshold_matches_the_packages_unit_test(transform, expected):
    got = thresholds.farrington_threshold(5, 0.2, 1, transform, 0.05, 8)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("method", "phi", "expected"),
    [
        (f.ThresholdMethod.muan, 1.5, (8, 24, 0.8597797, 0.4193982)),
        (f.ThresholdMethod.muan, 1.0, (9, 22, 0.9093099, 0.4605347)),
        (f.ThresholdMethod.nb_plugin, 1.5, (1, 10, 0.03763657, 1.11918153)),
        (f.ThresholdMethod.nb_plugin, 1.0, (2, 9, 0.01369527, 1.27061541)),
    ],
)
def test_noufaily_threshold_matches_the_packages_unit_test(method, phi, expected):
    got = thresholds.noufaily_threshold(np.log(5), np.log(2), phi, 0.05, method, 11)
    assert got[:2] == expected[:2]
    np.testing.assert_allclose(got[2:], expected[2:], rtol=1e-6)


def test_a_window_covers_w_plus_one_now_and_b_windows_back():
    control = f.FarringtonControl(b=3, w=2, freq=52)
    factor = f.seasonal_blocks(200, 200, control)
    assert np.count_nonzero(~np.isnan(factor)) == 2 + 1 + 3 * (2 * 2 + 1)


def test_monthly_reference_points_go_back_whole_years():
    factor = f.seasonal_blocks(48, 48, f.FarringtonControl(b=3, w=0, freq=12))
    assert (np.flatnonzero(~np.isnan(factor)) + 1).tolist() == [12, 24, 36, 48]


def test_seasonal_levels_split_the_gap_between_windows_evenly():
    factor = f.seasonal_blocks(300, 300, f.FarringtonControl(b=1, w=3, no_periods=10, freq=52))
    between = factor[300 - 52 + 3 : 300 - 4]  # from just after last year's window to before this one
    levels, sizes = np.unique(between, return_counts=True)
    assert levels.tolist() == list(range(1, 10))
    assert sizes.tolist() == [5] * 9  # 45 weeks in 9 blocks


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_salmonella_agona_matches_farrington_flexible(number):
    verdicts = f.farrington_flexible(counts("salmonella_agona_weekly.csv"), CONTROLS[number], range_start=282)
    rows = oracle(f"farringtonFlexible_salmonella_agona_control{number}.csv")
    # the negative-binomial thresholds are counts and must agree exactly
    assert_matches(verdicts, rows, exact_bounds=number in (3, 4))


def test_the_published_control_1_and_2_bounds_and_alarms():
    y = counts("salmonella_agona_weekly.csv")
    first = f.farrington_flexible(y, CONTROLS[1], range_start=282)
    np.testing.assert_allclose(
        [v.upperbound for v in first[:5]], [3.022556, 2.931784, 3.260799, 3.371692, 2.810008], rtol=RTOL
    )
    assert [v.index for v in first if v.alarm] == [283, 284, 285, 287, 288, 289, 291, 292, 294, 295, 304]
    second = f.farrington_flexible(y, CONTROLS[2], range_start=282)
    assert [v.index for v in second if v.alarm] == [283, 284, 285, 288, 294, 295]


def test_salmonella_agona_matches_the_original_algo_farrington():
    verdicts = f.farrington_original(
        counts("salmonella_agona_weekly.csv"), b=4, w=3, alpha=0.1, range_start=282
    )
    rows = oracle("algo_farrington_salmonella_agona.csv")
    assert_matches(verdicts, rows)
    assert [v.index for v in verdicts if v.alarm] == [284, 285, 288, 289, 291]


def test_sparse_hepatitis_a_has_no_bound_without_five_cases_in_four_weeks():
    y = counts("ha_berlin_weekly_total.csv")
    # the oracle run kept the trend whatever its p-value (pThresholdTrend = 1, Noufaily's advice)
    control = f.FarringtonControl(
        b=4,
        w=3,
        no_periods=10,
        past_weeks_not_included=26,
        alpha=0.05,
        p_threshold_trend=1,
        threshold_method=f.ThresholdMethod.nb_plugin,
    )
    verdicts = f.farrington_flexible(y, control, range_start=len(y) - 51)
    rows = oracle("farringtonFlexible_ha_noufaily_nbPlugin_last52.csv")
    assert_matches(verdicts, rows, exact_bounds=True)
    assert any(v.upperbound is None for v in verdicts) and any(v.upperbound is not None for v in verdicts)


def test_the_default_range_starts_b_years_and_a_window_in():
    assert f.default_range_start(f.FarringtonControl()) == 52 * 5 + 3 + 1


def test_it_refuses_a_series_too_short_for_b_years():
    with pytest.raises(InvalidInput, match="decrease b"):
        f.farrington_flexible([1.0] * 300, f.FarringtonControl(b=5), range_start=200)


def test_it_refuses_negative_counts():
    with pytest.raises(InvalidInput, match="negative"):
        f.farrington_flexible([1.0] * 299 + [-1.0], f.FarringtonControl(b=5))
