"""The event-log SQL of tracing, written once in DuckDB's dialect and run as is on DuckDB or Spark.

Each query traces a whole batch of cases in one pass. The batch comes in as small bound tables
(`EventStore.query(tables=…)`), never pasted into the text:

* `case_windows(case_person, phone, start_at, end_at, history_from)`: each case's infectious window
  `[start_at, end_at)`, its phone, and where the companion history starts (14 days before `end_at`);
* `dwell_by_kind(kind, minutes)`: the protocol's dwell time by venue kind;
* `case_stays(case_person, venue_id, start_at, end_at)`: the case's stays, already clipped to its window;
* `named(person_id)` / `wanted(household_id)`: the people or households to look up.

Durations are differences of epoch seconds (`epoch(a) - epoch(b)`): DuckDB's `date_diff` and Spark's
`DATEDIFF` do not mean the same thing, epoch arithmetic does. Intervals are half-open: `a < d AND c < b`.
"""

from __future__ import annotations

# A check-in without check-out lasts the venue's own dwell, else its kind's, else the protocol default.
_STAY_END = (
    "coalesce(s.left_at, s.scanned_at + INTERVAL 1 MINUTE * "
    "coalesce(nullif(v.dwell_minutes, 0), d.minutes, $default_dwell))"
)

PEOPLE_OF = """
SELECT p.person_id, p.household_id, p.phone
FROM people p JOIN named n ON n.person_id = p.person_id
"""

HOUSEHOLD_MEMBERS = """
SELECT p.household_id, p.person_id
FROM people p JOIN wanted w ON w.household_id = p.household_id
"""

# Read from the by-person copy of the scans: joined with one case, the engine reads one row group a day.
CASE_STAYS = f"""
WITH stays AS (
  SELECT w.case_person, s.venue_id, s.scanned_at AS start_at, {_STAY_END} AS end_at,
         w.start_at AS window_start, w.end_at AS window_end
  FROM scans_by_person s
  JOIN case_windows w ON w.case_person = s.person_id
  LEFT JOIN venues v ON v.venue_id = s.venue_id
  LEFT JOIN dwell_by_kind d ON d.kind = v.kind
  WHERE s.day BETWEEN $first_day AND $last_day AND s.scanned_at < w.end_at
)
SELECT case_person, venue_id, start_at, end_at FROM stays WHERE end_at > window_start
"""

# One row per (case, contact): the stay pair that ends the latest among those overlapping enough.
VENUE_CONTACTS = f"""
WITH stays AS (
  SELECT s.person_id, s.venue_id, s.scanned_at AS start_at, {_STAY_END} AS end_at
  FROM scans s
  JOIN (SELECT DISTINCT venue_id FROM case_stays) cv ON cv.venue_id = s.venue_id
  LEFT JOIN venues v ON v.venue_id = s.venue_id
  LEFT JOIN dwell_by_kind d ON d.kind = v.kind
  WHERE s.day BETWEEN $first_day AND $last_day AND s.scanned_at >= $earliest AND s.scanned_at < $latest
),
pairs AS (
  SELECT c.case_person, s.person_id, s.venue_id,
         least(c.end_at, s.end_at) AS last_exposure,
         epoch(least(c.end_at, s.end_at)) - epoch(greatest(c.start_at, s.start_at)) AS overlap_seconds
  FROM stays s JOIN case_stays c
    ON c.venue_id = s.venue_id AND s.start_at < c.end_at AND c.start_at < s.end_at
   AND s.person_id <> c.case_person
)
SELECT case_person, person_id, venue_id, last_exposure, overlap_seconds
FROM pairs
WHERE overlap_seconds >= $min_overlap_seconds
QUALIFY row_number() OVER (
  PARTITION BY case_person, person_id ORDER BY last_exposure DESC, overlap_seconds DESC, venue_id) = 1
"""

# Phones in the case's cell long enough, with each party's stay in that cell over the history
# (`rules.is_companion` decides).
COMPANIONS = """
WITH located AS (
  SELECT phone, start_at, end_at,
         CAST(floor((lon - $lon0) * $cells_per_lon) AS BIGINT) AS cx,
         CAST(floor((lat - $lat0) * $cells_per_lat) AS BIGINT) AS cy
  FROM locations
  WHERE day BETWEEN $first_day AND $last_day
),
case_presence AS (
  SELECT w.case_person, w.phone, l.cx, l.cy,
         greatest(l.start_at, w.start_at) AS start_at, least(l.end_at, w.end_at) AS end_at
  FROM located l JOIN case_windows w ON w.phone = l.phone
  WHERE l.start_at < w.end_at AND w.start_at < l.end_at
),
together AS (
  SELECT c.case_person, o.phone, c.cx, c.cy,
         sum(epoch(least(c.end_at, o.end_at)) - epoch(greatest(c.start_at, o.start_at))) AS together_seconds,
         max(least(c.end_at, o.end_at)) AS last_exposure
  FROM case_presence c JOIN located o
    ON o.cx = c.cx AND o.cy = c.cy AND o.phone <> c.phone AND o.start_at < c.end_at AND c.start_at < o.end_at
  GROUP BY c.case_person, o.phone, c.cx, c.cy
  HAVING sum(epoch(least(c.end_at, o.end_at)) - epoch(greatest(c.start_at, o.start_at))) >= $min_together_seconds
),
cells AS (SELECT DISTINCT case_person, cx, cy FROM together),
dwelling AS (
  SELECT w.case_person, l.phone, l.cx, l.cy,
         sum(epoch(least(l.end_at, w.end_at)) - epoch(greatest(l.start_at, w.history_from))) AS seconds
  FROM located l
  JOIN cells k ON k.cx = l.cx AND k.cy = l.cy
  JOIN case_windows w ON w.case_person = k.case_person
  WHERE l.start_at < w.end_at AND w.history_from < l.end_at
  GROUP BY w.case_person, l.phone, l.cx, l.cy
),
owners AS (
  SELECT phone, min(person_id) AS person_id, count(*) AS holders
  FROM people WHERE phone IS NOT NULL GROUP BY phone
)
SELECT t.case_person, t.phone, CASE WHEN o.holders = 1 THEN o.person_id END AS person_id,
       t.together_seconds, t.last_exposure,
       coalesce(mine.seconds, 0) AS mine_seconds, coalesce(theirs.seconds, 0) AS theirs_seconds
FROM together t
JOIN case_windows w ON w.case_person = t.case_person
LEFT JOIN dwelling mine
  ON mine.case_person = t.case_person AND mine.phone = w.phone AND mine.cx = t.cx AND mine.cy = t.cy
LEFT JOIN dwelling theirs
  ON theirs.case_person = t.case_person AND theirs.phone = t.phone AND theirs.cx = t.cx AND theirs.cy = t.cy
LEFT JOIN owners o ON o.phone = t.phone
"""

BUILDINGS_CENTRE = "SELECT avg(lon) AS lon, avg(lat) AS lat FROM buildings"
