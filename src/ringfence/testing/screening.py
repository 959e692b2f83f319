"""Area screening over the event log: recalls, case candidates, conflicts, uncovered residents, coverage.

Set-based SQL (DuckDB dialect, run as-is on DuckDB and transpiled for Spark) over the views
`samples`, `tube_results` and the register snapshots `people`, `buildings`, `areas`; no Python loop
over people. Everything is judged as of a time: samples collected and results reported after it
are not known yet. The rules are those of `rules.py`:

* a *pool* is a tube with two or more samples; a *single tube* has exactly one;
* a tube is positive when any of its results is (a positive and a negative together are a
  *conflict*: flagged, and the tube stays positive); it covers its members unless its only results
  are invalid (a tube with no result yet covers them);
* every member of a positive pool without a single-tube sample collected strictly after the pooled
  sample is recalled (a later pooled negative does not clear them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from ringfence.eventlog.store import EventStore

# Per tube, from the results known at $as_of: whether any reads positive / negative / not invalid.
_TUBE_STATES = """
tube_states AS (
    SELECT tube_id,
           max(CASE WHEN result = 'positive' THEN 1 ELSE 0 END) AS positive,
           max(CASE WHEN result = 'negative' THEN 1 ELSE 0 END) AS negative,
           max(CASE WHEN result <> 'invalid' THEN 1 ELSE 0 END) AS valid,
           min(CASE WHEN result = 'positive' THEN reported_at END) AS positive_at,
           min(CASE WHEN result = 'negative' THEN reported_at END) AS negative_at,
           min(CASE WHEN result = 'positive' THEN ct END) AS ct
    FROM tube_results WHERE reported_at <= $as_of GROUP BY tube_id
)"""

_TUBE_SIZES = """
tube_sizes AS (
    SELECT tube_id, count(*) AS samples FROM samples WHERE collected_at <= $as_of GROUP BY tube_id
)"""

# The tubes read positive by $as_of, and their samples: a small set whatever the size of the round.
_POSITIVE = """
positive_tubes AS (
    SELECT tube_id, min(CASE WHEN result = 'positive' THEN reported_at END) AS positive_at,
           min(CASE WHEN result = 'positive' THEN ct END) AS ct
    FROM tube_results WHERE reported_at <= $as_of GROUP BY tube_id
    HAVING max(CASE WHEN result = 'positive' THEN 1 ELSE 0 END) = 1
),
positive_samples AS (
    SELECT s.person_id, s.tube_id, s.sample_id, s.collected_at, s.round_id, t.positive_at, t.ct
    FROM samples s JOIN positive_tubes t ON t.tube_id = s.tube_id
    WHERE s.collected_at <= $as_of
),
positive_sizes AS (
    SELECT tube_id, count(*) AS samples FROM positive_samples GROUP BY tube_id
)"""

RECALL_SQL = f"""
WITH {_POSITIVE},
members AS (
    SELECT p.* FROM positive_samples p JOIN positive_sizes z ON z.tube_id = p.tube_id AND z.samples >= 2
),
their_samples AS (
    SELECT s.person_id, s.tube_id, s.collected_at FROM samples s
    WHERE s.collected_at <= $as_of AND s.person_id IN (SELECT person_id FROM members)
),
their_tube_sizes AS (
    SELECT tube_id, count(*) AS samples FROM samples
    WHERE collected_at <= $as_of AND tube_id IN (SELECT tube_id FROM their_samples)
    GROUP BY tube_id
),
singles AS (
    SELECT t.person_id, max(t.collected_at) AS last_single_at
    FROM their_samples t JOIN their_tube_sizes z ON z.tube_id = t.tube_id AND z.samples = 1
    GROUP BY t.person_id
)
SELECT m.person_id, m.tube_id, m.collected_at, m.sample_id, m.round_id, m.positive_at AS reported_at,
       p.building_id, b.community_id
