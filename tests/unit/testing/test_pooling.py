"""Dorfman pooling against the published and computed optima of ALGORITHMS.md §3."""

from __future__ import annotations

import pytest

from ringfence.core.errors import InvalidInput
from ringfence.testing.pooling import (
    PERFECT,
    AssayAccuracy,
    characteristics,
    expected_tests_per_person,
    optimal_pool_size,
    screening_round,
)


def test_one_percent_prevalence_pools_eleven_for_a_fifth_of_the_tests():
    assert optimal_pool_size(0.01) == 11
    assert expected_tests_per_person(11, 0.01) == pytest.approx(0.196, abs=5e-4)


@pytest.mark.parametrize(
    ("prevalence", "perfect", "both_99", "se95_sp99"),
    [
        (0.001, (32, 0.0628), (32, 0.0721), (33, 0.0708)),
        (0.005, (15, 0.1391), (15, 0.1476), (15, 0.1448)),
        (0.01, (11, 0.1956), (11, 0.2035), (11, 0.1993)),
        (0.02, (8, 0.2742), (8, 0.2813), (8, 0.2753)),
        (0.05, (5, 0.4262), (5, 0.4317), (5, 0.4226)),
        (0.10, (4, 0.5939), (4, 0.5970), (4, 0.5833)),
    ],
)
def test_optimal_pool_sizes_match_the_reference_table(prevalence, perfect, both_99, se95_sp99):
    for accuracy, (size, tests) in (
        (PERFECT, perfect),
        (AssayAccuracy(0.99, 0.99), both_99),
        (AssayAccuracy(0.95, 0.99), se95_sp99),
    ):
        assert optimal_pool_size(prevalence, accuracy) == size
        assert expected_tests_per_person(size, prevalence, accuracy) == pytest.approx(tests, abs=5e-5)


@pytest.mark.parametrize(
    ("prevalence", "size", "relative_cost"),
    [
        (0.03, 6, 0.334),
        (0.04, 6, 0.384),
        (0.07, 4, 0.502),
        (0.12, 4, 0.650),
        (0.15, 3, 0.719),
        (0.20, 3, 0.821),
        (0.25, 3, 0.911),
        (0.30, 3, 0.990),
    ],
)
def test_dorfmans_other_prevalences(prevalence, size, relative_cost):
    assert optimal_pool_size(prevalence) == size
    assert expected_tests_per_person(size, prevalence) == pytest.approx(relative_cost, abs=5e-4)


def test_seven_percent_narrowly_prefers_four_over_five():
    assert expected_tests_per_person(5, 0.07) == pytest.approx(0.504, abs=5e-4)
    assert optimal_pool_size(0.07) == 4


def test_syphilis_screening_pools_81():
    assert optimal_pool_size(0.000154, max_size=200) == 81
    assert expected_tests_per_person(81, 0.000154) == pytest.approx(0.0247431, abs=1e-7)


def test_project_euler_352_twenty_five_sheep_in_five_pools():
    load = screening_round(25, 5, 0.02)
    assert load.pools == 5
    assert load.expected_tests == pytest.approx(7.40198008, abs=1e-8)


def test_ten_in_one_mixed_sampling_costs():
    assert expected_tests_per_person(10, 0.0001) == pytest.approx(0.1010, abs=5e-5)
    assert expected_tests_per_person(10, 0.001) == pytest.approx(0.1100, abs=5e-5)
    assert expected_tests_per_person(10, 0.01) == pytest.approx(0.1956, abs=5e-5)
    assert optimal_pool_size(0.001) == 32


def test_a_round_with_a_partial_last_pool_counts_it_as_a_smaller_pool():
    load = screening_round(23, 10, 0.01)
    assert load.pools == 3
    expected_retests = 10 * (1 - 0.99**10) * 2 + 3 * (1 - 0.99**3)
    assert load.expected_retests == pytest.approx(expected_retests)
    assert load.expected_people_held == pytest.approx(expected_retests)
    assert load.expected_tests == pytest.approx(3 + expected_retests)


def test_pooling_with_an_imperfect_assay_loses_sensitivity_at_both_stages():
    result = characteristics(11, 0.01, AssayAccuracy(0.95, 0.99))
    assert result.sensitivity == pytest.approx(0.95**2)
    assert result.specificity > 0.99  # a false-positive pool still needs a false-positive retest
    assert 0 < result.ppv < 1 and 0 < result.npv < 1


def test_a_pool_of_one_is_one_test():
    assert expected_tests_per_person(1, 0.2) == 1.0


@pytest.mark.parametrize(
    "action",
    [
        lambda: optimal_pool_size(0),
        lambda: optimal_pool_size(1.2),
        lambda: optimal_pool_size(0.01, max_size=1),
        lambda: AssayAccuracy(1.1, 0.9),
        lambda: AssayAccuracy(0.4, 0.5),
        lambda: screening_round(0, 10, 0.01),
    ],
)
def test_it_refuses_impossible_settings(action):
    with pytest.raises(InvalidInput):
        action()
