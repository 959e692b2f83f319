"""Run a synthetic city's outbreak day by day, writing every feed of DESIGN.md section 4.

    from ringfence.simulate.engine import Simulation, run
    from ringfence.simulate.parameters import SimulationConfig

    manifest = run(SimulationConfig(people=3000, days=10, seed=7, out=Path("sim")))

    # closed loop: a policy reads the feeds written so far and answers with actions
    sim = Simulation(config)
    for day in range(config.days):
        sim.step(day, actions=policy(day))   # [Action(day, "isolate", "P00000042"), ...]
    manifest = sim.finish()

Actions take effect from their day: `isolate` puts a person in central isolation (no venues,
no transmission) for `days` days (default 7), `seal_building` keeps a building's residents at
home (household transmission goes on) for `days` days, `test` samples a person that day.
`SimulationConfig.baseline_response=False` turns off the world's own contact placing and area
rounds, so that a policy's actions are the only response (confirmed cases are always
hospitalised). `DIR/truth.parquet` says who infected whom; the platform never reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.simulate import outbreak as transmission
from ringfence.simulate import response
from ringfence.simulate.city import build_city
from ringfence.simulate.detection import FOUND_VIA, CaseRows, Detection, FoundVia, Laboratory, Positives
from ringfence.simulate.feeds import FILES, Clock, FeedSink, write_manifest
from ringfence.simulate.outbreak import Outbreak, Setting
from ringfence.simulate.parameters import SimulationConfig
from ringfence.simulate.routine import day_visits, phone_stays


class ActionKind(StrEnum):
    isolate = "isolate"
    seal_building = "seal_building"
    test = "test"


@dataclass(frozen=True)
class Action:
    """One of the platform's actions, fed back into the simulated world from `day` on."""

    day: int
    kind: ActionKind
    subject_id: str
    days: int = 7


class Component:  # independent random streams, so one part's draws never shift another's
    CITY, MOBILITY, OUTBREAK, DETECTION, ARRIVALS, SEEDS = range(6)


@dataclass
class DayBuffers:
    samples: list = field(default_factory=list)
    arrival_samples: list = field(default_factory=list)  # their `person` indexes the Arrivals' arrays
    results: list = field(default_factory=list)
    sentinel: list = field(default_factory=list)
    arrivals: list = field(default_factory=list)


