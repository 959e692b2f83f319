"""Daily routines: who goes where, when and for how long (scans), and where phones stay.

A day's visits for a block of people are drawn at once: a commute to the workplace or school
on working days, and a Poisson number of public visits chosen by venue popularity, mostly in
the home district, at hours typical of the venue's kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ringfence.simulate.city import CHOICE_SLOTS, KIND_INDEX, City
from ringfence.simulate.parameters import VENUE_KINDS, VenueKind

HOUR = 3600
PUBLIC_VISITS_WORKING = 4.9  # public visits on a day at work
PUBLIC_VISITS_FREE = 5.4
STAY_IN_DISTRICT = 0.85
LOCATED_MIN_DWELL = 45 * 60  # phone stays are reported for stays at least this long
HOUR_SLOTS = 1024
# A person's visits start on distinct seconds: the platform takes (person, venue, scanned_at) as
# one event, so two draws landing on the same second would be one check-in. Start times are
# drawn in steps of TICK seconds and a visit's ordinal within the person's day picks the second
# inside the step (a day of more than TICK visits is, at Poisson 5.4, never drawn).
TICK = 32


def _profile(*peaks: tuple[int, int, float]) -> np.ndarray:
    weights = np.full(24, 0.0)
    for first, last, weight in peaks:
        weights[first:last] += weight
    return weights


_DAYTIME = _profile((8, 21, 1.0), (10, 12, 0.5), (15, 19, 0.5))
HOUR_PROFILES: dict[VenueKind, np.ndarray] = {
    VenueKind.restaurant: _profile((7, 9, 0.4), (11, 13, 1.5), (17, 21, 1.2), (21, 23, 0.3)),
    VenueKind.transport_hub: _profile((6, 22, 0.5), (7, 9, 1.0), (17, 19, 1.0)),
    VenueKind.subway_station: _profile((6, 23, 0.4), (7, 9, 1.5), (17, 19, 1.5)),
    VenueKind.bus_stop: _profile((6, 22, 0.4), (7, 9, 1.5), (17, 19, 1.5)),
    VenueKind.cinema: _profile((13, 23, 0.5), (19, 22, 1.0)),
    VenueKind.entertainment: _profile((18, 24, 1.0)),
    VenueKind.gym: _profile((6, 9, 0.6), (17, 22, 1.0)),
    VenueKind.hotel: _profile((12, 23, 1.0)),
    VenueKind.market: _profile((6, 12, 1.0), (16, 19, 0.6)),
}
OFF_WORK_HOURS = np.array([7, 12, 12, 18, 19, 20, 21, 17])


def _hour_table() -> np.ndarray:
    table = np.empty((len(VENUE_KINDS), HOUR_SLOTS), dtype=np.int8)
    for i, kind in enumerate(VENUE_KINDS):
        weights = HOUR_PROFILES.get(kind, _DAYTIME)
        cdf = np.cumsum(weights) / weights.sum()
        table[i] = np.searchsorted(cdf, (np.arange(HOUR_SLOTS) + 0.5) / HOUR_SLOTS, side="right")
    return table


HOUR_TABLE = _hour_table()


@dataclass
class Visits:
    """One block of a day's check-ins; times in seconds from the day's local midnight."""

    person: np.ndarray  # int32 person index
    venue: np.ndarray  # int32 venue index
    start: np.ndarray  # int32 seconds
    dwell: np.ndarray  # int32 seconds
    work: np.ndarray  # bool: commute to workplace or school

    def __len__(self) -> int:
        return len(self.person)


def day_visits(
    city: City, first: int, last: int, weekday: int, staying_home: np.ndarray, rng: np.random.Generator
) -> Visits:
    """Visits of people `first`..`last - 1` on a day; people `staying_home` (global mask) make none."""
    n = last - first
    mobile = ~staying_home[first:last]
    workplace = city.person_workplace[first:last]
    weekend = weekday >= 5
    attend = np.where(city.venue_kind[np.maximum(workplace, 0)] == KIND_INDEX[VenueKind.school],
                      0.0 if weekend else 0.97, 0.25 if weekend else 0.93)
    works = mobile & (workplace >= 0) & (rng.random(n) < attend)
    public = rng.poisson(np.where(works, PUBLIC_VISITS_WORKING, PUBLIC_VISITS_FREE)) * mobile
    counts = works.astype(np.int64) + public
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    person = np.repeat(np.arange(first, last, dtype=np.int32), counts)
    # the first visit of a working person is the commute
    is_work = np.zeros(total, dtype=bool)
    is_work[offsets[works]] = True

    u = rng.random(total, dtype=np.float32)
    district = city.person_district[person].astype(np.int64)
    row = np.where(rng.random(total, dtype=np.float32) < STAY_IN_DISTRICT, district, city.public_choice.shape[0] - 1)
    venue = city.public_choice[row, (u * CHOICE_SLOTS).astype(np.int64)]
    venue[is_work] = workplace[works]
    kind = city.venue_kind[venue]
    hour = HOUR_TABLE[kind, (rng.random(total, dtype=np.float32) * HOUR_SLOTS).astype(np.int32)].astype(np.int32)
    at_work_today = np.repeat(works, counts)
    busy = at_work_today & (hour >= 8) & (hour < 17)
    hour[busy] = OFF_WORK_HOURS[(u[busy] * 997).astype(np.int64) % len(OFF_WORK_HOURS)]
    ordinal = ((np.arange(total) - np.repeat(offsets, counts)) % TICK).astype(np.int32)
    start = hour * HOUR + (rng.random(total, dtype=np.float32) * (HOUR // TICK)).astype(np.int32) * TICK + ordinal
    dwell = (city.venue_dwell[venue] * 60 * (0.5 + rng.random(total, dtype=np.float32))).astype(np.int32)
    commute = np.flatnonzero(is_work)
    start[commute] = (7.5 * HOUR + (rng.random(len(commute)) * (1.5 * HOUR // TICK)).astype(np.int32) * TICK
                      + ordinal[commute]).astype(np.int32)
    dwell[commute] = (city.venue_dwell[venue[commute]] * 60 * (0.9 + 0.2 * rng.random(len(commute)))).astype(
        np.int32
    )
    return Visits(person=person, venue=venue.astype(np.int32), start=start, dwell=dwell, work=is_work)


@dataclass
class Stays:
    """Phone stays: person index, position, and times in seconds from the day's midnight."""

    person: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    start: np.ndarray
    end: np.ndarray


