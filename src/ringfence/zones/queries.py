"""The event-log SQL of delineation, written once in DuckDB's dialect (run as is on DuckDB, through
SQLGlot on Spark). Each query serves the whole city or the whole batch of cases in one pass; the
batch comes in as small bound tables, never pasted into the text:

* `case_windows(case_person, start_at, end_at)`: each active case's infectious window;
* `dwell_by_kind(kind, minutes)`: the protocol's dwell time by venue kind;
* `unit_buildings(unit_key, building_id)`: the buildings of each unit whose screening is judged;
* `known_cases(person_id)`: the active cases, whom an area's screening round does not cover.

Durations are differences of epoch seconds (DuckDB's `date_diff` and Spark's `DATEDIFF` differ).
"""

from __future__ import annotations

# A check-in without check-out lasts the venue's own dwell, else its kind's, else the protocol default.
_STAY_END = (
    "coalesce(s.left_at, s.scanned_at + INTERVAL 1 MINUTE * "
    "coalesce(nullif(v.dwell_minutes, 0), d.minutes, $default_dwell))"
)

# The cases' stays at venues that stand in a building, clipped to the case's window, long enough.
LONG_STAYS = f"""
WITH stays AS (
  SELECT w.case_person, v.building_id, s.scanned_at AS start_at, {_STAY_END} AS end_at,
         w.start_at AS window_start, w.end_at AS window_end
  FROM scans_by_person s
  JOIN case_windows w ON w.case_person = s.person_id
  JOIN venues v ON v.venue_id = s.venue_id
  LEFT JOIN dwell_by_kind d ON d.kind = v.kind
  WHERE s.day BETWEEN $first_day AND $last_day AND s.scanned_at < w.end_at AND v.building_id IS NOT NULL
),
clipped AS (
  SELECT case_person, building_id,
         greatest(start_at, window_start) AS start_at, least(end_at, window_end) AS end_at
  FROM stays
)
SELECT case_person, building_id, start_at, end_at
FROM clipped
WHERE epoch(end_at) - epoch(start_at) >= $min_stay_seconds
"""

# Every building with its community and its residents (the people snapshot, one GROUP BY).
# (Counted before the join: 12.6 M people fold into some 40,000 buildings first.)
BUILDING_RESIDENTS = """
WITH counts AS (SELECT building_id, count(*) AS residents FROM people GROUP BY building_id)
SELECT b.building_id, b.community_id, coalesce(c.residents, 0) AS residents
FROM buildings b LEFT JOIN counts c ON c.building_id = b.building_id
"""

AREAS = "SELECT area_id, level, path FROM areas"

# Per unit and local day: its residents (cases aside) sampled that day (by $as_of), by their state then.
# A resident is positive if a tube of theirs is, else pending if one has no result yet, else
# negative if one reads negative; a tube whose only results are invalid covers no one.
ROUND_VERDICTS = """
WITH sampled AS (
  SELECT person_id, tube_id, day FROM samples
  WHERE day BETWEEN $first_day AND $last_day AND collected_at <= $as_of
),
residents AS (
  SELECT u.unit_key, x.person_id, x.tube_id, x.day
  FROM sampled x
  JOIN people p ON p.person_id = x.person_id
  JOIN unit_buildings u ON u.building_id = p.building_id
  LEFT JOIN known_cases c ON c.person_id = x.person_id
  WHERE c.person_id IS NULL
),
tube_states AS (
  SELECT tube_id,
         max(CASE WHEN result = 'positive' THEN 1 ELSE 0 END) AS positive,
         max(CASE WHEN result = 'negative' THEN 1 ELSE 0 END) AS negative
  FROM tube_results
  WHERE day >= $first_day AND reported_at <= $as_of
  GROUP BY tube_id
),
person_days AS (
  SELECT r.unit_key, r.person_id, r.day,
         max(CASE WHEN t.positive = 1 THEN 1 ELSE 0 END) AS positive,
         max(CASE WHEN t.tube_id IS NULL THEN 1 ELSE 0 END) AS pending,
         max(CASE WHEN t.negative = 1 THEN 1 ELSE 0 END) AS negative
  FROM residents r
  LEFT JOIN tube_states t ON t.tube_id = r.tube_id
  GROUP BY r.unit_key, r.person_id, r.day
)
SELECT unit_key, day,
       sum(positive) AS positive,
       sum(CASE WHEN positive = 0 AND pending = 1 THEN 1 ELSE 0 END) AS pending,
       sum(CASE WHEN positive = 0 AND pending = 0 AND negative = 1 THEN 1 ELSE 0 END) AS negative
FROM person_days
GROUP BY unit_key, day
"""