FROM members m
LEFT JOIN singles g ON g.person_id = m.person_id
LEFT JOIN people p ON p.person_id = m.person_id
LEFT JOIN buildings b ON b.building_id = p.building_id
WHERE g.last_single_at IS NULL OR g.last_single_at <= m.collected_at
ORDER BY m.person_id, m.collected_at, m.tube_id
"""

CANDIDATES_SQL = f"""
WITH {_POSITIVE}
SELECT s.person_id, s.sample_id, s.tube_id, s.collected_at, s.positive_at AS reported_at, s.ct,
       p.building_id, b.community_id
FROM positive_samples s
JOIN positive_sizes z ON z.tube_id = s.tube_id AND z.samples = 1
LEFT JOIN people p ON p.person_id = s.person_id
LEFT JOIN buildings b ON b.building_id = p.building_id
ORDER BY s.person_id, s.collected_at, s.tube_id
"""

CONFLICTS_SQL = f"""
WITH {_TUBE_STATES}, {_TUBE_SIZES}
SELECT t.tube_id, t.positive_at, t.negative_at, coalesce(z.samples, 0) AS samples
FROM tube_states t LEFT JOIN tube_sizes z ON z.tube_id = t.tube_id
WHERE t.positive = 1 AND t.negative = 1
ORDER BY t.tube_id
"""

# Residents of the subtree whose root has the path $root (paths are "/city/…/self/").
_RESIDENTS = """
residents AS (
    SELECT p.person_id, p.building_id, b.community_id, b.address
    FROM people p
    JOIN buildings b ON b.building_id = p.building_id
    JOIN areas a ON a.area_id = b.community_id
    WHERE substr(a.path, 1, length($root)) = $root
)"""

# Tubes whose only results by $as_of are invalid: their samples cover nobody (a small set to look up).
_INVALID_TUBES = """
invalid_tubes AS (
    SELECT tube_id FROM tube_results WHERE reported_at <= $as_of GROUP BY tube_id
    HAVING max(CASE WHEN result <> 'invalid' THEN 1 ELSE 0 END) = 0
)"""

_COVERING = """
covering AS (
    SELECT s.person_id FROM samples s LEFT JOIN invalid_tubes i ON i.tube_id = s.tube_id
    WHERE s.collected_at >= $since AND s.collected_at <= $as_of AND i.tube_id IS NULL
)"""

UNCOVERED_SQL = f"""
WITH {_INVALID_TUBES}, {_RESIDENTS}, {_COVERING}
SELECT r.person_id, r.building_id, r.community_id, r.address
FROM residents r
WHERE NOT EXISTS (SELECT 1 FROM covering c WHERE c.person_id = r.person_id)
ORDER BY r.building_id, r.person_id
"""

COVERAGE_BY_COMMUNITY_SQL = f"""
WITH {_INVALID_TUBES}, {_RESIDENTS}, {_COVERING},
covered AS (SELECT DISTINCT person_id FROM covering)
SELECT r.community_id, count(*) AS residents, count(c.person_id) AS sampled
FROM residents r LEFT JOIN covered c ON c.person_id = r.person_id
GROUP BY r.community_id
ORDER BY r.community_id
"""

ROUND_TUBES_SQL = f"""
WITH {_TUBE_STATES}, {_TUBE_SIZES}, {_RESIDENTS},
round_tubes AS (
    SELECT DISTINCT s.tube_id FROM samples s JOIN residents r ON r.person_id = s.person_id
    WHERE s.collected_at >= $since AND s.collected_at <= $as_of
)
SELECT count(*) AS tubes,
       coalesce(sum(CASE WHEN t.tube_id IS NULL THEN 1 ELSE 0 END), 0) AS pending,
       coalesce(sum(CASE WHEN t.valid = 0 THEN 1 ELSE 0 END), 0) AS invalid,
       coalesce(sum(CASE WHEN t.positive = 1 AND z.samples >= 2 THEN 1 ELSE 0 END), 0) AS positive_pools,
       coalesce(sum(CASE WHEN t.positive = 1 AND z.samples = 1 THEN 1 ELSE 0 END), 0) AS positive_singles,
       coalesce(sum(CASE WHEN t.positive = 1 AND t.negative = 1 THEN 1 ELSE 0 END), 0) AS conflicts
