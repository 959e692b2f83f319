"""Dorfman two-stage pooled testing: expected tests, accuracy and the optimal pool size.

A pool of k specimens is tested once; if it tests positive every member is retested alone.
With a perfect test the expected tests per person are 1/k + 1 − (1 − p)^k. With sensitivity Se
and specificity Sp (the same at both stages) they are 1/k + Se − (Se + Sp − 1)(1 − p)^k, and
the pooling sensitivity, specificity, PPV and NPV follow binGroup2's `DorfmanFunctions.R`
(McMahan et al. 2012). Pure arithmetic: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ringfence.core.errors import InvalidInput

DEFAULT_MAX_POOL_SIZE = 100
MIN_POOL_SIZE = 2


@dataclass(frozen=True)
class AssayAccuracy:
    """Sensitivity and specificity of one assay, used for pools and for single tubes alike."""

    sensitivity: float = 1.0
    specificity: float = 1.0

    def __post_init__(self) -> None:
        for name, value in (("sensitivity", self.sensitivity), ("specificity", self.specificity)):
            if not 0 < value <= 1:
                raise InvalidInput(f"{name} must be in (0, 1] (got {value})")
        if self.sensitivity + self.specificity <= 1:
            raise InvalidInput("sensitivity + specificity must exceed 1 for a test to be informative")


PERFECT = AssayAccuracy()


@dataclass(frozen=True)
class PoolingCharacteristics:
    """What pooling k specimens at prevalence p costs and how accurate it is, per person."""

    pool_size: int
    prevalence: float
    tests_per_person: float
    pool_positive_probability: float  # P(the first-stage pool test reads positive)
    sensitivity: float
    specificity: float
    ppv: float | None
    npv: float | None


@dataclass(frozen=True)
class ScreeningRound:
    """The expected lab load of screening `people` persons in pools of `pool_size`."""

    people: int
    pool_size: int
    pools: int  # first-stage tubes (the last pool may be smaller)
    expected_retests: float  # single-tube retests of members of positive pools
    expected_tests: float  # pools + retests
    expected_positive_pools: float
    expected_people_held: float  # members of positive pools, held in place until retested


def expected_tests_per_person(pool_size: int, prevalence: float, accuracy: AssayAccuracy = PERFECT) -> float:
    """E/k = 1/k + Se − (Se + Sp − 1)(1 − p)^k; a pool of one is a single test."""
    _check_prevalence(prevalence)
    if pool_size < 1:
        raise InvalidInput(f"the pool size must be at least 1 (got {pool_size})")
    if pool_size == 1:
        return 1.0
    return 1 / pool_size + pool_positive_probability(pool_size, prevalence, accuracy)


def pool_positive_probability(pool_size: int, prevalence: float, accuracy: AssayAccuracy = PERFECT) -> float:
    """P(pool reads positive) = Se + (1 − Se − Sp)(1 − p)^k."""
    se, sp = accuracy.sensitivity, accuracy.specificity
    return se + (1 - se - sp) * (1 - prevalence) ** pool_size


def characteristics(
    pool_size: int, prevalence: float, accuracy: AssayAccuracy = PERFECT
) -> PoolingCharacteristics:
    """Expected tests and pooling Se, Sp, PPV, NPV of a pool size (binGroup2 `characteristics.pool`)."""
    tests = expected_tests_per_person(pool_size, prevalence, accuracy)
    se, sp = accuracy.sensitivity, accuracy.specificity
    p = prevalence
    if pool_size == 1:
        pooled_se, pooled_sp = se, sp
    else:
        pooled_se = se * se
        pooled_sp = 1 - (1 - sp) * (se + (1 - se - sp) * (1 - p) ** (pool_size - 1))
    positive = p * pooled_se + (1 - p) * (1 - pooled_sp)
    negative = (1 - p) * pooled_sp + p * (1 - pooled_se)
    return PoolingCharacteristics(
        pool_size=pool_size,
        prevalence=p,
        tests_per_person=tests,
        pool_positive_probability=pool_positive_probability(pool_size, p, accuracy) if pool_size > 1 else 1.0,
        sensitivity=pooled_se,
        specificity=pooled_sp,
        ppv=p * pooled_se / positive if positive > 0 else None,
        npv=(1 - p) * pooled_sp / negative if negative > 0 else None,
    )


def optimal_pool_size(
    prevalence: float, accuracy: AssayAccuracy = PERFECT, *, max_size: int = DEFAULT_MAX_POOL_SIZE
) -> int:
    """The k in 2..max_size with the fewest expected tests per person (the first, on a tie)."""
    _check_prevalence(prevalence)
    if max_size < MIN_POOL_SIZE:
        raise InvalidInput(f"the largest pool size must be at least {MIN_POOL_SIZE} (got {max_size})")
    # E(k) is unimodal in k, but a full scan costs nothing and needs no such argument
    return min(
        range(MIN_POOL_SIZE, max_size + 1),
        key=lambda k: (expected_tests_per_person(k, prevalence, accuracy), k),
    )


def screening_round(
    people: int, pool_size: int, prevalence: float, accuracy: AssayAccuracy = PERFECT
) -> ScreeningRound:
    """Expected tubes, retests and people held for one round over `people` persons."""
    if people < 1:
        raise InvalidInput(f"a round needs at least one person (got {people})")
    _check_prevalence(prevalence)
    full, rest = divmod(people, pool_size)
    sizes = [pool_size] * full + ([rest] if rest else [])
    pools = len(sizes)
    positive_pools = retests = 0.0
    for size in sizes:
        if size == 1:
            continue  # a lone specimen is its own single-tube test
        positive = pool_positive_probability(size, prevalence, accuracy)
        positive_pools += positive
        retests += size * positive
    return ScreeningRound(
        people=people,
        pool_size=pool_size,
        pools=pools,
        expected_retests=retests,
        expected_tests=pools + retests,
        expected_positive_pools=positive_pools,
        expected_people_held=retests,
    )


def _check_prevalence(prevalence: float) -> None:
    if not (math.isfinite(prevalence) and 0 < prevalence < 1):
        raise InvalidInput(f"the prevalence must be a fraction between 0 and 1 (got {prevalence})")
