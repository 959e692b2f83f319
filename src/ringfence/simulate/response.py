"""The outside world's own daily response: care seeking, sentinels, screening, contacts, arrivals.

Each function takes the simulation and a day's generator and appends feed rows to the day's
buffers; those that find infections return `Positives` with how they were found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ringfence.simulate import identity
from ringfence.simulate.city import KIND_INDEX
from ringfence.simulate.detection import FoundVia, Positives
from ringfence.simulate.parameters import WORKPLACE_KINDS, VenueKind

if TYPE_CHECKING:
    from ringfence.simulate.engine import DayBuffers, Simulation

SEEK_CARE_PER_DAY = 0.7
VOLUNTARY_TEST_RATE = 0.01  # 愿检尽检: share of people tested of their own accord each day
BACKGROUND_SENTINEL_RATE = 4e-4  # colds and coughs: sentinel events per person per day
PHARMACY_CATEGORIES = ("antipyretic", "antitussive", "antiviral", "antibiotic")
PHARMACY_CATEGORY_SHARE = (0.4, 0.25, 0.2, 0.15)
CONTROL_TEST_DAYS = (1, 2, 3, 5, 7)
CONTROL_DAYS = 7
VENUE_TRACE_SHARE = 0.6  # venue-code records miss some people
WORKPLACE_TRACE_SHARE = 0.1
MIN_OVERLAP_SECONDS = 15 * 60
PAIRS_AT_ONCE = 4_000_000
ROUND_EVERY_DAYS = 3
ORIGINS = [  # (city, a county code for ID numbers)
    ("北京", 110101), ("上海", 310101), ("广州", 440106), ("成都", 510104), ("武汉", 420102), ("西安", 610102),
    ("天津", 120101), ("南京", 320102), ("杭州", 330102), ("重庆", 500103), ("济南", 370102), ("石家庄", 130102),
]
RISKS = ("high", "medium", "low", "none")
RISK_SHARE = (0.08, 0.12, 0.30, 0.50)
RISK_INFECTED = (0.10, 0.03, 0.005, 0.001)
MODES = ("rail", "air", "road")


def _pick(rng, pool: np.ndarray, n: int) -> np.ndarray:
    return pool[rng.integers(0, len(pool), n)]


def sentinels(sim: Simulation, day: int, rng, buffers: DayBuffers) -> list[tuple[Positives, FoundVia]]:
    """Symptomatic people (and people with colds) buy medicine or visit fever clinics, then get tested."""
    t0 = day * 24
    ob = sim.outbreak
    infected = np.flatnonzero(ob.symptomatic & (ob.onset_at <= t0 + 20) & ~sim.sought_care)
    infected = infected[np.isnan(sim.detection.case_at[infected]) & ~sim.removed_at(infected, t0 + 8)]
    infected = infected[rng.random(len(infected)) < SEEK_CARE_PER_DAY]
    sim.sought_care[infected] = True
    background = np.unique(rng.integers(0, sim.city.people, rng.binomial(sim.city.people, BACKGROUND_SENTINEL_RATE)))
    background = background[~sim.removed_at(background, t0 + 8)]
    people = np.concatenate([infected, np.setdiff1d(background, infected)])
    at = np.maximum(np.nan_to_num(ob.onset_at[people], nan=0.0), t0 + 8) + rng.random(len(people)) * 3
    at = np.minimum(at, t0 + 23.5)
    route = rng.random(len(people))
    route[len(infected):] *= 0.75  # people with a cold do not go straight to a hospital ward
    pharmacy, clinic, ward = route < 0.45, (route >= 0.45) & (route < 0.75), route >= 0.75

    city = sim.city
    pharmacies = city.venues_of(VenueKind.pharmacy)
    hospitals = city.venues_of(VenueKind.hospital, VenueKind.clinic)
    site = np.where(pharmacy, _pick(rng, pharmacies, len(people)), _pick(rng, hospitals, len(people)))
    category = np.array(PHARMACY_CATEGORIES)[rng.choice(4, len(people), p=PHARMACY_CATEGORY_SHARE)]
    category = np.where(pharmacy, category, "fever_clinic")
    named = ~pharmacy | (rng.random(len(people)) < 0.9)  # some pharmacies miss the buyer's name
    event = pharmacy | clinic
    buffers.sentinel.append(pa.table({
        "site_id": city.venue_ids.take(pa.array(site[event])),
        "site_kind": pa.array(np.where(pharmacy, "pharmacy", "fever_clinic")[event]),
        "occurred_at": sim.clock.stamp(at[event]),
        "category": pa.array(category[event]),
        "person_id": city.person_ids.take(pa.array(np.where(named, people, -1)[event], mask=~named[event])),
        "count": pa.array(np.where(pharmacy, rng.integers(1, 4, len(people)), 1)[event], pa.int32()),
    }))
    tested = named & (~pharmacy | (rng.random(len(people)) < 0.9))
    delay = np.where(pharmacy, rng.random(len(people)) * 12, rng.random(len(people)) * 1.5)
    results = []
    for mask, via in ((tested & ~ward, FoundVia.sentinel), (ward, FoundVia.other)):
        who = np.flatnonzero(mask)
        collected = at[who] + delay[who]
        found, reported = sim.lab.test(rng, people[who], collected, 1, city.venue_ids.take(pa.array(site[who])),
                                       None, buffers.samples, buffers.results)
        results.append((_positives(found, people[who], collected, reported), via))
    return results


def _positives(found: np.ndarray, people: np.ndarray, collected: np.ndarray, reported: np.ndarray) -> Positives:
    """Single-tube positives with their sampling times (people are unique within one call)."""
    if len(found) == 0:
        return Positives.none()
    order = np.argsort(people, kind="stable")
    where = order[np.searchsorted(people[order], found)]
    return Positives(found.astype(np.int64), collected[where], reported)


def voluntary_tests(sim: Simulation, day: int, rng, buffers: DayBuffers) -> Positives:
    """Some people get tested of their own accord (travel, hospital admission), single tube."""
    t0 = day * 24
    people = np.unique(rng.integers(0, sim.city.people, rng.binomial(sim.city.people, VOLUNTARY_TEST_RATE)))
    people = people[~sim.removed_at(people, t0 + 8) & np.isnan(sim.detection.case_at[people])]
    collected = t0 + 8 + rng.random(len(people)) * 12
    hospitals = sim.city.venues_of(VenueKind.hospital, VenueKind.clinic)
    site = sim.city.venue_ids.take(pa.array(_pick(rng, hospitals, len(people))))
    found, reported = sim.lab.test(rng, people, collected, 1, site, None, buffers.samples, buffers.results)
    return _positives(found, people, collected, reported)


def routine_screening(sim: Simulation, day: int, rng, buffers: DayBuffers) -> Positives:
    """Key groups are tested every 48 h, single tube, at their workplace."""
    t0 = day * 24
    city = sim.city
    groups = np.flatnonzero(city.person_key_group >= 0)
    due = groups[((groups + day) % 2 == 0)]
    due = due[~sim.removed_at(due, t0 + 8) & np.isnan(sim.detection.case_at[due])]
    collected = t0 + 8 + rng.random(len(due)) * 10
    site = city.venue_ids.take(pa.array(city.person_workplace[due]))
    found, reported = sim.lab.test(rng, due, collected, 1, site, None, buffers.samples, buffers.results)
    return _positives(found, due, collected, reported)


def area_rounds(sim: Simulation, day: int, rng, buffers: DayBuffers) -> Positives:
    """Rounds scheduled yesterday: case buildings single tube, the community 10-in-1, neighbours 20-in-1."""
    t0 = day * 24
    city = sim.city
    geo = city.geography
    positives = [Positives.none()]
    for community, pool_size in sim.take_rounds(day):
        first, last = np.searchsorted(city.person_community, [community, community + 1])
        residents = np.arange(first, last)
        residents = residents[~sim.removed_at(residents, t0 + 7) & np.isnan(sim.detection.case_at[residents])]
        residents = residents[rng.random(len(residents)) < 0.95]
        high = np.isin(city.person_building[residents], sim.case_buildings)
        community_id = geo.community_ids[community].as_py()
        round_id = f"R{day + 1:02d}-{community_id}"
        for members, size in ((residents[high], 1), (residents[~high], pool_size)):
            collected = t0 + 7 + np.sort(rng.random(len(members))) * 12
            held, reported = sim.lab.test(rng, members, collected, size, f"SITE-{community_id}", round_id,
                                          buffers.samples, buffers.results)
            if size == 1:
                positives.append(_positives(held, members, collected, reported))
                continue
            # members of a positive pool are held in place and re-sampled single tube within 12 h
            sim.home_until[held] = np.maximum(sim.home_until[held], reported + 24)
            again = reported + rng.random(len(held)) * 12
            found, found_reported = sim.lab.test(rng, held, again, 1, f"SITE-{community_id}", round_id,
                                                 buffers.samples, buffers.results)
            positives.append(_positives(found, held, again, found_reported))
    return _concat(positives)


def controlled_tests(sim: Simulation, day: int, rng, buffers: DayBuffers) -> Positives:
    """People under control are tested on isolation days 1, 2, 3, 5 and 7, at their facility."""
    t0 = day * 24
    controlled = np.flatnonzero(~np.isnan(sim.controlled_since))
    controlled = controlled[np.isnan(sim.detection.case_at[controlled]) & (sim.removed_until[controlled] > t0)]
    since = sim.controlled_since[controlled]
    iso_day = day - np.floor(since / 24).astype(np.int64) + 1
    due = controlled[np.isin(iso_day, CONTROL_TEST_DAYS)]
    collected = np.maximum(sim.controlled_since[due], t0 + 8) + rng.random(len(due)) * 4
    facility = sim.city.tables["facilities"]["facility_id"]
    site = pa.chunked_array([facility]).combine_chunks().take(pa.array(due % len(facility)))
    found, reported = sim.lab.test(rng, due, collected, 1, site, None, buffers.samples, buffers.results)
    return _positives(found, due, collected, reported)


def requested_tests(sim: Simulation, day: int, people: np.ndarray, rng, buffers: DayBuffers) -> Positives:
    """Tests the platform asked for (closed loop), single tube, during the day."""
    collected = day * 24 + 8 + rng.random(len(people)) * 12
    found, reported = sim.lab.test(rng, people, collected, 1, None, None, buffers.samples, buffers.results)
    return _positives(found, people, collected, reported)


def place_contacts(sim: Simulation, day: int, cases: np.ndarray, rng) -> None:
    """Households of new cases and most venue co-visitors go to central isolation within 24 h."""
    if len(cases) == 0:
        return
    city = sim.city
    hh = city.person_household[cases]
    size, start = city.household_size[hh], city.household_start[hh]
    household = np.repeat(start, size) + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    venue, at_work = _overlapping_visitors(sim, cases)
    # at a workplace only the case's own team counts as close contacts
    share = np.where(at_work, WORKPLACE_TRACE_SHARE, VENUE_TRACE_SHARE)
    venue = np.unique(venue[rng.random(len(venue)) < share])
    contacts = np.union1d(household, venue)
    contacts = contacts[np.isnan(sim.detection.case_at[contacts])]
    contacts = contacts[~(sim.removed_until[contacts] > day * 24 + 24)]
    placed = sim.detection.case_at[cases].max() + rng.random(len(contacts)) * 12
    sim.removed_from[contacts] = placed
    sim.removed_until[contacts] = placed + CONTROL_DAYS * 24
    sim.controlled_since[contacts] = placed


def _overlapping_visitors(sim: Simulation, cases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """People whose logged stay overlapped a case's by 15 minutes at one venue, and whether at a workplace."""
    log_day, person, bucket, start, end = sim.contact_log(cases)
    key = log_day * (len(sim.city.venue_kind) * 24) + bucket
    order = np.argsort(key, kind="stable")
    key, person, start, end = key[order], person[order], start[order], end[order]
    own = np.flatnonzero(np.isin(person, cases, kind="table"))
    lo = np.searchsorted(key, key[own], side="left")
    hi = np.searchsorted(key, key[own], side="right")
    span = hi - lo
    # a case in a crowded hour meets thousands: pair up the case stays a few million pairs at a time
    ends = np.cumsum(span)
    cuts = np.searchsorted(ends, np.arange(PAIRS_AT_ONCE, ends[-1] if len(ends) else 0, PAIRS_AT_ONCE), side="right")
    hits = []
    for part in np.split(np.arange(len(own)), cuts):
        width = span[part]
        source = np.repeat(own[part], width)
        other = np.repeat(lo[part], width) + (np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width))
        overlap = np.minimum(end[source], end[other]) - np.maximum(start[source], start[other])
        hits.append(other[(overlap >= MIN_OVERLAP_SECONDS) & (person[other] != person[source])])
    hit = np.concatenate(hits)
    venue = key[hit] % (len(sim.city.venue_kind) * 24) // 24
    workplaces = [KIND_INDEX[k] for k in WORKPLACE_KINDS]
    return person[hit], np.isin(sim.city.venue_kind[venue], workplaces)


