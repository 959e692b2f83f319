"""How the outside world finds infections: tests (single and pooled), sentinels, cases.

`Laboratory` collects samples into tubes (pools), reports tube results and returns who tested
positive; `Detection` keeps who is already a case and the cases file's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pyarrow as pa

from ringfence.simulate import identity
from ringfence.simulate.feeds import Clock
from ringfence.simulate.outbreak import Outbreak

LABS = 12
INVALID_SHARE = 0.002


class FoundVia(StrEnum):
    screening = "screening"
    sentinel = "sentinel"
    controlled = "controlled"
    arrival = "arrival"
    other = "other"


FOUND_VIA = tuple(FoundVia)


@dataclass
class Positives:
    """People whose single-tube sample was positive: when sampled and when reported."""

    people: np.ndarray
    sampled: np.ndarray
    reported: np.ndarray

    @staticmethod
    def none() -> Positives:
        return Positives(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))


@dataclass
class Laboratory:
    clock: Clock
    outbreak: Outbreak
    sensitivity: float
    sample_count: int = 0
    tube_count: int = 0

    def test(
        self, rng, people, collected, pool_size: int, site, round_id: str | None, samples: list, results: list,
        positive: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sample people into tubes of `pool_size`; returns (people, reported) of positive tubes.

        `positive` overrides the virus check (arrivals are not in the outbreak's arrays).
        """
        n = len(people)
        if n == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        tube_of = np.arange(n) // pool_size
        tubes = int(tube_of[-1]) + 1
        tube_ids = identity.prefixed_ids("T", self.tube_count + np.arange(tubes), 10)
        sample_ids = identity.prefixed_ids("S", self.sample_count + np.arange(n), 10)
        self.tube_count += tubes
        self.sample_count += n
        carries = self.outbreak.pcr_positive(people, collected) if positive is None else positive
        detected = carries & (rng.random(n) < self.sensitivity)
        tube_positive = np.bincount(tube_of, detected, minlength=tubes) > 0
        tube_collected = np.maximum.reduceat(collected, np.arange(0, n, pool_size))
        reported = tube_collected + 4 + rng.random(tubes) * 8
        invalid = rng.random(tubes) < INVALID_SHARE
        tube_positive &= ~invalid
        result = np.where(invalid, "invalid", np.where(tube_positive, "positive", "negative"))
        ct = 18 + rng.random(tubes) * 16 + (2.5 if pool_size > 1 else 0.0)
        samples.append({
            "sample_id": sample_ids, "person": people, "tube_id": tube_ids.take(pa.array(tube_of)),
            "collected_at": self.clock.stamp(collected),
            "site_id": site if isinstance(site, pa.Array) else pa.array([site] * n, pa.string()),
            "round_id": pa.array([round_id] * n, pa.string()),
        })
        results.append(pa.table({
            "tube_id": tube_ids, "result": pa.array(result), "reported_at": self.clock.stamp(reported),
            "lab_id": identity.prefixed_ids("LAB", rng.integers(1, LABS + 1, tubes), 2),
            "ct": pa.array(np.round(ct, 1), mask=~tube_positive),
        }))
        hit = tube_positive[tube_of]
        return people[hit], reported[tube_of][hit]


@dataclass
class Detection:
    """Cases found so far: one row per person, the first positive single tube."""

    people: int
    case_at: np.ndarray = field(init=False)
    rows: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.case_at = np.full(self.people, np.nan)

    def confirm(self, positives: Positives, via: np.ndarray) -> np.ndarray:
        """Make cases of positives not yet cases (earliest report wins); returns the new ones."""
        order = np.lexsort((positives.reported, positives.people))
        people = positives.people[order]
        first = np.unique(people, return_index=True)[1]
        pick = order[first]
        fresh = np.isnan(self.case_at[positives.people[pick]])
        pick = pick[fresh]
        new = positives.people[pick]
        self.case_at[new] = positives.reported[pick]
        self.rows.append((new, positives.sampled[pick], positives.reported[pick], via[pick]))
        return new

    def found(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(person, sampled, confirmed, found_via index) of every case so far, in the order found."""
        if not self.rows:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
        return tuple(np.concatenate([r[i] for r in self.rows]) for i in range(4))


@dataclass
class CaseRows:
    """Rows of the cases file; `person` indexes the id-number array the file is written with."""

    person: np.ndarray
    sampled: np.ndarray
    confirmed: np.ndarray
    via: np.ndarray  # index into FOUND_VIA
    symptomatic: np.ndarray
    onset: np.ndarray  # hours; only read where symptomatic

    @staticmethod
    def concat(parts: list[CaseRows]) -> CaseRows:
        return CaseRows(*(np.concatenate([getattr(p, f) for p in parts]) for f in CaseRows.__dataclass_fields__))

    def table(self, clock: Clock, id_numbers: pa.ChunkedArray | pa.Array) -> pa.Table:
        """The cases file in confirmation order: classification by symptoms, onset only for symptomatic cases."""
        order = np.lexsort((self.person, self.confirmed))
        symptomatic = self.symptomatic[order]
        return pa.table({
            "id_number": id_numbers.take(pa.array(self.person[order])),
            "classification": pa.array(np.where(symptomatic, "confirmed", "asymptomatic")),
            "confirmed_at": clock.stamp(self.confirmed[order]),
            "onset_at": clock.stamp(np.where(symptomatic, self.onset[order], 0.0), valid=symptomatic),
            "sampled_at": clock.stamp(self.sampled[order]),
            "found_via": pa.array([FOUND_VIA[v].value for v in self.via[order]], pa.string()),
        })
