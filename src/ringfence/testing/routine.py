"""Routine screening (常态筛) and the key places' venue-code check (底线要牢), over the event log.

* Key groups: people whose `key_group` has a frequency in the protocol's [screening.routine_hours],
  and the staff of key places (`workplace_id` naming a venue of a key-place kind, group
  `key_place_staff`). A member is overdue once more than the group's hours have passed since their
  last covering sample (a pending tube counts, an invalid-only one does not), or was never sampled.
* Key places: a check-in at a venue of a key-place kind by someone without a negative result known
  at the scan, from a sample collected within the kind's hours before it, is a violation.

The protocol's group names, kinds and hours go in as parameters (`$g0`, `$h0`, …), never as text.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import KeyPlaceRules, ScreeningRules
from ringfence.testing.rules import KEY_PLACE_STAFF, key_place_kinds

_COVERING_TUBES = """
covering_tubes AS (
    SELECT tube_id, max(CASE WHEN result <> 'invalid' THEN 1 ELSE 0 END) AS valid
    FROM tube_results WHERE reported_at <= $as_of GROUP BY tube_id
)"""

_NEGATIVE_TUBES = """
negative_tubes AS (
    SELECT tube_id, min(CASE WHEN result = 'negative' THEN reported_at END) AS reported_at
    FROM tube_results WHERE reported_at <= $as_of GROUP BY tube_id
    HAVING max(CASE WHEN result = 'negative' THEN 1 ELSE 0 END) = 1
       AND max(CASE WHEN result = 'positive' THEN 1 ELSE 0 END) = 0
)"""


def _listed(prefix: str, values: list) -> tuple[str, dict]:
    names = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return ", ".join(f"${name}" for name in names), names


def _case(column: str, pairs: list[tuple[str, int]], prefix: str, default: str = "NULL") -> tuple[str, dict]:
    params, whens = {}, []
    for i, (key, hours) in enumerate(pairs):
        params[f"{prefix}k{i}"], params[f"{prefix}h{i}"] = key, hours
        whens.append(f"WHEN ${prefix}k{i} THEN ${prefix}h{i}")
    return f"CASE {column} {' '.join(whens)} ELSE {default} END", params


def routine_members(store: EventStore, *, rules: ScreeningRules, key_places: KeyPlaceRules, as_of: datetime) -> pa.Table:
    """Every key-group member: group, employer, home building, last covering sample, hours, due time, overdue."""
    groups = sorted(rules.routine_hours)
    if not groups:
        return _empty_members()
    group_list, group_params = _listed("g", groups)
    kind_list, kind_params = _listed("k", key_place_kinds(key_places) or ["\0"])
    hours, hour_params = _case("m.key_group", [(g, rules.routine_hours[g]) for g in groups], "r")
    staff = KEY_PLACE_STAFF if KEY_PLACE_STAFF in rules.routine_hours else None
    staff_rule = "OR (v.venue_id IS NOT NULL AND $staff IS NOT NULL)"
    sql = f"""
    WITH {_COVERING_TUBES},
    members AS (
        SELECT p.person_id,
               CASE WHEN p.key_group IN ({group_list}) THEN p.key_group ELSE $staff END AS key_group,
               p.workplace_id, p.building_id
        FROM people p
        LEFT JOIN (SELECT DISTINCT venue_id FROM venues WHERE kind IN ({kind_list})) v ON v.venue_id = p.workplace_id
        WHERE p.key_group IN ({group_list}) {staff_rule}
    ),
    last_samples AS (
        SELECT s.person_id, max(s.collected_at) AS last_sampled_at
        FROM samples s LEFT JOIN covering_tubes t ON t.tube_id = s.tube_id
        WHERE s.collected_at <= $as_of AND (t.tube_id IS NULL OR t.valid = 1)
          AND s.person_id IN (SELECT person_id FROM members)
        GROUP BY s.person_id
    ),
    judged AS (
        SELECT m.person_id, m.key_group, m.workplace_id, m.building_id, l.last_sampled_at,
               {hours} AS hours
        FROM members m LEFT JOIN last_samples l ON l.person_id = m.person_id
    )
    SELECT person_id, key_group, workplace_id, building_id, last_sampled_at, hours,
           last_sampled_at + INTERVAL 1 HOUR * hours AS due_at,
           (last_sampled_at IS NULL OR last_sampled_at + INTERVAL 1 HOUR * hours < $as_of) AS overdue
    FROM judged
    ORDER BY key_group, workplace_id, person_id
    """
    params = {"as_of": as_of, "staff": staff, **group_params, **kind_params, **hour_params}
    return store.query(sql, params)


def _empty_members() -> pa.Table:
    time = pa.timestamp("us", tz="UTC")
    return pa.table({
        "person_id": pa.array([], pa.string()), "key_group": pa.array([], pa.string()),
        "workplace_id": pa.array([], pa.string()), "building_id": pa.array([], pa.string()),
        "last_sampled_at": pa.array([], time), "hours": pa.array([], pa.int64()),
        "due_at": pa.array([], time), "overdue": pa.array([], pa.bool_()),
    })


def _key_venues(key_places: KeyPlaceRules) -> tuple[str, dict]:
    kinds = key_place_kinds(key_places)
    kind_list, kind_params = _listed("k", kinds or ["\0"])
    hours, hour_params = _case(
        "kind", [(k, key_places.hours_for(k)) for k in kinds], "q", default="$default_hours"
    )
    cte = f"""
    key_venues AS (
        SELECT venue_id, kind, building_id, {hours} AS hours FROM venues WHERE kind IN ({kind_list})
    )"""
    return cte, {**kind_params, **hour_params, "default_hours": key_places.negative_test_hours}


def venue_check_violations(
    store: EventStore, *, key_places: KeyPlaceRules, start: datetime, end: datetime, as_of: datetime
) -> pa.Table:
    """Check-ins in [start, end) at key places without a recent enough negative known at the scan."""
    venues, params = _key_venues(key_places)
    sql = f"""
    WITH {_NEGATIVE_TUBES}, {venues},
    visits AS (
        SELECT s.person_id, s.venue_id, s.scanned_at, s.day, k.kind, k.building_id, k.hours
        FROM scans s JOIN key_venues k ON k.venue_id = s.venue_id
        WHERE s.scanned_at >= $start AND s.scanned_at < $end AND s.scanned_at <= $as_of
    ),
    negatives AS (
        SELECT sa.person_id, sa.collected_at, n.reported_at
        FROM samples sa JOIN negative_tubes n ON n.tube_id = sa.tube_id
        WHERE sa.person_id IN (SELECT person_id FROM visits)
    ),
    judged AS (
        SELECT v.venue_id, v.kind, v.building_id, v.day, v.person_id, v.scanned_at, v.hours,
               max(n.collected_at) AS last_negative_at
        FROM visits v LEFT JOIN negatives n
          ON n.person_id = v.person_id AND n.collected_at <= v.scanned_at AND n.reported_at <= v.scanned_at
        GROUP BY v.venue_id, v.kind, v.building_id, v.day, v.person_id, v.scanned_at, v.hours
    )
    SELECT venue_id, kind, building_id, day, person_id, scanned_at, hours, last_negative_at
    FROM judged
    WHERE last_negative_at IS NULL OR last_negative_at < scanned_at - INTERVAL 1 HOUR * hours
    ORDER BY venue_id, day, scanned_at, person_id
    """
    return store.query(sql, {**params, "start": start, "end": end, "as_of": as_of})


def key_place_checkins(
    store: EventStore, *, key_places: KeyPlaceRules, start: datetime, end: datetime, as_of: datetime
) -> pa.Table:
    """Check-ins in [start, end) per key place and local day (the denominator of the violations)."""
    venues, params = _key_venues(key_places)
    sql = f"""
    WITH {venues}
    SELECT s.venue_id, k.kind, k.building_id, s.day, count(*) AS checkins
    FROM scans s JOIN key_venues k ON k.venue_id = s.venue_id
    WHERE s.scanned_at >= $start AND s.scanned_at < $end AND s.scanned_at <= $as_of
    GROUP BY s.venue_id, k.kind, k.building_id, s.day
    ORDER BY s.venue_id, s.day
    """
    return store.query(sql, {**params, "start": start, "end": end, "as_of": as_of})


def samples_of(store: EventStore, *, person_ids: list[str], start: datetime, end: datetime, as_of: datetime,
               chunk: int = 500) -> pa.Table:
    """Covering samples (not invalid-only) of the given people collected in [start, end]: person, time."""
    tables = []
    wanted = sorted(set(person_ids))
    for first in range(0, len(wanted), chunk):
        person_list, person_params = _listed("p", wanted[first:first + chunk])
        sql = f"""
        WITH {_COVERING_TUBES}
        SELECT s.person_id, s.collected_at
        FROM samples s LEFT JOIN covering_tubes t ON t.tube_id = s.tube_id
        WHERE s.person_id IN ({person_list}) AND s.collected_at >= $start AND s.collected_at <= $end
          AND s.collected_at <= $as_of AND (t.tube_id IS NULL OR t.valid = 1)
        ORDER BY s.person_id, s.collected_at
        """
        tables.append(store.query(sql, {**person_params, "start": start, "end": end, "as_of": as_of}))
    if not tables:
        return pa.table({"person_id": pa.array([], pa.string()),
                         "collected_at": pa.array([], pa.timestamp("us", tz="UTC"))})
    return pa.concat_tables([t.cast(tables[0].schema) for t in tables])
