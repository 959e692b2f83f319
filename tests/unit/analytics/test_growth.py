"""Doubling time (incidence::fit) and the Forecast Hub's flat baseline (ALGORITHMS.md §5)."""

from __future__ import annotations

import numpy as np
import pytest

from ringfence.analytics.growth import baseline_forecast, fit_growth
from ringfence.core.errors import InvalidInput

# incidence's test-fit.R series: round(exp(0.2 · day)) for days 1..14
GROWING = [1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 9, 11, 13, 16]


def test_growth_rate_and_doubling_time_match_incidence_fit():
    fit = fit_growth(GROWING)
    np.testing.assert_allclose(
        [fit.r, fit.r_lower, fit.r_upper], [0.2124581216, 0.1952733926, 0.2296428506], rtol=1e-9
    )
    assert fit.growing
    assert fit.doubling_time == pytest.approx(3.262512044, rel=1e-9)
    np.testing.assert_allclose(fit.doubling_time_ci, [3.01837039, 3.549624305], rtol=1e-8)


def test_a_declining_curve_gives_a_halving_time():
    fit = fit_growth(GROWING[::-1])
    assert not fit.growing
    assert fit.r == pytest.approx(-0.2124581216, rel=1e-9)
    assert fit.doubling_time == pytest.approx(3.262512044, rel=1e-9)
    np.testing.assert_allclose(fit.doubling_time_ci, [3.01837039, 3.549624305], rtol=1e-8)


def test_zero_days_are_left_out_of_the_log_linear_fit():
    with_zeros = fit_growth([0, 1, 0, 2, 4, 0, 8])
    without = fit_growth([1, 2, 4, 8])
    assert with_zeros.days_dropped == 3 and with_zeros.days_used == 4
    # days 1, 3, 4, 6 are not evenly spaced, so the slope is not log 2 but the fit uses them
    assert with_zeros.r != pytest.approx(without.r)
    assert without.r == pytest.approx(np.log(2))


def test_a_doubling_time_bound_is_open_when_the_rate_may_be_zero():
    fit = fit_growth([5, 3, 6, 4, 7, 5, 6])
    assert fit.r_lower < 0 < fit.r_upper
    assert fit.doubling_time_ci[1] is None and fit.doubling_time_ci[0] > 0


def test_it_needs_three_days_with_cases():
    with pytest.raises(InvalidInput, match="at least 3"):
        fit_growth([0, 4, 0, 5])


def test_one_step_baseline_matches_the_hub_quantiles():
    forecast = baseline_forecast([10, 12, 15, 13, 18, 20], horizon=1)
    assert len(forecast) == 1
    np.testing.assert_allclose(
        list(forecast[0].quantiles.values()), [15.45, 16.80, 18.00, 20.00, 22.00, 23.20, 24.55], rtol=1e-9
    )


def test_later_horizons_stay_centred_non_negative_and_widen():
    forecast = baseline_forecast([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], horizon=4, seed=7)
    assert [f.horizon for f in forecast] == [1, 2, 3, 4]
    assert all(f.quantiles[0.5] == pytest.approx(5) for f in forecast)
    assert all(min(f.quantiles.values()) >= 0 for f in forecast)
    spreads = [f.quantiles[0.975] - f.quantiles[0.025] for f in forecast]
    assert spreads == sorted(spreads) and spreads[-1] > spreads[0]


def test_the_forecast_for_a_seed_is_reproducible():
    series = [3, 1, 4, 1, 5, 9, 2, 6]
    assert baseline_forecast(series, horizon=3, seed=1) == baseline_forecast(series, horizon=3, seed=1)


def test_leading_zeros_before_the_epidemic_do_not_shape_the_spread():
    late_start = baseline_forecast([0] * 20 + [10, 12, 15, 13, 18, 20], horizon=1)
    # two periods of lead-in (0, 0 → 10) are kept as the Hub's script keeps them
    assert late_start[0].quantiles[0.5] == 20
    assert late_start == baseline_forecast([0, 0, 10, 12, 15, 13, 18, 20], horizon=1)
