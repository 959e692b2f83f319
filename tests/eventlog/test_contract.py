"""One SQL, two engines: every representative event-log query gives the same rows on DuckDB and Spark."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from tests.eventlog.worlds import events, home_settings, scans, utc, write_register

from ringfence.config import Settings
from ringfence.eventlog.duckdb_store import DuckDBEventStore
from ringfence.eventlog.store import EventStore

# (name, DuckDB-dialect SQL, parameters). Interval arithmetic is written `INTERVAL 1 MINUTE * n`,
# durations as epoch differences: both mean the same thing in both dialects.
QUERIES: list[tuple[str, str, dict | list | None]] = [
    (
        "time range",
        "SELECT person_id, venue_id, scanned_at FROM scans WHERE scanned_at >= $start AND scanned_at < $end",
        {"start": utc(2022, 10, 1, 1, 30), "end": utc(2022, 10, 2, 3)},
    ),
    (
        "local day partition",
        "SELECT person_id, scanned_at, day FROM scans WHERE day = $day",
        {"day": date(2022, 10, 2)},
    ),
    (
        "positional parameters",
        "SELECT person_id FROM scans WHERE venue_id = ? AND scanned_at < ?",
        ["v1", utc(2022, 10, 2)],
    ),
    (
        "join with registers",
        """SELECT s.person_id, v.name AS venue, b.community_id, a.name AS community, p.building_id AS home
           FROM scans s JOIN venues v ON v.venue_id = s.venue_id
           JOIN buildings b ON b.building_id = v.building_id
           JOIN areas a ON a.area_id = b.community_id
           JOIN people p ON p.person_id = s.person_id""",
        None,
    ),
    (
        "interval overlap at the same venue",
        """WITH stays AS (
             SELECT s.person_id, s.venue_id, s.scanned_at AS start_at,
                    coalesce(s.left_at, s.scanned_at + INTERVAL 1 MINUTE * coalesce(v.dwell_minutes, 30)) AS end_at
             FROM scans s JOIN venues v ON v.venue_id = s.venue_id)
           SELECT a.person_id AS case_id, b.person_id AS contact_id, a.venue_id,
                  greatest(a.start_at, b.start_at) AS overlap_from,
                  (epoch(least(a.end_at, b.end_at)) - epoch(greatest(a.start_at, b.start_at))) / 60 AS overlap_minutes
           FROM stays a JOIN stays b
             ON a.venue_id = b.venue_id AND a.person_id <> b.person_id
            AND a.start_at < b.end_at AND b.start_at < a.end_at
           WHERE a.person_id = $case""",
        {"case": "p1"},
    ),
    (
        "group by and count",
        """SELECT venue_id, day, count(*) AS visits, count(DISTINCT person_id) AS visitors,
                  min(scanned_at) AS first_visit
           FROM scans GROUP BY venue_id, day HAVING count(*) >= 1""",
        None,
    ),
    (
        "window over each person's visits",
        """SELECT person_id, venue_id, scanned_at,
                  row_number() OVER (PARTITION BY person_id ORDER BY scanned_at) AS visit,
                  lag(venue_id) OVER (PARTITION BY person_id ORDER BY scanned_at) AS previous_venue
           FROM scans""",
        None,
    ),
    (
        "members of positive pools",
        """SELECT s.person_id, s.tube_id, s.collected_at, r.reported_at, r.ct
           FROM samples s JOIN tube_results r ON r.tube_id = s.tube_id
           WHERE r.result = 'positive'
           QUALIFY row_number() OVER (PARTITION BY s.person_id ORDER BY r.reported_at DESC) = 1""",
        None,
    ),
    (
        "people never sampled since",
        """SELECT p.person_id, p.building_id FROM people p
           WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE s.person_id = p.person_id AND s.collected_at >= $since)""",
        {"since": utc(2022, 10, 1)},
    ),
    (
        "grid cells of phone locations",
        """SELECT phone, CAST(floor(lon / 0.01) AS BIGINT) AS gx, CAST(floor(lat / 0.01) AS BIGINT) AS gy,
                  sum(epoch(end_at) - epoch(start_at)) AS seconds
           FROM locations GROUP BY ALL""",
        None,
    ),
    (
        "sentinel counts by kind and hour",
        """SELECT site_kind, date_trunc('hour', occurred_at) AS hour, sum("count") AS bought,
                  count(*) FILTER (WHERE person_id IS NULL) AS anonymous
           FROM sentinel GROUP BY site_kind, date_trunc('hour', occurred_at)""",
        None,
    ),
    (
        "an empty answer keeps its columns",
        "SELECT person_id, scanned_at FROM scans WHERE venue_id = $venue",
        {"venue": "nowhere"},
    ),
]


def build_world(settings: Settings) -> None:
    """Registers and a few events of every kind, across two local days."""
    write_register(settings, "areas", [
        {"area_id": "c1", "parent_id": None, "level": "community", "name": "Jinshui One", "path": "/c1"},
        {"area_id": "c2", "parent_id": None, "level": "community", "name": "Erqi Two", "path": "/c2"},
    ])
    write_register(settings, "buildings", [
        {"building_id": "b1", "community_id": "c1", "address": "1 Road", "lon": 113.6, "lat": 34.7},
        {"building_id": "b2", "community_id": "c2", "address": "2 Road", "lon": 113.7, "lat": 34.8},
    ])
    write_register(settings, "venues", [
        {"venue_id": "v1", "name": "Market", "kind": "market", "building_id": "b1", "dwell_minutes": 45},
        {"venue_id": "v2", "name": "Cafe", "kind": "cafe", "building_id": "b2"},
    ])
    write_register(settings, "people", [
        {"person_id": f"p{i}", "id_number": f"4101{i:04d}", "phone": f"139{i:04d}", "building_id": f"b{1 + i % 2}"}
        for i in range(1, 6)
    ])
    with DuckDBEventStore(settings) as store:
        store.append("scans", scans(
            ("p1", "v1", utc(2022, 10, 1, 1, 0), utc(2022, 10, 1, 2, 0)),
            ("p2", "v1", utc(2022, 10, 1, 1, 50)),  # no check-out: the venue's 45 minutes
            ("p3", "v1", utc(2022, 10, 1, 2, 0), utc(2022, 10, 1, 2, 30)),  # touches p1's stay only
            ("p1", "v2", utc(2022, 10, 1, 16, 30), utc(2022, 10, 1, 17, 0)),  # next local day
            ("p4", "v2", utc(2022, 10, 1, 16, 40)),  # default 30 minutes
            ("p5", "v2", utc(2022, 10, 2, 2, 0)),
        ), batch_id="day1")
        store.append("scans", scans(("p2", "v2", utc(2022, 10, 2, 3, 15), utc(2022, 10, 2, 4, 0))), batch_id="day2")
        store.append("samples", events("samples", [
            {"sample_id": "s1", "person_id": "p1", "tube_id": "t1", "collected_at": utc(2022, 10, 1, 3)},
            {"sample_id": "s2", "person_id": "p2", "tube_id": "t1", "collected_at": utc(2022, 10, 1, 3, 5)},
            {"sample_id": "s3", "person_id": "p3", "tube_id": "t2", "collected_at": utc(2022, 10, 1, 3, 10)},
            {"sample_id": "s4", "person_id": "p1", "tube_id": "t3", "collected_at": utc(2022, 9, 30, 3)},
        ]), batch_id="samples")
        store.append("tube_results", events("tube_results", [
            {"tube_id": "t1", "result": "positive", "reported_at": utc(2022, 10, 1, 9), "ct": 24.5},
            {"tube_id": "t2", "result": "negative", "reported_at": utc(2022, 10, 1, 9, 30)},
            {"tube_id": "t3", "result": "positive", "reported_at": utc(2022, 9, 30, 9), "ct": 31.0},
        ]), batch_id="results")
        store.append("locations", events("locations", [
            {"phone": "1390001", "lon": 113.655, "lat": 34.745,
             "start_at": utc(2022, 10, 1, 1), "end_at": utc(2022, 10, 1, 1, 20)},
            {"phone": "1390001", "lon": 113.651, "lat": 34.749,
             "start_at": utc(2022, 10, 1, 2), "end_at": utc(2022, 10, 1, 2, 5)},
            {"phone": "1390002", "lon": 113.71, "lat": 34.81,
             "start_at": utc(2022, 10, 1, 2), "end_at": utc(2022, 10, 1, 3)},
        ]), batch_id="locations")
        store.append("sentinel", events("sentinel", [
            {"site_id": "ph1", "site_kind": "pharmacy", "occurred_at": utc(2022, 10, 1, 1, 10),
             "category": "antipyretic", "person_id": "p1", "count": 2},
            {"site_id": "ph1", "site_kind": "pharmacy", "occurred_at": utc(2022, 10, 1, 1, 40),
             "category": "antitussive", "count": 1},
            {"site_id": "fc1", "site_kind": "fever_clinic", "occurred_at": utc(2022, 10, 1, 2, 5),
             "category": "fever", "person_id": "p3", "count": 1},
        ]), batch_id="sentinel")


def normalised(table: pa.Table) -> list[tuple]:
    """Rows in a canonical order, with values each engine types its own way made comparable."""
    return sorted((tuple(_value(v) for v in row.values()) for row in table.to_pylist()), key=repr)


def _value(value: object) -> object:
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "engines return aware UTC instants"
        return value.astimezone(UTC)
    if isinstance(value, Decimal):  # DuckDB sums BIGINTs as HUGEINT, Spark as BIGINT
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 9)
    return value


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = home_settings(tmp_path_factory.mktemp("contract"))
    build_world(settings)
    return settings


@pytest.fixture(scope="module")
def duckdb_store(world: Settings) -> DuckDBEventStore:
    return DuckDBEventStore(world)


@pytest.fixture
def spark_store(world: Settings, spark_engine: None) -> EventStore:
    from ringfence.eventlog.spark_store import SparkEventStore

    return SparkEventStore(world)


@pytest.mark.parametrize(("name", "sql", "params"), QUERIES, ids=[q[0] for q in QUERIES])
def test_duckdb_answers_each_contract_query(
    duckdb_store: DuckDBEventStore, name: str, sql: str, params: object
) -> None:
    """The DuckDB side on its own (no Spark needed), checked against what the world holds."""
    result = duckdb_store.query(sql, params)
    expected_rows = EXPECTED_ROW_COUNTS[name]
    assert result.num_rows == expected_rows
    for column in result.schema:
        if pa.types.is_timestamp(column.type):
            assert column.type.tz in ("UTC", "Etc/UTC")


@pytest.mark.spark
@pytest.mark.parametrize(("name", "sql", "params"), QUERIES, ids=[q[0] for q in QUERIES])
def test_spark_gives_the_same_rows_as_duckdb(
    duckdb_store: DuckDBEventStore, spark_store: EventStore, name: str, sql: str, params: object
) -> None:
    expected = duckdb_store.query(sql, params)
    actual = spark_store.query(sql, params)
    assert actual.column_names == expected.column_names
    assert normalised(actual) == normalised(expected)


def test_the_overlap_query_finds_exactly_the_stays_that_overlap(duckdb_store: DuckDBEventStore) -> None:
    """Half-open stays: p3 checks in when p1 leaves (no overlap); p2 stays its venue's 45 minutes."""
    _name, sql, params = QUERIES[4]
    rows = {(r["contact_id"], r["venue_id"]): r["overlap_minutes"]
            for r in duckdb_store.query(sql, params).to_pylist()}
    assert rows == {("p2", "v1"): 10, ("p4", "v2"): 20}