def schedule_rounds(sim: Simulation, day: int, cases: np.ndarray) -> None:
    """The communities of new cases get a 10-in-1 round tomorrow, their subdistricts 20-in-1."""
    city = sim.city
    communities = np.unique(city.person_community[cases])
    sub = city.geography.community_subdistrict
    neighbours = np.setdiff1d(np.flatnonzero(np.isin(sub, sub[communities])), communities)
    sim.case_buildings = np.union1d(sim.case_buildings, city.person_building[cases])
    for community in communities:
        sim.plan_round(day + 1, int(community), 10)
    for community in neighbours:
        sim.plan_round(day + 1, int(community), 20)


def _concat(parts: list[Positives]) -> Positives:
    return Positives(np.concatenate([p.people for p in parts]), np.concatenate([p.sampled for p in parts]),
                     np.concatenate([p.reported for p in parts]))


class Arrivals:
    """People arriving from other cities: advance reports, arrival tests, some infected."""

    def __init__(self, sim: Simulation, rng) -> None:
        per_day = max(20, round(sim.config.people * 0.0008))
        days = sim.config.days
        counts = rng.poisson(per_day, days)
        n = int(counts.sum())
        self.day = np.repeat(np.arange(days), counts)
        self.arrive = self.day * 24 + 6 + rng.random(n) * 17
        self.origin = rng.integers(0, len(ORIGINS), n)
        self.risk = rng.choice(len(RISKS), n, p=RISK_SHARE)
        self.infected = rng.random(n) < np.array(RISK_INFECTED)[self.risk]
        self.mode = rng.integers(0, len(MODES), n)
        self.reported = np.where(rng.random(n) < 0.85, self.arrive - 12 - rng.random(n) * 60, np.nan)
        self.building = rng.integers(0, sim.city.residential_buildings, n)
        male = rng.random(n) < 0.5
        birth = (sim.clock.epoch_seconds // 86400 - (18 + rng.random(n) * 50) * 365.25).astype(np.int64)
        codes = np.array([code for _, code in ORIGINS])[self.origin]
        self.id_numbers = identity.resident_ids(codes, birth, male)
        self.names = identity.names(rng, n)
        self.phones = identity.phone_numbers(sim.city.people + np.arange(n), seed=sim.config.seed)

    def write_day(self, sim: Simulation, day: int, rng, buffers: DayBuffers) -> Positives:
        """The day's arrivals file rows and arrival tests; positives index this object's arrays."""
        idx = np.flatnonzero(self.day == day)
        take = pa.array(idx)
        buffers.arrivals.append(pa.table({
            "id_number": self.id_numbers.take(take),
            "name": self.names.take(take),
            "phone": self.phones.take(take),
            "origin": pa.array([ORIGINS[o][0] for o in self.origin[idx]], pa.string()),
            "origin_risk": pa.array([RISKS[r] for r in self.risk[idx]], pa.string()),
            "arrive_at": sim.clock.stamp(self.arrive[idx]),
            "mode": pa.array([MODES[m] for m in self.mode[idx]], pa.string()),
            "reported_at": sim.clock.stamp(np.nan_to_num(self.reported[idx]), valid=~np.isnan(self.reported[idx])),
            "building_id": sim.city.building_ids.take(pa.array(self.building[idx])),
        }))
        hubs = sim.city.venues_of(VenueKind.transport_hub)
        collected = self.arrive[idx] + rng.random(len(idx)) * 2
        site = sim.city.venue_ids.take(pa.array(_pick(rng, hubs, len(idx))))
        found, reported = sim.lab.test(rng, idx, collected, 1, site, None, buffers.arrival_samples,
                                       buffers.results, positive=self.infected[idx])
        return _positives(found, idx, collected, reported)