FROM round_tubes g
JOIN tube_sizes z ON z.tube_id = g.tube_id
LEFT JOIN tube_states t ON t.tube_id = g.tube_id
"""

TUBES_SQL = f"""
WITH {_TUBE_STATES}, {_TUBE_SIZES}
SELECT z.tube_id, z.samples,
       CASE WHEN t.tube_id IS NULL THEN 'pending' WHEN t.positive = 1 THEN 'positive'
            WHEN t.negative = 1 THEN 'negative' ELSE 'invalid' END AS state,
       coalesce(t.positive = 1 AND t.negative = 1, false) AS conflict
FROM tube_sizes z LEFT JOIN tube_states t ON t.tube_id = z.tube_id
WHERE z.tube_id IN (SELECT tube_id FROM wanted_tubes)
ORDER BY z.tube_id
"""


def recall(store: EventStore, *, as_of: datetime) -> pa.Table:
    """Members of positive pools still to re-sample single-tube: person, tube, pooled sample time, result time."""
    return store.query(RECALL_SQL, {"as_of": as_of})


def candidates(store: EventStore, *, as_of: datetime) -> pa.Table:
    """People whose single tube reads positive: new positives to confirm, with the sample."""
    return store.query(CANDIDATES_SQL, {"as_of": as_of})


def conflicts(store: EventStore, *, as_of: datetime) -> pa.Table:
    """Tubes read both positive and negative (counted positive until the lab settles them)."""
    return store.query(CONFLICTS_SQL, {"as_of": as_of})


def uncovered(store: EventStore, *, root_path: str, since: datetime, as_of: datetime) -> pa.Table:
    """Residents of the subtree without a covering sample collected in [since, as_of], by building."""
    return store.query(UNCOVERED_SQL, {"root": root_path, "since": since, "as_of": as_of})


@dataclass(frozen=True)
class TubeFigures:
    tubes: int
    pending: int
    invalid: int
    positive_pools: int
    positive_singles: int
    conflicts: int


def coverage_by_community(store: EventStore, *, root_path: str, since: datetime, as_of: datetime) -> pa.Table:
    """Per community of the subtree: residents, and those with a covering sample in [since, as_of]."""
    return store.query(COVERAGE_BY_COMMUNITY_SQL, {"root": root_path, "since": since, "as_of": as_of})


def round_tubes(store: EventStore, *, root_path: str, since: datetime, as_of: datetime) -> TubeFigures:
    """The tubes holding samples of the subtree's residents taken in [since, as_of], by state."""
    row = store.query(ROUND_TUBES_SQL, {"root": root_path, "since": since, "as_of": as_of}).to_pylist()[0]
    return TubeFigures(**{k: int(v or 0) for k, v in row.items()})


def tube_states(store: EventStore, *, tube_ids: list[str], as_of: datetime, chunk: int = 500) -> pa.Table:
    """State (pending/positive/negative/invalid), samples and conflict flag of the given tubes."""
    tables = []
    wanted = sorted(set(tube_ids))
    for start in range(0, len(wanted), chunk):
        names = {f"t{i}": tube for i, tube in enumerate(wanted[start:start + chunk])}
        listed = " UNION ALL ".join(f"SELECT ${name} AS tube_id" for name in names)
        sql = TUBES_SQL.replace("WITH ", f"WITH wanted_tubes AS ({listed}), ", 1)
        tables.append(store.query(sql, {"as_of": as_of, **names}))
    if not tables:
        return pa.table({"tube_id": pa.array([], pa.string()), "samples": pa.array([], pa.int64()),
                         "state": pa.array([], pa.string()), "conflict": pa.array([], pa.bool_())})
    return pa.concat_tables([t.cast(tables[0].schema) for t in tables])