def read_actions(path: Path) -> list[Action]:
    """Actions from JSON lines or Parquet with columns day, kind, subject_id[, days]."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    actions = []
    for number, row in enumerate(rows, start=1):
        try:
            actions.append(Action(int(row["day"]), ActionKind(row["kind"]), str(row["subject_id"]),
                                  int(row.get("days") or 7)))
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: action {number} is not valid ({exc})") from None
    return actions


def _index_of(subject: str, prefix: str, limit: int) -> int | None:
    if len(subject) > 1 and subject[0] == prefix and subject[1:].isdigit() and int(subject[1:]) < limit:
        return int(subject[1:])
    return None


class Simulation:
    """A city and its outbreak, advanced one day at a time by `step`, closed by `finish`."""

    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.clock = Clock(config.start)
        self.city = build_city(config, self._rng(Component.CITY, 0))
        n = self.city.people
        self.outbreak = Outbreak(config.disease, n)
        self.lab = Laboratory(self.clock, self.outbreak, config.disease.pcr_sensitivity)
        self.detection = Detection(n)
        self.removed_from = np.full(n, np.inf)
        self.removed_until = np.full(n, -np.inf)
        self.home_until = np.full(n, -np.inf)
        self.controlled_since = np.full(n, np.nan)
        self.sought_care = np.zeros(n, dtype=bool)
        self.case_buildings = np.zeros(0, dtype=np.int64)
        self._last_round = np.full(len(self.city.geography.community_district), -10**6)
        self._rounds: dict[int, dict[int, int]] = {}
        self._contact_log: list[tuple[int, np.ndarray, ...]] = []
        self._arrival_cases: list[Positives] = []
        self.sink = FeedSink(config.out, config.format)
        for name, table in self.city.tables.items():
            self.sink.write(name, table)
        # the registers are on their way to disk; only the facilities are read again (isolation)
        self.city.tables = {"facilities": self.city.tables["facilities"]}
        self.arrivals = response.Arrivals(self, self._rng(Component.ARRIVALS, 0))
        self.days_done = 0

    def _rng(self, component: int, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.config.seed, component, *key]))

    # state the response functions read and write
    def removed_at(self, people: np.ndarray, hours: float) -> np.ndarray:
        return (self.removed_from[people] <= hours) & (hours < self.removed_until[people])

    def plan_round(self, day: int, community: int, pool_size: int) -> None:
        planned = self._rounds.setdefault(day, {})
        planned[community] = min(pool_size, planned.get(community, pool_size))

    def take_rounds(self, day: int) -> list[tuple[int, int]]:
        due = []
        for community, pool in sorted(self._rounds.pop(day, {}).items()):
            if self._last_round[community] > day - response.ROUND_EVERY_DAYS:
                continue
            self._last_round[community] = day
            due.append((community, pool))
        return due

    def contact_log(self, people: np.ndarray) -> tuple[np.ndarray, ...]:
        """(day, person, venue-hour bucket, start, end) of the recent stays in the buckets where one of `people`
        stayed that day (buckets an infectious person was in: the log keeps no others); times in seconds of
        their day, rows in log order."""
        of_interest = np.zeros(self.city.people, dtype=bool)
        of_interest[people] = True
        wanted = np.zeros(len(self.city.venue_kind) * 24, dtype=bool)
        parts = []
        for day, person, bucket, start, end in self._contact_log:
            wanted[bucket[of_interest[person]]] = True
            keep = np.flatnonzero(wanted[bucket])
            wanted[:] = False
            parts.append((np.full(len(keep), day), person[keep], bucket[keep], start[keep], end[keep]))
        if not parts:
            return (np.zeros(0, np.int64), *(np.zeros(0, np.int32),) * 4)
        return tuple(np.concatenate(columns) for columns in zip(*parts))

    def step(self, day: int, actions: Iterable[Action] = ()) -> dict[str, int]:
        """Advance the world through `day` (0-based), applying the platform's actions first."""
        if day != self.days_done:
            raise ValueError(f"day {day} out of order: the next day is {self.days_done}")
        t0 = day * 24
        requested = self._apply(day, actions)
        if day == 0:
            self._seed_index_cases()
        removed = (self.removed_from <= t0 + 8) & (t0 + 8 < self.removed_until)
        staying_home = removed | (self.home_until > t0 + 8)
        infectious, weight = self.outbreak.weights(day, removed)

        visits = transmission.VenueDay(self.city, self.outbreak, infectious, weight)
        self._move(day, staying_home, visits)
        rng = self._rng(Component.OUTBREAK, day)
        before = sum(len(t[1]) for t in self.outbreak.truth)
        logged = transmission.venue_transmission(self.city, self.outbreak, day, visits, rng)
        del visits
        transmission.household_transmission(self.city, self.outbreak, day, infectious, weight, rng)
        self._contact_log.append((day, *logged))
        self._contact_log = [e for e in self._contact_log if e[0] >= day - self.config.disease.lookback_days]

        new_cases = self._detect(day, requested)
        infections = sum(len(t[1]) for t in self.outbreak.truth) - before
        self.days_done += 1
        return {"day": day, "infections": infections, "cases": len(new_cases)}

    def _apply(self, day: int, actions: Iterable[Action]) -> np.ndarray:
        n, t0 = self.city.people, day * 24
        tests = []
        for action in sorted(actions, key=lambda a: (a.day, a.kind.value, a.subject_id)):
            if action.day != day:
                continue
            if action.kind == ActionKind.seal_building:
                b = _index_of(action.subject_id, "B", self.city.residential_buildings)
                if b is not None:
                    first, last = np.searchsorted(self.city.person_building, [b, b + 1])
                    self.home_until[first:last] = np.maximum(self.home_until[first:last], t0 + action.days * 24)
                continue
            p = _index_of(action.subject_id, "P", n)
            if p is None:
                continue
            if action.kind == ActionKind.isolate:
                self.removed_from[p] = min(self.removed_from[p], t0) if self.removed_until[p] > t0 else t0
                self.removed_until[p] = max(self.removed_until[p], t0 + action.days * 24)
                if np.isnan(self.controlled_since[p]):
                    self.controlled_since[p] = t0
            else:
                tests.append(p)
        return np.unique(np.array(tests, dtype=np.int64))

    def _seed_index_cases(self) -> None:
        rng = self._rng(Component.SEEDS, 0)
        count = min(self.config.seeded_index_cases, self.city.people)
        people = np.sort(rng.choice(self.city.people, count, replace=False))
        at = -rng.random(count) * 72  # infected in the three days before the first day
        self.outbreak.infect(rng, people, at, np.full(count, -1), Setting.imported, np.full(count, -1))

    def _move(self, day: int, staying_home: np.ndarray, kept: transmission.VenueDay) -> None:
        """Draw the day's visits block by block: write scans and phone stays, keep what transmission needs."""
        city, clock, n = self.city, self.clock, self.city.people
        weekday = (self.config.start + timedelta(days=day)).weekday()
        for block, first in enumerate(range(0, n, self.config.chunk_people)):
            last = min(n, first + self.config.chunk_people)
            rng = self._rng(Component.MOBILITY, day, block)
            visits = day_visits(city, first, last, weekday, staying_home, rng)
            checked_out = rng.random(len(visits), dtype=np.float32) < 0.6
            self.sink.write("scans", pa.table({
                "person_id": city.person_ids.take(pa.array(visits.person)),
                "venue_id": city.venue_ids.take(pa.array(visits.venue)),
                "scanned_at": clock.stamp_seconds(day, visits.start),
                "left_at": clock.stamp_seconds(day, visits.start.astype(np.int64) + visits.dwell, valid=checked_out),
            }))
            stays = phone_stays(city, first, last, visits, rng)
            self.sink.write("locations", pa.table({
                "phone": city.phones.take(pa.array(stays.person)),
                "lon": stays.lon, "lat": stays.lat,
                "start_at": clock.stamp_seconds(day, stays.start),
                "end_at": clock.stamp_seconds(day, stays.end),
            }))
            kept.add(visits.person, visits.venue, visits.start, visits.dwell)

    def _detect(self, day: int, requested: np.ndarray) -> np.ndarray:
        rng = self._rng(Component.DETECTION, day)
        buffers = DayBuffers()
        found: list[tuple[Positives, FoundVia]] = response.sentinels(self, day, rng, buffers)
        found.append((response.routine_screening(self, day, rng, buffers), FoundVia.screening))
        found.append((response.voluntary_tests(self, day, rng, buffers), FoundVia.other))
        found.append((response.area_rounds(self, day, rng, buffers), FoundVia.screening))
        found.append((response.controlled_tests(self, day, rng, buffers), FoundVia.controlled))
        asked = response.requested_tests(self, day, requested, rng, buffers)
        under_control = ~np.isnan(self.controlled_since[asked.people])
        found.append((Positives(asked.people[under_control], asked.sampled[under_control],
                                asked.reported[under_control]), FoundVia.controlled))
        found.append((Positives(asked.people[~under_control], asked.sampled[~under_control],
                                asked.reported[~under_control]), FoundVia.screening))
        self._arrival_cases.append(self.arrivals.write_day(self, day, rng, buffers))

        via_index = {v: i for i, v in enumerate(FOUND_VIA)}
        # a person found as a contact under control counts as controlled, whatever test found them
        merged = Positives(
            np.concatenate([p.people for p, _ in found]), np.concatenate([p.sampled for p, _ in found]),
            np.concatenate([p.reported for p, _ in found]))
        via = np.concatenate([np.full(len(p.people), via_index[v]) for p, v in found])
        controlled = ~np.isnan(self.controlled_since[merged.people]) & (
            self.controlled_since[merged.people] <= merged.sampled)
        via[controlled] = via_index[FoundVia.controlled]
        new = self.detection.confirm(merged, via)
        # confirmed cases go to hospital: no more visits or transmission
        self.removed_from[new] = np.minimum(np.where(self.removed_at(new, self.detection.case_at[new]),
                                                     self.removed_from[new], np.inf), self.detection.case_at[new])
        self.removed_until[new] = np.inf
        if self.config.baseline_response and len(new):
            response.place_contacts(self, day, new, rng)
            response.schedule_rounds(self, day, new)
        self._flush(buffers)
        return new

    def _flush(self, buffers: DayBuffers) -> None:
        # samples name residents and arrivals alike by id_number (one person column per file)
        for parts, id_numbers in ((buffers.samples, self.city.id_numbers),
                                  (buffers.arrival_samples, self.arrivals.id_numbers)):
            for part in parts:
                person = id_numbers.take(pa.array(part.pop("person")))
                self.sink.write("samples", pa.table({**part, "id_number": person}))
        for name, parts in (("tube-results", buffers.results), ("sentinel", buffers.sentinel),
                            ("arrivals", buffers.arrivals)):
            for part in parts:
                self.sink.write(name, part)

    def finish(self) -> dict:
        """Write the cases, the ground truth and the manifest; returns the manifest."""
        # cases name residents and arrivals alike by id_number: residents by index, arrivals after them
        everyone = pa.chunked_array([self.city.id_numbers, self.arrivals.id_numbers])
        cases = CaseRows.concat([self._resident_cases(), self._arrival_cases_found()])
        self.sink.write("cases", cases.table(self.clock, everyone))
        self.sink.close()
        truth = self._truth_table()
        pq.write_table(truth, self.config.out / "truth.parquet", compression="zstd", coerce_timestamps="ms")
        config = asdict(self.config)
        arguments = {k: (str(v) if isinstance(v, (Path, date)) else v) for k, v in config.items()
                     if k in ("people", "days", "seed", "start", "format", "baseline_response", "index_cases")}
        manifest = {
            "arguments": arguments,
            "seed": self.config.seed,
            "start": self.config.start.isoformat(),
            "days": self.days_done,
            "timezone": "Asia/Shanghai",
            "files": [
                {"kind": f.kind, "name": f.name, "path": self.sink.paths[f.name].name, "rows": self.sink.rows[f.name]}
                for f in FILES
            ],
            "rows": {f.name: self.sink.rows[f.name] for f in FILES} | {"truth": truth.num_rows},
            "truth": "truth.parquet",
            "disease": asdict(self.config.disease),
        }
        write_manifest(self.config.out, manifest)
        return manifest

    def _resident_cases(self) -> CaseRows:
        person, sampled, confirmed, via = self.detection.found()
        ob = self.outbreak
        return CaseRows(person, sampled, confirmed, via, ob.symptomatic[person], ob.onset_at[person])

    def _arrival_cases_found(self) -> CaseRows:
        """Arrivals whose arrival test was positive; they index the id numbers after the residents."""
        found = self._arrival_cases
        people = np.concatenate([p.people for p in found]) if found else np.zeros(0, np.int64)
        sampled = np.concatenate([p.sampled for p in found]) if found else np.zeros(0)
        reported = np.concatenate([p.reported for p in found]) if found else np.zeros(0)
        symptomatic = (people * 2654435761 % 10) < 4  # a fixed 40% of arrivals' infections show symptoms
        via = np.full(len(people), FOUND_VIA.index(FoundVia.arrival))
        return CaseRows(people + self.city.people, sampled, reported, via, symptomatic, sampled - 12)

    def _truth_table(self) -> pa.Table:
        ob = self.outbreak
        parts = ob.truth
        infector = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        infectee = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        at = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
        setting = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, object)
        venue = np.concatenate([p[4] for p in parts]) if parts else np.zeros(0, np.int64)
        order = np.lexsort((infectee, at))
        infector, infectee, at, setting, venue = infector[order], infectee[order], at[order], setting[order], venue[order]
        ids = self.city.person_ids
        return pa.table({
            "infector": ids.take(pa.array(infector, mask=infector < 0)),
            "infectee": ids.take(pa.array(infectee)),
            "infected_at": self.clock.stamp(at),
            "setting": pa.array(setting.astype(str), pa.string()),
            "venue_id": self.city.venue_ids.take(pa.array(venue, mask=venue < 0)),
            "onset_at": self.clock.stamp(ob.onset_at[infectee]),
            "symptomatic": pa.array(ob.symptomatic[infectee]),
        })


def run(config: SimulationConfig, actions: Iterable[Action] | None = None, progress=None) -> dict:
    """Simulate every day (with the given actions) and write all files; returns the manifest."""
    simulation = Simulation(config)
    by_day: dict[int, list[Action]] = {}
    for action in actions or ():
        by_day.setdefault(action.day, []).append(action)
    for day in range(config.days):
        simulation.step(day, by_day.get(day, ()))
        if progress is not None:
            progress(day)
    return simulation.finish()
