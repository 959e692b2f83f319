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


class VenueDay:
    """A day's visits, block by block, reduced to what venue transmission needs.

    Visits arrive in blocks of people (`add`); a bucket's infectiousness and crowd are known only
    when every block is in, so each block is kept as four int32 columns (16 bytes a visit) and
    transmission (`transmit`) walks the blocks again. Nothing of the whole city's day is ever
    concatenated.
    """

    def __init__(self, city: City, outbreak: Outbreak, infectious: np.ndarray, weight: np.ndarray) -> None:
        self.n_buckets = len(city.venue_kind) * 24
        if self.n_buckets >= 2**31:
            raise ValueError("too many venues for int32 venue-hour buckets")
        self.weight_of = np.zeros(outbreak.people)
        self.weight_of[infectious] = weight
        self.crowd = np.zeros(self.n_buckets, dtype=np.int64)
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._sources: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, person: np.ndarray, venue: np.ndarray, start: np.ndarray, dwell: np.ndarray) -> None:
        """One block's visits (start and dwell in seconds of the day)."""
        bucket = (venue.astype(np.int32) * 24 + np.minimum(start // 3600, 23)).astype(np.int32)
        self.crowd += np.bincount(bucket, minlength=self.n_buckets)
        weight = self.weight_of[person]
        source = np.flatnonzero(weight > 0)
        self._sources.append((bucket[source], person[source].astype(np.int64), weight[source]))
        self.blocks.append((person.astype(np.int32), bucket, start.astype(np.int32), dwell.astype(np.int32)))

    def sources(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(bucket, person, weight) of every infectious visit, in block order."""
        if not self._sources:
            return np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0)
        return tuple(np.concatenate(parts) for parts in zip(*self._sources))


def venue_transmission(city: City, outbreak: Outbreak, day: int, visits: VenueDay, rng):
    """Transmission within venue-hour buckets; returns (person, bucket, start, end) of every visit to a
    bucket an infectious person was in that day (what contact tracing can find)."""
    src_bucket, src_person, src_weight = visits.sources()
    pressure = np.bincount(src_bucket, src_weight, minlength=visits.n_buckets)
    factor_of_kind = VENUE_TRANSMISSION_SCALE * np.array([VENUE_TRANSMISSION.get(k, 0.1) for k in VENUE_KINDS])
    hits, logged = [], []
    for person, bucket, start, dwell in visits.blocks:
        exposed = np.flatnonzero(pressure[bucket] > 0)
        logged.append((person[exposed], bucket[exposed], start[exposed], start[exposed] + dwell[exposed]))
        exposed = exposed[np.isnan(outbreak.infected_at[person[exposed]])]
        b = bucket[exposed]
        hazard = factor_of_kind[city.venue_kind[b // 24]] * pressure[b] / visits.crowd[b]
        # one draw per exposed visit in block order: the same stream as drawing for all at once
        hit = exposed[rng.random(len(exposed)) < -np.expm1(-hazard)]
        hits.append((person[hit], bucket[hit], start[hit]))
    hit_person, hit_bucket, hit_start = (np.concatenate(parts) for parts in zip(*hits)) if hits else (
        np.zeros(0, np.int32),) * 3
    if len(hit_person):
        # the infector: drawn among the bucket's infectious visits in proportion to weight
        order = np.argsort(src_bucket, kind="stable")
        cum = np.cumsum(src_weight[order])
        before = np.concatenate([[0.0], cum])[np.searchsorted(src_bucket[order], hit_bucket, side="left")]
        pick = np.searchsorted(cum, before + rng.random(len(hit_person)) * pressure[hit_bucket], side="right")
        infector = src_person[order[np.minimum(pick, len(order) - 1)]]
        at = day * 24 + hit_start / 3600
        first_time = np.lexsort((at, hit_person))
        _, first = np.unique(hit_person[first_time], return_index=True)
        chosen = first_time[first]
        outbreak.infect(rng, hit_person[chosen].astype(np.int64), at[chosen], infector[chosen], Setting.venue,
                        hit_bucket[chosen] // 24)
    return tuple(np.concatenate(parts) for parts in zip(*logged)) if logged else (np.zeros(0, np.int32),) * 4
