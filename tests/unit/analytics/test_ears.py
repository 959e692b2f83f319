"""EARS C1–C3 against surveillance::earsC's test suite and the oracle of ALGORITHMS.md §2.1."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ringfence.analytics.ears import C3Variant, EarsMethod, ears, first_monitorable
from ringfence.core.errors import InvalidInput

REFERENCE = Path(__file__).parents[2] / "data" / "reference"
TOL = 1e-8
TINY = [5, 7, 6, 8, 5, 6, 7, 9, 6, 5, 20, 7, 6, 8, 30, 9]  # EARS-2 hand series


def salm_newport_until_2011() -> list[float]:
    with (REFERENCE / "salmNewport_germany_weekly.csv").open() as handle:
        counts = [float(row["observed"]) for row in csv.DictReader(handle)]
    return counts[:417]  # the test monitors ISO-year 2011, indices 366..417


def alarm_positions(verdicts, offset: int = 365) -> list[int]:
    return [v.index - offset for v in verdicts if v.alarm]


def test_c1_upper_bounds_match_surveillances_test_on_salm_newport():
    verdicts = ears(salm_newport_until_2011(), EarsMethod.c1, alpha=0.05, range_start=366)
    expected = [
        3.278853594,
        3.278853594,
        3.436517274,
        3.855616645,
        3.855616645,
        3.855616645,
        3.855616645,
        3.869743499,
    ]
    np.testing.assert_allclose([v.upperbound for v in verdicts[:8]], expected, atol=1e-8)
    assert [v.observed for v in verdicts[:8]] == [1, 0, 3, 3, 3, 1, 0, 0]


@pytest.mark.parametrize(
    ("method", "alpha", "variant", "positions"),
    [
        (EarsMethod.c1, 0.05, C3Variant.textbook, [31, 35, 43, 44, 45, 46]),
        (EarsMethod.c2, 0.05, C3Variant.textbook, [15, 16, 31, 35, 44, 45, 46, 47]),
        (EarsMethod.c3, 0.05, C3Variant.surveillance, [32, 45, 46, 47, 48, 49]),
        (EarsMethod.c1, None, C3Variant.textbook, [31, 44, 45]),
        (EarsMethod.c2, None, C3Variant.textbook, [31, 44, 45, 46, 47]),
        (EarsMethod.c3, None, C3Variant.surveillance, [32, 45, 46, 47, 48, 49]),
    ],
)
def test_alarms_in_2011_match_the_package(method, alpha, variant, positions):
    verdicts = ears(salm_newport_until_2011(), method, alpha=alpha, range_start=366, c3_variant=variant)
    assert alarm_positions(verdicts) == positions


def test_c1_on_the_hand_series_matches_the_oracle():
    verdicts = ears(TINY, EarsMethod.c1)
    assert [v.index for v in verdicts] == list(range(8, 17))
    expected = [
        9.724207369,
        11.014078294,
        10.979211484,
        11.243420672,
        24.803700765,
        24.614580515,
        24.614580515,
        24.643655002,
        41.285633786,
    ]
    np.testing.assert_allclose([v.upperbound for v in verdicts], expected, atol=TOL)
    assert alarm_positions(verdicts, 0) == [11, 15]


def test_c2_on_the_hand_series_matches_the_oracle():
    verdicts = ears(TINY, EarsMethod.c2)
    assert [v.index for v in verdicts] == list(range(10, 17))
    expected = [
        9.724207369,
        11.014078294,
        10.979211484,
        11.243420672,
        24.803700765,
        24.614580515,
        24.614580515,
    ]
    np.testing.assert_allclose([v.upperbound for v in verdicts], expected, atol=TOL)
    assert alarm_positions(verdicts, 0) == [11, 15]


def test_surveillance_c3_reproduces_the_package_and_misses_the_spike_at_15():
    verdicts = ears(TINY, EarsMethod.c3, c3_variant=C3Variant.surveillance)
    assert [v.index for v in verdicts] == list(range(12, 17))
    np.testing.assert_allclose(
        [v.upperbound for v in verdicts], [0, 0, 18.476448172, 40.175286804, 2.938283631], atol=TOL
    )
    assert alarm_positions(verdicts, 0) == [12, 13, 16]


def test_textbook_c3_sums_three_days_of_exceedances_and_flags_the_spike():
    verdicts = ears(TINY, EarsMethod.c3)
    np.testing.assert_allclose([v.statistic for v in verdicts], [8.77, 8.77, 0, 3.13, 3.13], atol=5e-3)
    assert alarm_positions(verdicts, 0) == [12, 13, 15, 16]


def test_textbook_c3_bound_is_the_count_above_which_it_alarms():
    verdicts = ears(TINY, EarsMethod.c3)
    assert [v.observed > v.upperbound for v in verdicts] == [v.alarm for v in verdicts]
    # t = 15: the two days before add nothing, so the bound is mean + sd·(1 + z) of days 3..9
    baseline = np.array(TINY[5:12])
    assert verdicts[3].upperbound == pytest.approx(baseline.mean() + baseline.std(ddof=1) * (1 + 1.959963985))


def test_default_ranges_start_after_the_baseline_and_the_lags():
    assert [first_monitorable(m) for m in EarsMethod] == [8, 10, 12]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": EarsMethod.c1, "baseline": 2}, "at least 3"),
        ({"method": EarsMethod.c2, "range_start": 9}, "start at period 10"),
        ({"method": EarsMethod.c1, "alpha": 1.5}, "alpha"),
        ({"method": EarsMethod.c1, "range_start": 40}, "nothing to monitor"),
    ],
)
def test_it_refuses_settings_the_series_cannot_support(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        ears(TINY, **kwargs)
