"""The outbreak: natural history of each infection and transmission in households and venues.

Times are hours from the simulation's start (local midnight of the first day). Venue
transmission is frequency-dependent within a venue-hour bucket (the hour a visit starts):
a susceptible visitor's hazard is the venue kind's transmission factor times the bucket's
summed infectiousness divided by the bucket's visits, so one infectious visit causes about
that factor's worth of infections whatever the venue's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ringfence.simulate.city import City
from ringfence.simulate.parameters import (
    VENUE_KINDS,
    VENUE_TRANSMISSION,
    VENUE_TRANSMISSION_SCALE,
    DiseaseParameters,
)


class Setting:
    household = "household"
    venue = "venue"
    imported = "imported"


def infectiousness_profile(disease: DiseaseParameters) -> tuple[int, np.ndarray]:
    """(first day offset from onset, weights per day summing to 1) over `infectious_days` days."""
    first = disease.infectiousness_peak_day - disease.infectious_days // 2
    offsets = np.arange(first, first + disease.infectious_days)
    weights = np.exp(-((offsets - disease.infectiousness_peak_day) ** 2) / (2 * 1.5**2))
    return first, weights / weights.sum()


@dataclass
class Outbreak:
    """Per-person infection state, plus the list of transmissions (the ground truth)."""

    disease: DiseaseParameters
    people: int
    infected_at: np.ndarray = field(init=False)
    onset_at: np.ndarray = field(init=False)  # would-be onset for asymptomatic infections
    symptomatic: np.ndarray = field(init=False)
    truth: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.infected_at = np.full(self.people, np.nan)
        self.onset_at = np.full(self.people, np.nan)
        self.symptomatic = np.zeros(self.people, dtype=bool)
        self.profile_first, self.profile = infectiousness_profile(self.disease)

    def infect(self, rng, people, at, infector, setting: str, venue) -> None:
        """Record new infections (people not yet infected) and draw their natural history."""
        d = self.disease
        shape = (d.incubation_mean_days / d.incubation_sd_days) ** 2
        scale = d.incubation_sd_days**2 / d.incubation_mean_days
        self.infected_at[people] = at
        self.onset_at[people] = at + rng.gamma(shape, scale, len(people)) * 24
        self.symptomatic[people] = rng.random(len(people)) >= d.asymptomatic_share
        self.truth.append((infector.astype(np.int64), people.astype(np.int64), at.astype(np.float64),
                           np.full(len(people), setting, dtype=object), venue.astype(np.int64)))

    def weights(self, day: int, removed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(infectious people, their infectiousness) on a day, leaving out removed people."""
        candidates = np.flatnonzero(~np.isnan(self.infected_at))
        offset = np.floor((day * 24 + 12 - self.onset_at[candidates]) / 24).astype(np.int64) - self.profile_first
        live = (offset >= 0) & (offset < len(self.profile)) & ~removed[candidates]
        people, offset = candidates[live], offset[live]
        weight = self.profile[offset] * np.where(
            self.symptomatic[people], 1.0, self.disease.asymptomatic_relative_infectiousness
        )
        return people, weight

    def pcr_positive(self, people: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Whether a sample taken from each person at each time would contain virus."""
        since_onset = (hours - self.onset_at[people]) / 24
        d = self.disease
        return (hours >= self.infected_at[people]) & (since_onset >= d.pcr_positive_from_days) & (
            since_onset <= d.pcr_positive_until_days
        )


def household_transmission(city: City, outbreak: Outbreak, day: int, infectious, weight, rng) -> None:
    """Each infectious person exposes their household members, independently per pair."""
    size = city.household_size[city.person_household[infectious]]
    start = city.household_start[city.person_household[infectious]]
    source = np.repeat(np.arange(len(infectious)), size)
    member = np.repeat(start, size) + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    keep = (member != infectious[source]) & np.isnan(outbreak.infected_at[member])
    source, member = source[keep], member[keep]
    hazard = -np.log1p(-outbreak.disease.household_attack) * weight[source]
    hit = rng.random(len(member)) < -np.expm1(-hazard)
    source, member = source[hit], member[hit]
    order = rng.permutation(len(member))  # a random successful exposer per infected member
    member, first = np.unique(member[order], return_index=True)
    at = day * 24 + 18 + rng.random(len(member)) * 6
    outbreak.infect(rng, member, at, infectious[source[order][first]], Setting.household,
                    np.full(len(member), -1))


def venue_transmission(city: City, outbreak: Outbreak, day: int, person, venue, start, infectious, weight, rng):
    """Transmission within venue-hour buckets; returns the bucket of every visit (for tracing)."""
    bucket = venue.astype(np.int64) * 24 + np.minimum(start // 3600, 23)
    n_buckets = len(city.venue_kind) * 24
    w_person = np.zeros(outbreak.people)
    w_person[infectious] = weight
    visit_weight = w_person[person]
    source_visits = np.flatnonzero(visit_weight > 0)
    pressure = np.bincount(bucket[source_visits], visit_weight[source_visits], minlength=n_buckets)
    crowd = np.bincount(bucket, minlength=n_buckets)
    exposed = np.flatnonzero((pressure[bucket] > 0) & np.isnan(outbreak.infected_at[person]))
    factor = VENUE_TRANSMISSION_SCALE * np.array([VENUE_TRANSMISSION.get(k, 0.1) for k in VENUE_KINDS])[city.venue_kind[venue[exposed]]]
    hazard = factor * pressure[bucket[exposed]] / crowd[bucket[exposed]]
    hit = exposed[rng.random(len(exposed)) < -np.expm1(-hazard)]
    if len(hit):
        # the infector: drawn among the bucket's infectious visits in proportion to weight
        order = source_visits[np.argsort(bucket[source_visits], kind="stable")]
        cum = np.cumsum(visit_weight[order])
        before = np.concatenate([[0.0], cum])[np.searchsorted(bucket[order], bucket[hit], side="left")]
        pick = np.searchsorted(cum, before + rng.random(len(hit)) * pressure[bucket[hit]], side="right")
        infector = person[order[np.minimum(pick, len(order) - 1)]]
        at = day * 24 + start[hit] / 3600
        first_time = np.lexsort((at, person[hit]))
        people_hit = person[hit][first_time]
        _, first = np.unique(people_hit, return_index=True)
        chosen = first_time[first]
        outbreak.infect(rng, person[hit][chosen], at[chosen], infector[chosen], Setting.venue, venue[hit][chosen])
    return bucket, pressure
