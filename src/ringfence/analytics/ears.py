"""CDC EARS aberration detection C1, C2 and C3 (Fricker et al. 2008), as `surveillance::earsC`.

C1 compares a count with the mean and sd of the 7 periods before it, C2 with those of periods
t−9..t−3. C3 sums the exceedances max(0, C2 − 1) of the current and the two previous periods.

Ringfence's C3 is the textbook one (alarm when that sum exceeds z = qnorm(1 − α)). The package's
code differs: its upper bound Y(t) + S₂(t)·(z − lag terms) ignores the current period's C2, so it
misses a spike that the textbook flags (ALGORITHMS.md §2.1). `C3Variant.surveillance` reproduces
the package exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from ringfence.analytics.methods import DEFAULT_BASELINE, C3Variant, EarsMethod
from ringfence.core.errors import InvalidInput

MIN_BASELINE = 3


@dataclass(frozen=True)
class PeriodVerdict:
    """One monitored period: its count, the bound it is compared with and whether it alarms."""

    index: int  # 1-based position in the series
    observed: float
    upperbound: float | None
    alarm: bool
    statistic: float | None = None  # C1/C2 z-score or the C3 sum


def default_alpha(method: EarsMethod) -> float:
    """The package's defaults: 10⁻³ for C1 and C2 (z ≈ 3.09), 0.025 for C3 (z ≈ 1.96)."""
    return 0.025 if method is EarsMethod.c3 else 0.001


def first_monitorable(method: EarsMethod, baseline: int = DEFAULT_BASELINE) -> int:
    """The first 1-based index each method can judge: baseline+1, +3 or +5."""
    return baseline + {EarsMethod.c1: 1, EarsMethod.c2: 3, EarsMethod.c3: 5}[method]


def ears(
    counts: Sequence[float],
    method: EarsMethod,
    *,
    alpha: float | None = None,
    baseline: int = DEFAULT_BASELINE,
    min_sigma: float = 0.0,
    range_start: int | None = None,
    c3_variant: C3Variant = C3Variant.textbook,
) -> list[PeriodVerdict]:
    """Judge every period from `range_start` (1-based; default the first monitorable) to the end."""
    y = np.asarray(counts, dtype=float)
    alpha = default_alpha(method) if alpha is None else alpha
    if not 0 < alpha < 1:
        raise InvalidInput(f"alpha must be between 0 and 1 (got {alpha})")
    if baseline < MIN_BASELINE:
        raise InvalidInput(f"the baseline must be at least {MIN_BASELINE} periods (got {baseline})")
    if min_sigma < 0:
        raise InvalidInput("min_sigma must not be negative")
    first = first_monitorable(method, baseline)
    start = first if range_start is None else range_start
    if start < first:
        raise InvalidInput(
            f"EARS {method} needs {first - 1} earlier periods: start at period {first} or later"
        )
    if start > len(y):
        raise InvalidInput(f"the series has {len(y)} periods: nothing to monitor from period {start}")
    z = float(norm.ppf(1 - alpha))
    targets = np.arange(start - 1, len(y))  # 0-based

    if method is EarsMethod.c1:
        return _shewhart(y, targets, lag=1, baseline=baseline, z=z, min_sigma=min_sigma)
    if method is EarsMethod.c2:
        return _shewhart(y, targets, lag=3, baseline=baseline, z=z, min_sigma=min_sigma)
    return _c3(y, targets, baseline=baseline, z=z, min_sigma=min_sigma, variant=c3_variant)


def _baseline_stats(y: np.ndarray, t: np.ndarray, lag: int, baseline: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample sd (n−1) of y over t−lag−baseline+1..t−lag for each 0-based t."""
    rows = np.stack([y[i - lag - baseline + 1 : i - lag + 1] for i in t])
    return rows.mean(axis=1), rows.std(axis=1, ddof=1)


def _shewhart(
    y: np.ndarray, t: np.ndarray, *, lag: int, baseline: int, z: float, min_sigma: float
) -> list[PeriodVerdict]:
    mean, sd = _baseline_stats(y, t, lag, baseline)
    sigma = np.maximum(sd, min_sigma)
    upper = mean + z * sigma
    stat = _z_scores(y[t], mean, sigma)
    return [
        PeriodVerdict(int(i) + 1, float(y[i]), float(u), bool(y[i] > u), _finite_or_none(s))
        for i, u, s in zip(t, upper, stat, strict=True)
    ]


def _c3(
    y: np.ndarray, t: np.ndarray, *, baseline: int, z: float, min_sigma: float, variant: C3Variant
) -> list[PeriodVerdict]:
    # C2 of the target periods and of the two periods before the first one
    t_c2 = np.arange(t[0] - 2, t[-1] + 1)
    mean, sd = _baseline_stats(y, t_c2, 3, baseline)
    sigma = np.maximum(sd, min_sigma)
    exceedance = np.maximum(0.0, np.nan_to_num(_z_scores(y[t_c2], mean, sigma), nan=0.0) - 1)
    lags = exceedance[:-2] + exceedance[1:-1]  # periods t−2 and t−1, aligned with t
    current = exceedance[2:]
    sigma_t, mean_t = sigma[2:], mean[2:]
    verdicts = []
    for j, i in enumerate(t):
        if variant is C3Variant.surveillance:
            upper = max(0.0, y[i] + sigma_t[j] * (z - lags[j]))
            verdicts.append(
                PeriodVerdict(
                    int(i) + 1, float(y[i]), float(upper), bool(y[i] > upper), float(lags[j] + current[j])
                )
            )
            continue
        total = float(lags[j] + current[j])
        # the count above which C2(t) − 1 lifts the sum past z; when the two days before already
        # pass z every count alarms, so the alarm is read from the sum, not from this bound
        upper = max(0.0, mean_t[j] + sigma_t[j] * (1 + z - lags[j]))
        verdicts.append(PeriodVerdict(int(i) + 1, float(y[i]), float(upper), total > z, total))
    return verdicts


def _z_scores(observed: np.ndarray, mean: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - mean) / sigma


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
