"""The instantaneous reproduction number R(t) of Cori et al. (2013), computed as EpiEstim does.

Pure arithmetic on a daily incidence series: the serial interval (SI) is either a shifted gamma
discretised by `discr_si` or a given distribution; each window's posterior is a gamma with shape
`a0 + local cases` and scale `1 / (1/b0 + overall infectivity)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import gamma

from ringfence.analytics.methods import DEFAULT_WINDOW
from ringfence.core.errors import InvalidInput

PRIOR_MEAN = 5.0
PRIOR_SD = 5.0
QUANTILE_LEVELS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
# EpiEstim refuses a distribution whose sum is further than this from 1.
SI_SUM_TOLERANCE = 0.01


@dataclass(frozen=True)
class Incidence:
    """Daily cases split as EpiEstim splits them: day 1's cases are always imported."""

    local: np.ndarray
    imported: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.local + self.imported

    @property
    def days(self) -> int:
        return len(self.local)


@dataclass(frozen=True)
class SerialInterval:
    """A discrete SI distribution w_0, w_1, … (w_0 = 0) and its moments."""

    distribution: np.ndarray
    parametric_mean: float | None = None
    parametric_sd: float | None = None

    @property
    def mean(self) -> float:
        k = np.arange(len(self.distribution))
        return float(np.sum(k * self.distribution))

    @property
    def sd(self) -> float:
        k = np.arange(len(self.distribution))
        return float(np.sqrt(np.sum(k**2 * self.distribution) - self.mean**2))


@dataclass(frozen=True)
class WindowEstimate:
    """The posterior of R over days t_start..t_end (1-based, inclusive); None when not estimable."""

    t_start: int
    t_end: int
    shape: float | None
    scale: float | None

    @property
    def estimable(self) -> bool:
        return self.shape is not None

    @property
    def mean(self) -> float | None:
        return None if self.shape is None else self.shape * self.scale

    @property
    def sd(self) -> float | None:
        return None if self.shape is None else float(np.sqrt(self.shape) * self.scale)

    def quantile(self, level: float) -> float | None:
        """The posterior quantile at `level` (qgamma), None when not estimable."""
        if self.shape is None:
            return None
        return float(gamma.ppf(level, a=self.shape, scale=self.scale))


def incidence_from_cases(cases: Sequence[float]) -> Incidence:
    """A plain case series: every case is local except day 1's, which are imported (process_I)."""
    total = _counts(cases, "cases")
    local = total.copy()
    imported = np.zeros_like(total)
    if len(total):
        imported[0], local[0] = total[0], 0.0
    return Incidence(local=local, imported=imported)


def incidence_from_split(local: Sequence[float], imported: Sequence[float]) -> Incidence:
    """Local and imported cases; day 1's local cases are counted as imported, as EpiEstim does."""
    local_counts, imported_counts = _counts(local, "local"), _counts(imported, "imported")
    if len(local_counts) != len(imported_counts):
        raise InvalidInput("local and imported series differ in length")
    if len(local_counts):
        imported_counts[0] += local_counts[0]
        local_counts[0] = 0.0
    return Incidence(local=local_counts, imported=imported_counts)


