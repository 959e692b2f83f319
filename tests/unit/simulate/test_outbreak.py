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


def _venue_day(blocks: int):
    """A small city's day of visits, half of it in two crowded venue-hours with infectious people."""
    from pathlib import Path

    from ringfence.simulate.city import build_city
    from ringfence.simulate.outbreak import VenueDay, venue_transmission
    from ringfence.simulate.parameters import SimulationConfig

    city = build_city(SimulationConfig(people=3000, days=1, out=Path("unused")), np.random.default_rng(5))
    outbreak = Outbreak(DiseaseParameters(), city.people)
    draw = np.random.default_rng(9)
    person = np.sort(draw.integers(0, city.people, 20_000)).astype(np.int32)
    venue = np.where(draw.random(20_000) < 0.5, draw.integers(0, 2, 20_000),
                     draw.integers(0, len(city.venue_kind), 20_000)).astype(np.int32)
    start = (10 * 3600 + draw.integers(0, 3600, 20_000)).astype(np.int32)
    dwell = draw.integers(600, 7200, 20_000).astype(np.int32)
    infectious = np.unique(person[:400])
    outbreak.infect(draw, infectious, np.full(len(infectious), -48.0), np.full(len(infectious), -1), "imported",
                    np.full(len(infectious), -1))
    day = VenueDay(city, outbreak, infectious, np.full(len(infectious), 0.5))
    for part in np.array_split(np.arange(20_000), blocks):
        day.add(person[part], venue[part], start[part], dwell[part])
    logged = venue_transmission(city, outbreak, 0, day, np.random.default_rng(11))
    return outbreak.truth[1:], logged, (person, venue, start, dwell), infectious


def test_venue_transmission_is_the_same_whatever_the_blocks_of_visits() -> None:
    truth_one, logged_one, _, _ = _venue_day(1)
    truth_many, logged_many, _, _ = _venue_day(7)
    assert len(truth_one) == 1 and len(truth_one[0][1]) > 50  # crowded buckets infect dozens
    for one, many in zip(truth_one[0], truth_many[0]):
        assert np.array_equal(one, many)
    for one, many in zip(logged_one, logged_many):
        assert np.array_equal(one, many)


def test_venue_transmission_logs_every_visit_to_a_bucket_an_infectious_person_was_in() -> None:
    truth, logged, (person, venue, start, dwell), infectious = _venue_day(3)
    bucket = venue.astype(np.int64) * 24 + start // 3600
    pressured = np.unique(bucket[np.isin(person, infectious)])
    expected = np.isin(bucket, pressured)
    assert np.array_equal(logged[0], person[expected]) and np.array_equal(logged[1], bucket[expected])
    assert np.array_equal(logged[3] - logged[2], dwell[expected])
    infected, infector = truth[0][1], truth[0][0]
    assert not np.isin(infected, infectious).any()
    assert np.isin(infector, infectious).all()
