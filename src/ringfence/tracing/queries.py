"""The event-log SQL of tracing, written once in DuckDB's dialect and run as is on DuckDB or Spark.

Each query traces a whole batch of cases in one pass. The batch comes in as small bound tables
(`EventStore.query(tables=…)`), never pasted into the text:

* `case_windows(case_person, phone, start_at, end_at, history_from)`: each case's infectious window
  `[start_at, end_at)`, its phone, and where the companion history starts (14 days before `end_at`);
* `dwell_by_kind(kind, minutes)`: the protocol's dwell time by venue kind;
* `case_stays(case_person, venue_id, start_at, end_at)`: the case's stays, already clipped to its window;
  `stay_days(venue_id, day)`: the days whose files may hold a scan overlapping one of them;
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

def venue_contacts(days: int) -> str:
    """One row per (case, contact): the stay pair that ends the latest among those overlapping enough.

    The scans are read day by day (`$day_0` … `$day_{days-1}`), each day only at the venues whose case
    stays could meet a scan filed under it (bound `stay_days(venue_id, day)`): a join's keys prune a day's
    row groups venue by venue, and a venue visited on one day is not read on the others.
    """
    scans = "\nUNION ALL\n".join(
        f"""  SELECT s.person_id, s.venue_id, s.scanned_at AS start_at, {_STAY_END} AS end_at
  FROM scans s
  JOIN (SELECT DISTINCT venue_id FROM stay_days WHERE day = $day_{i}) cv ON cv.venue_id = s.venue_id
  LEFT JOIN venues v ON v.venue_id = s.venue_id
  LEFT JOIN dwell_by_kind d ON d.kind = v.kind
  WHERE s.day = $day_{i} AND s.scanned_at >= $earliest AND s.scanned_at < $latest"""
        for i in range(days)
    )
    return f"""