def discr_si(k: Sequence[int] | np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """EpiEstim's discretised SI: a gamma of mean mu−1 and sd sigma, shifted by one day."""
    if not mu > 1:
        raise InvalidInput(f"the serial interval mean must be greater than 1 (got {mu})")
    if not sigma > 0:
        raise InvalidInput(f"the serial interval sd must be positive (got {sigma})")
    k = np.asarray(k, dtype=float)
    if np.any(k < 0):
        raise InvalidInput("discr_si needs non-negative days")
    a = ((mu - 1) / sigma) ** 2
    b = sigma**2 / (mu - 1)

    def cdf(shape: float, x: np.ndarray) -> np.ndarray:
        return gamma.cdf(x, a=shape, scale=b)

    w = (
        k * cdf(a, k)
        + (k - 2) * cdf(a, k - 2)
        - 2 * (k - 1) * cdf(a, k - 1)
        + a * b * (2 * cdf(a + 1, k - 1) - cdf(a + 1, k - 2) - cdf(a + 1, k))
    )
    return np.maximum(w, 0.0)


def parametric_si(mean: float, sd: float, days: int) -> SerialInterval:
    """The SI EpiEstim's `parametric_si` uses for a series of `days` days (discr_si(0:(T−1)))."""
    return SerialInterval(
        distribution=discr_si(np.arange(days), mean, sd), parametric_mean=mean, parametric_sd=sd
    )


def nonparametric_si(distribution: Sequence[float]) -> SerialInterval:
    """A given SI distribution w_0.. checked as EpiEstim checks it: w_0 = 0, w ≥ 0, Σw = 1."""
    w = np.asarray(distribution, dtype=float)
    if w.ndim != 1 or len(w) < 2:
        raise InvalidInput("the serial interval distribution needs at least two values (w_0, w_1, …)")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InvalidInput("the serial interval distribution must be non-negative numbers")
    if w[0] != 0:
        raise InvalidInput("the serial interval distribution must give 0 for day 0")
    if abs(w.sum() - 1) > SI_SUM_TOLERANCE:
        raise InvalidInput(f"the serial interval distribution must sum to 1 (sums to {w.sum():.4g})")
    return SerialInterval(distribution=w)


def overall_infectivity(incidence: Incidence, si: SerialInterval) -> np.ndarray:
    """λ_t = Σ_{s=1}^{t−1} w_s·I_{t−s} over all (local + imported) cases; λ_1 is NaN."""
    total = incidence.total
    days = len(total)
    w = np.zeros(days)
    n = min(days, len(si.distribution))
    w[:n] = si.distribution[:n]
    lam = np.full(days, np.nan)
    for t in range(1, days):
        # cases on days t-1, …, 0 (0-based) weighted by w_1, …, w_t
        lam[t] = float(np.dot(w[1 : t + 1], total[t - 1 :: -1]))
    return lam


def sliding_windows(days: int, window: int = DEFAULT_WINDOW) -> list[tuple[int, int]]:
    """EpiEstim's default windows: t_start = 2..T−window+1, each `window` days long (1-based)."""
    if window < 1:
        raise InvalidInput(f"the window must be at least 1 day (got {window})")
    if window > days - 1:
        raise InvalidInput(
            f"a {window}-day window needs at least {window + 1} days of incidence (got {days})"
        )
    return [(start, start + window - 1) for start in range(2, days - window + 2)]


def estimate_r(
    incidence: Incidence,
    si: SerialInterval,
    windows: Sequence[tuple[int, int]],
    *,
    prior_mean: float = PRIOR_MEAN,
    prior_sd: float = PRIOR_SD,
) -> list[WindowEstimate]:
    """Cori's posterior of R per window; a window ending at or before the SI mean is not estimable."""
    days = incidence.days
    for start, end in windows:
        if not 2 <= start <= end <= days:
            raise InvalidInput(f"window {start}..{end} is outside days 2..{days}")
    a0 = (prior_mean / prior_sd) ** 2
    b0 = prior_sd**2 / prior_mean
    # EpiEstim pads the SI with zeros to T+1 values; its mean is unchanged by the padding.
    mean_si = si.mean
    lam = overall_infectivity(incidence, si)
    estimates = []
    for start, end in windows:
        if end > mean_si:
            shape = a0 + float(incidence.local[start - 1 : end].sum())
            scale = 1.0 / (1.0 / b0 + float(lam[start - 1 : end].sum()))
            estimates.append(WindowEstimate(start, end, shape, scale))
        else:
            estimates.append(WindowEstimate(start, end, None, None))
    return estimates


def _counts(values: Sequence[float], name: str) -> np.ndarray:
    counts = np.asarray(values, dtype=float)
    if counts.ndim != 1:
        raise InvalidInput(f"{name} must be one series of counts")
    if not np.all(np.isfinite(counts)):
        raise InvalidInput(f"{name} must be finite numbers")
    if np.any(counts < 0):
        raise InvalidInput(f"{name} must not be negative")
    return counts.copy()
