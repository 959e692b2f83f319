"""Epidemic-curve metrics: growth rate and doubling time (as `incidence::fit`) and the flat
baseline forecast of the US COVID-19 Forecast Hub (reichlab/covidModels `quantile_baseline`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import linregress
from scipy.stats import t as student_t

from ringfence.analytics.methods import FORECAST_LEVELS
from ringfence.core.errors import InvalidInput

CONFIDENCE = 0.95
FORECAST_SAMPLES = 100_000
# The Hub's script takes differences from 2 periods before the first non-zero count onward.
LEAD_IN = 2


@dataclass(frozen=True)
class GrowthFit:
    """Exponential growth rate r per period with its CI, and the doubling (or halving) time."""

    r: float
    r_lower: float
    r_upper: float
    days_used: int
    days_dropped: int  # zero-count days, left out of the log-linear fit

    @property
    def growing(self) -> bool:
        return self.r > 0

    @property
    def doubling_time(self) -> float:
        """ln 2 / r when growing, the halving time ln ½ / r when declining (both positive)."""
        return float(np.log(2) / abs(self.r)) if self.r != 0 else float("inf")

    @property
    def doubling_time_ci(self) -> tuple[float | None, float | None]:
        """ln 2 / (r bounds, reversed); a bound is None where the CI of r reaches the other sign."""
        sign = 1.0 if self.r > 0 else -1.0
        near, far = (self.r_upper, self.r_lower) if self.r > 0 else (self.r_lower, self.r_upper)

        def bound(rate: float) -> float | None:
            return float(np.log(2) / (sign * rate)) if sign * rate > 0 else None

        return bound(near), bound(far)


@dataclass(frozen=True)
class ForecastQuantiles:
    """The forecast distribution of one future period's count."""

    horizon: int
    quantiles: dict[float, float]


def fit_growth(counts: Sequence[float], *, confidence: float = CONFIDENCE) -> GrowthFit:
    """OLS of log(count) on time, zero counts dropped, CI from the t distribution (`incidence::fit`)."""
    y = np.asarray(counts, dtype=float)
    if y.ndim != 1 or not np.all(np.isfinite(y)) or np.any(y < 0):
        raise InvalidInput("counts must be one series of non-negative numbers")
    days = np.arange(len(y), dtype=float)
    positive = y > 0
    if positive.sum() < 3:
        raise InvalidInput("a growth rate needs at least 3 periods with cases")
    fit = linregress(days[positive], np.log(y[positive]))
    df = int(positive.sum()) - 2
    half_width = float(student_t.ppf(0.5 + confidence / 2, df)) * fit.stderr
    return GrowthFit(
        r=float(fit.slope),
        r_lower=float(fit.slope - half_width),
        r_upper=float(fit.slope + half_width),
        days_used=int(positive.sum()),
        days_dropped=int((~positive).sum()),
    )


def baseline_forecast(
    counts: Sequence[float],
    *,
    horizon: int = 1,
    levels: Sequence[float] = FORECAST_LEVELS,
    samples: int = FORECAST_SAMPLES,
    seed: int = 0,
) -> list[ForecastQuantiles]:
    """Flat forecast at the last count with spread from the symmetrised past first differences."""
    y = np.asarray(counts, dtype=float)
    if y.ndim != 1 or not np.all(np.isfinite(y)) or np.any(y < 0):
        raise InvalidInput("counts must be one series of non-negative numbers")
    if horizon < 1:
        raise InvalidInput("the horizon must be at least 1 period")
    if any(not 0 <= level <= 1 for level in levels):
        raise InvalidInput("quantile levels must be between 0 and 1")
    nonzero = np.flatnonzero(y > 0)
    history = y[max(int(nonzero[0]) - LEAD_IN, 0) :] if len(nonzero) else y
    if len(history) < 2:
        raise InvalidInput("a baseline forecast needs at least 2 periods of history")
    differences = np.diff(history)
    symmetric = np.concatenate([differences, -differences])
    last = float(y[-1])
    # R's quantile(type 7) on an even grid, which is numpy's default "linear" method
    sampled_differences = np.quantile(symmetric, np.linspace(0, 1, samples))
    raw = last + sampled_differences
    corrected = np.maximum(raw, 0)
    forecasts = [ForecastQuantiles(1, _quantiles(corrected, levels))]
    rng = np.random.default_rng(seed)
    for h in range(2, horizon + 1):
        sampled_differences = rng.permutation(sampled_differences)
        raw = raw + sampled_differences
        corrected = np.maximum(raw - (np.median(raw) - last), 0)
        forecasts.append(ForecastQuantiles(h, _quantiles(corrected, levels)))
    return forecasts


def _quantiles(values: np.ndarray, levels: Sequence[float]) -> dict[float, float]:
    return {float(level): float(q) for level, q in zip(levels, np.quantile(values, levels), strict=True)}