def test_the_world_spans_two_local_days(duckdb_store: DuckDBEventStore) -> None:
    days = duckdb_store.query("SELECT day, count(*) AS n FROM scans GROUP BY day ORDER BY day").to_pylist()
    assert days == [{"day": date(2022, 10, 1), "n": 3}, {"day": date(2022, 10, 2), "n": 4}]


EXPECTED_ROW_COUNTS = {
    "time range": 5,  # p2 v1 01:50 … p2 v2 03:15 next day
    "local day partition": 4,
    "positional parameters": 3,
    "join with registers": 7,
    "interval overlap at the same venue": 2,
    "group by and count": 2,  # v1 on day 1; v2 on day 2 (p1 and p4 came after midnight local, p5, p2)
    "window over each person's visits": 7,
    "members of positive pools": 2,  # p1 (latest positive of t1/t3), p2
    "people never sampled since": 2,  # p4, p5
    "grid cells of phone locations": 2,
    "sentinel counts by kind and hour": 2,  # the pharmacy's 01:10 and 01:40 share an hour
    "an empty answer keeps its columns": 0,
}


def test_transpiled_sql_keeps_parameters_as_parameters() -> None:
    from ringfence.eventlog.spark_store import to_spark_sql

    spark_sql = to_spark_sql("SELECT * FROM scans WHERE venue_id = $venue AND person_id = ?")
    assert ":venue" in spark_sql and "?" in spark_sql