def phone_stays(city: City, first: int, last: int, visits: Visits, rng: np.random.Generator) -> Stays:
    """Long stays at venues and workplaces, and the night at home (until about 7:00 next day)."""
    n = last - first
    local = visits.person - first
    latest = np.full(n, -1, dtype=np.int64)
    if len(visits):  # visits are grouped by person: reduce each person's run
        firsts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
        ends = visits.start.astype(np.int64) + visits.dwell
        latest[local[firsts]] = np.maximum.reduceat(ends, firsts)
    home_from = np.where(latest >= 0, latest, 7 * HOUR + (rng.random(n) * 2 * HOUR).astype(np.int64))
    home_until = 31 * HOUR + (rng.random(n) * 2 * HOUR).astype(np.int64)
    home_from = np.minimum(home_from, home_until - 600)
    long_stay = np.flatnonzero(visits.dwell >= LOCATED_MIN_DWELL)
    v = visits.venue[long_stay]
    building = city.person_building[first:last]
    person = np.concatenate([visits.person[long_stay], np.arange(first, last, dtype=np.int32)])
    lon = np.concatenate([city.venue_lon[v], city.building_lon[building]])
    lat = np.concatenate([city.venue_lat[v], city.building_lat[building]])
    jitter = (rng.random((2, len(person)), dtype=np.float32) - 0.5) * 0.001  # about ±50 m of positioning noise
    start = np.concatenate([visits.start[long_stay].astype(np.int64), home_from])
    end = np.concatenate([start[: len(long_stay)] + visits.dwell[long_stay], home_until])
    return Stays(person=person, lon=np.round(lon + jitter[0], 6), lat=np.round(lat + jitter[1], 6), start=start,
                 end=end)
