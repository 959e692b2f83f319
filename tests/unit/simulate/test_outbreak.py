from __future__ import annotations

import numpy as np
import pytest

from ringfence.simulate.outbreak import Outbreak, infectiousness_profile
from ringfence.simulate.parameters import DiseaseParameters


def test_infectiousness_spans_the_protocols_days_and_peaks_at_onset() -> None:
    disease = DiseaseParameters()
    first, weights = infectiousness_profile(disease)
    assert len(weights) == disease.infectious_days
    assert weights.sum() == pytest.approx(1.0)
    assert first == -disease.lookback_days
    assert first + int(np.argmax(weights)) == disease.infectiousness_peak_day


def test_incubation_has_the_configured_mean_and_spread() -> None:
    outbreak = Outbreak(DiseaseParameters(), 200_000)
    people = np.arange(200_000)
    outbreak.infect(np.random.default_rng(2), people, np.zeros(200_000), np.full(200_000, -1), "imported",
                    np.full(200_000, -1))
    incubation = outbreak.onset_at / 24
    assert incubation.mean() == pytest.approx(3.0, abs=0.05)
    assert incubation.std() == pytest.approx(1.5, abs=0.05)
    assert outbreak.symptomatic.mean() == pytest.approx(0.4, abs=0.01)


def test_removed_people_do_not_infect() -> None:
    outbreak = Outbreak(DiseaseParameters(), 10)
    outbreak.infect(np.random.default_rng(1), np.array([1, 2]), np.array([0.0, 0.0]), np.array([-1, -1]),
                    "imported", np.array([-1, -1]))
    removed = np.zeros(10, dtype=bool)
    removed[2] = True
    day = int(np.floor(outbreak.onset_at[1] / 24))
    people, weights = outbreak.weights(day, removed)
    assert 2 not in people
    assert 1 in people and weights[list(people).index(1)] > 0