WITH stays AS (
{scans}
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


# The grid cell of a location row (`rules.Grid`: Python, DuckDB and Spark put a point in the same cell).
def _cells(alias: str = "") -> str:
    return (f"CAST(floor(({alias}lon - $lon0) * $cells_per_lon) AS BIGINT) AS cx, "
            f"CAST(floor(({alias}lat - $lat0) * $cells_per_lat) AS BIGINT) AS cy")


# The cases' own phone positions over their companion history (phone order: one row group a day each).
CASE_LOCATIONS = f"""
SELECT w.case_person, l.start_at, l.end_at, {_cells("l.")}
FROM locations l JOIN case_windows w ON w.phone = l.phone
WHERE l.day BETWEEN $first_day AND $last_day AND l.start_at < w.end_at AND w.history_from < l.end_at
"""


# The location rows in the wanted cells, read from the by-place copy: a join with the tiles those cells touch
# (`wanted_tiles(tile, from_day)`) prunes its row groups tile by tile, then each row's own cell is checked
# (`wanted_cells(cx, cy, from_day)`); the tiles' range is also a plain filter, which Spark (it does not prune
# by a join's keys) pushes down to the row groups. A cell is read from its own first day: a cell where every
# case present itself stayed long enough needs no one else's history, only the windows' days.
CELL_COLUMNS = ("phone_key", "start_at", "end_at", "day", "lon", "lat", "tile")  # all it reads of the view
CELL_ROWS = f"""
SELECT o.phone_key, o.start_at, o.end_at, o.cx, o.cy
FROM (
  SELECT l.phone_key, l.start_at, l.end_at, l.day, {_cells("l.")}
  FROM locations_by_place l JOIN wanted_tiles t ON t.tile = l.tile
  WHERE l.day BETWEEN $first_day AND $last_day AND l.day >= t.from_day
    AND l.tile BETWEEN $lowest_tile AND $highest_tile AND l.phone_key IS NOT NULL
) o
JOIN wanted_cells k ON k.cx = o.cx AND k.cy = o.cy AND o.day >= k.from_day
"""


# Each phone that was a case's companion (DESIGN.md section 3): in the case's cell with it at least
# `$min_together_seconds`, where the case (`mine_seconds`, over its history) or the phone (its own stay in that
# cell over the case's history) stayed more than `$long_seconds`; one row per (case, phone), from the cell
# where it was exposed last (then longest). Phones are their numbers (`views.PHONE_KEY`, read several times
# faster than their text); a phone without one is no register's, and the people index names each other's holder.
# Bound: `case_presence(case_person, phone_key, cx, cy, start_at, end_at)`, the case's presence in its window;
# `case_cells(case_person, cx, cy, history_from, end_at, mine_seconds)`; and `CELL_ROWS`'s tables.
COMPANIONS = f"""
WITH near AS (
{CELL_ROWS}
),
together AS (
  SELECT c.case_person, o.phone_key, c.cx, c.cy,
         sum(epoch(least(c.end_at, o.end_at)) - epoch(greatest(c.start_at, o.start_at))) AS together_seconds,
         max(least(c.end_at, o.end_at)) AS last_exposure
  FROM case_presence c JOIN near o
    ON o.cx = c.cx AND o.cy = c.cy AND o.phone_key <> c.phone_key AND o.start_at < c.end_at AND c.start_at < o.end_at
  GROUP BY c.case_person, o.phone_key, c.cx, c.cy
  HAVING sum(epoch(least(c.end_at, o.end_at)) - epoch(greatest(c.start_at, o.start_at))) >= $min_together_seconds
),
theirs AS (
  SELECT t.case_person, t.phone_key, t.cx, t.cy,
         sum(epoch(least(o.end_at, k.end_at)) - epoch(greatest(o.start_at, k.history_from))) AS seconds
  FROM together t
  JOIN case_cells k ON k.case_person = t.case_person AND k.cx = t.cx AND k.cy = t.cy
   AND k.mine_seconds <= $long_seconds
  JOIN near o ON o.phone_key = t.phone_key AND o.cx = t.cx AND o.cy = t.cy
             AND o.start_at < k.end_at AND k.history_from < o.end_at
  GROUP BY t.case_person, t.phone_key, t.cx, t.cy
)
SELECT t.case_person, t.phone_key, t.together_seconds, t.last_exposure
FROM together t
JOIN case_cells k ON k.case_person = t.case_person AND k.cx = t.cx AND k.cy = t.cy
LEFT JOIN theirs h ON h.case_person = t.case_person AND h.phone_key = t.phone_key AND h.cx = t.cx AND h.cy = t.cy
WHERE k.mine_seconds > $long_seconds OR coalesce(h.seconds, 0) > $long_seconds
QUALIFY row_number() OVER (
  PARTITION BY t.case_person, t.phone_key ORDER BY t.last_exposure DESC, t.together_seconds DESC) = 1
"""


# Each person once per case, in the strongest category (DESIGN.md section 3), over the batch's own rows
# (`found`: every route's rows with its ranks, in the order found, `seq`) in an in-process DuckDB whatever
# the engine: within a category the stronger route (household > venue > grid), then the latest exposure,
# then the smallest `through` (a secondary contact is linked through the close contact exposed last), then
# the first found. The case itself is never its own contact. Companions (the weakest, and most, rows) come
# once per (case, person) from their query (one row per phone, a phone held by one person): they are only
# dropped where the person is close or secondary, not ranked among themselves.
STRONGEST = """
WITH ranked AS (
  SELECT case_person, person_id, category, via, through, venue_id, last_exposure, overlap_minutes, category_rank
  FROM found
  WHERE via <> 'grid' AND person_id <> case_person
  QUALIFY row_number() OVER (
    PARTITION BY case_person, person_id
    ORDER BY category_rank DESC, via_rank DESC, last_exposure DESC NULLS LAST, through NULLS FIRST, seq) = 1
)
SELECT case_person, person_id, category, via, through, venue_id, last_exposure, overlap_minutes
FROM (
  SELECT * FROM ranked
  UNION ALL
  SELECT case_person, person_id, category, via, through, venue_id, last_exposure, overlap_minutes, category_rank
  FROM found g
  WHERE via = 'grid' AND person_id <> case_person
    AND NOT EXISTS (SELECT 1 FROM ranked r WHERE r.case_person = g.case_person AND r.person_id = g.person_id)
)
ORDER BY case_person, category_rank DESC, person_id
"""

BUILDINGS_CENTRE = "SELECT avg(lon) AS lon, avg(lat) AS lat FROM buildings"
