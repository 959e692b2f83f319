"""Sentinel queries over the event log: follow-ups owed with each person's first sample, daily counts.

DuckDB-dialect SQL over the views `sentinel`, `samples` and the register snapshots `people`,
`venues`, `buildings`, `areas`; the monitored categories come in as a small table of the caller's
(`monitored_categories`), not pasted into the text. Judging (tested, pending, missed) is left to
`rules.judge`: the queries only gather the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pyarrow as pa

from ringfence.eventlog.store import EventStore

# One row per (site, time, person, category) owing a test, with the person's first sample collected
# at or after the event (and by $as_of), and where the person lives.
FOLLOWUPS_SQL = """
WITH owed AS (
    SELECT DISTINCT s.site_id, s.site_kind, s.occurred_at, s.person_id, s.category
    FROM sentinel s JOIN monitored_categories c ON c.category = s.category
    WHERE s.person_id IS NOT NULL AND s.occurred_at >= $since AND s.occurred_at <= $as_of
),
visits AS (
    SELECT DISTINCT site_id, occurred_at, person_id FROM owed
),
first_samples AS (
    SELECT v.site_id, v.occurred_at, v.person_id, min(x.collected_at) AS first_sample_at
    FROM visits v
    JOIN samples x ON x.person_id = v.person_id AND x.collected_at >= v.occurred_at
    WHERE x.collected_at >= $since AND x.collected_at <= $as_of
    GROUP BY v.site_id, v.occurred_at, v.person_id
)
SELECT o.site_id, o.site_kind, o.occurred_at, o.person_id, o.category, f.first_sample_at,
       p.building_id, b.community_id, a.path AS community_path
FROM owed o
LEFT JOIN first_samples f
       ON f.site_id = o.site_id AND f.occurred_at = o.occurred_at AND f.person_id = o.person_id
LEFT JOIN people p ON p.person_id = o.person_id
LEFT JOIN buildings b ON b.building_id = p.building_id
LEFT JOIN areas a ON a.area_id = b.community_id
ORDER BY o.occurred_at, o.person_id, o.site_id, o.category
"""

# Events per local day, site and category (a row without `count` is one event), and the community
# of the site when it is a registered venue with a building.
COUNTS_SQL = """
SELECT s.day, s.site_id, s.site_kind, s.category, a.path AS community_path,
       sum(coalesce(s.count, 1)) AS events
FROM sentinel s
LEFT JOIN venues v ON v.venue_id = s.site_id
LEFT JOIN buildings b ON b.building_id = v.building_id
LEFT JOIN areas a ON a.area_id = b.community_id
WHERE s.day >= $first AND s.day <= $last
GROUP BY s.day, s.site_id, s.site_kind, s.category, a.path
ORDER BY s.day, s.site_id, s.category
"""

FIRST_DAY_SQL = "SELECT min(day) AS first_day FROM sentinel"

DISTRICTS_SQL = "SELECT area_id, name, path FROM areas WHERE level = 'district' ORDER BY path"


def followup_facts(
    store: EventStore, *, categories: Sequence[str], since: datetime, as_of: datetime
) -> list[dict]:
    """Rows owing a test with occurred_at in [since, as_of], each with the first later sample by as_of."""
    monitored = pa.table({"category": pa.array(sorted(set(categories)), pa.string())})
    table = store.query(
        FOLLOWUPS_SQL, {"since": since, "as_of": as_of}, tables={"monitored_categories": monitored}
    )
    return table.to_pylist()


def daily_counts(store: EventStore, *, first: date, last: date) -> list[dict]:
    """Events per day, site and category in first..last, with the community path of the site (or None)."""
    return store.query(COUNTS_SQL, {"first": first, "last": last}).to_pylist()


def first_day(store: EventStore) -> date | None:
    """The first local day holding any sentinel event, None before the first report."""
    return store.query(FIRST_DAY_SQL).to_pylist()[0]["first_day"]


def districts(store: EventStore) -> list[dict]:
    """The districts of the areas snapshot: area_id, name, path."""
    return store.query(DISTRICTS_SQL).to_pylist()
