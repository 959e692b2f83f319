"""Compacted days cut into bucket files: Python and DuckDB agree on a key's bucket, each file holds its bucket's
rows sorted, and a query that names its keys' buckets opens only their files."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.eventlog.worlds import events, scans, utc

from ringfence.config import Settings
from ringfence.eventlog import buckets
from ringfence.eventlog.buckets import HashBuckets, TileBands, bucket_count, in_buckets
from ringfence.eventlog.duckdb_store import DuckDBEventStore
from ringfence.eventlog.views import PLACE_TILE

KEYS = ["V0011247", "p1", "", "张三", "13800138000", None]
SCANS = [(f"p{i % 20}", f"v{i % 13:02d}", utc(2022, 10, 1, 1, i)) for i in range(60)]  # 20 people, 13 venues


def test_a_day_is_cut_into_more_buckets_as_it_grows_up_to_sixty_four() -> None:
    rows = buckets.BUCKET_ROWS
    assert [bucket_count(n) for n in (0, rows, rows + 1, 2 * rows + 1, 40 * rows, 10**12)] == [1, 1, 2, 4, 64, 64]


@pytest.mark.parametrize("rows", [1, buckets.BUCKET_ROWS + 1, 5 * buckets.BUCKET_ROWS, 10**12])
def test_python_names_the_bucket_duckdb_writes_a_key_into(rows: int) -> None:
    count = bucket_count(rows)
    with duckdb.connect() as con:
        con.register("keys", pa.table({"k": pa.array(KEYS, pa.string())}))
        written = con.sql(f"SELECT {HashBuckets('k').sql(rows)} AS b FROM keys").fetchall()
    for key, (bucket,) in zip(KEYS, written, strict=True):
        # the first 32 bits of the key's MD5 (RFC 1321), modulo the count, after the count itself
        remainder = int(hashlib.md5((key or "").encode()).hexdigest()[:8], 16) % count
        assert bucket == count * 100 + remainder
        assert bucket in HashBuckets("k").of([key])


def test_a_tile_lies_in_its_band_of_latitude() -> None:
    with duckdb.connect() as con:
        con.register("points", pa.table({"lon": [104.06, 104.069999, 104.07], "lat": [30.659999, 30.66, 30.66]}))
        rows = con.sql(f"SELECT {TileBands().sql(0)} AS band FROM (SELECT {PLACE_TILE} AS tile FROM points)").fetchall()
        tiles = con.sql(f"SELECT {PLACE_TILE} AS tile FROM points").fetchall()
    assert [r[0] for r in rows] == [12065, 12066, 12066]  # floor(lat · 100) + 9000
    assert TileBands().of(t[0] for t in tiles) == [12065, 12066]


def _locations(count: int, hour: int = 1) -> list[dict]:
    return [{"phone": f"1380000{i:04d}", "lon": 104.06 + i / 1000, "lat": 30.66 + i / 1000,
             "start_at": utc(2022, 10, 1, hour, i % 60), "end_at": utc(2022, 10, 1, hour + 1)} for i in range(count)]


def test_a_compacted_day_is_cut_into_bucket_files_each_sorted_holding_the_same_rows(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buckets, "BUCKET_ROWS", 4)  # 60 rows a day: 16 buckets
    rows = _locations(60)
    with DuckDBEventStore(log_settings) as store:
        store.append("locations", events("locations", rows[:30]), batch_id="b1")
        store.append("locations", events("locations", rows[30:]), batch_id="b2")
        before = sorted(store.query("SELECT phone, start_at FROM locations").to_pylist(), key=str)
        assert store.compact("locations", date(2022, 10, 1)) == 2
        assert store.compact("locations", date(2022, 10, 1)) == 0  # compacted already: left as it is
        after = sorted(store.query("SELECT phone, start_at FROM locations").to_pylist(), key=str)
    assert after == before
    day = log_settings.events_dir / "locations" / "day=2022-10-01"
    assert not list(day.glob("*.parquet"))
    files = sorted(day.glob("bucket=*/*.parquet"))
    assert len(files) > 4
    for path in files:
        table = pq.read_table(path)
        keys = list(zip(table.column("phone").to_pylist(), table.column("start_at").to_pylist(), strict=True))
        assert keys == sorted(keys)
        bucket = int(path.parent.name.removeprefix("bucket="))
        assert all(bucket in HashBuckets("phone").of([phone]) for phone, _ in keys)


def test_a_query_naming_one_persons_buckets_opens_only_their_files_and_reads_files_not_yet_compacted(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buckets, "BUCKET_ROWS", 4)
    with DuckDBEventStore(log_settings) as store:
        store.append("scans", scans(*SCANS), batch_id="b1")
        store.compact("scans", date(2022, 10, 1))
        store.append("scans", scans(("p3", "v99", utc(2022, 10, 1, 9))), batch_id="late")  # not compacted
        sql = f"SELECT venue_id FROM scans_by_person s WHERE s.person_id = 'p3' AND {in_buckets('s', 'wanted')}"
        params = {"wanted": HashBuckets("person_id").of(["p3"])}
        found = store.query(sql, params).column("venue_id").to_pylist()
        plan = "\n".join(store.query(f"EXPLAIN ANALYZE {sql}", params).column("explain_value").to_pylist())
        by_person = store.query("SELECT person_id, bucket FROM scans_by_person").to_pylist()
    assert sorted(found) == sorted([venue for person, venue, _ in SCANS if person == "p3"] + ["v99"])
    # the one bucket file of p3's copy, and the appended file not copied yet; not the other buckets' files
    assert sum(int(n) for n in _files_read(plan)) == 2
    assert len(list((log_settings.events_dir / "_by_person").rglob("*.parquet"))) > 3
    # every person's copied rows in the bucket Python names for them
    assert all(r["bucket"] is None or r["bucket"] in HashBuckets("person_id").of([r["person_id"]]) for r in by_person)
    assert sum(r["bucket"] is not None for r in by_person) == 60


def test_an_older_log_one_file_a_day_is_read_as_it_is_and_rewritten_into_buckets_by_compaction(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _locations(40)
    with DuckDBEventStore(log_settings) as store:
        store.append("locations", events("locations", rows), batch_id="old")
        # as an older log has it: the day's one merged file, its by-place copy under the same name
        (merged,) = (log_settings.events_dir / "locations").rglob("*.parquet")
        legacy = log_settings.events_dir / "_by_tile" / merged.relative_to(log_settings.events_dir)
        legacy.parent.mkdir(parents=True)
        duckdb.sql(f"COPY (SELECT *, {PLACE_TILE} AS tile FROM read_parquet('{merged}') ORDER BY tile) TO '{legacy}'")
        sql = "SELECT count(*) AS n, count(bucket) AS bucketed FROM locations_by_place"
        assert store.query(sql).to_pylist() == [{"n": 40, "bucketed": 0}]
        monkeypatch.setattr(buckets, "BUCKET_ROWS", 4)
        assert store.compact("locations", date(2022, 10, 1)) == 1
        assert store.query(sql).to_pylist() == [{"n": 40, "bucketed": 40}]
    assert not legacy.exists() and not merged.exists()
    bands = {p.parent.name for p in (log_settings.events_dir / "_by_tile").rglob("*.parquet")}
    assert bands == {f"bucket={math.floor(row['lat'] * 100) + 9000}" for row in rows}  # 30.66° to 30.699°
    assert len(bands) == 4


def test_an_older_logs_scans_keep_their_one_file_and_get_their_by_person_copy_cut_into_buckets(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buckets, "BUCKET_ROWS", 4)
    with DuckDBEventStore(log_settings) as store:
        store.append("scans", scans(*SCANS), batch_id="old")
        (merged,) = (log_settings.events_dir / "scans").rglob("*.parquet")
        legacy = log_settings.events_dir / "_by_person" / merged.relative_to(log_settings.events_dir)
        legacy.parent.mkdir(parents=True)
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{merged}') ORDER BY person_id) TO '{legacy}'")
        before = merged.read_bytes()
        assert store.compact("scans", date(2022, 10, 1)) == 1
        assert store.compact("scans", date(2022, 10, 1)) == 0
        sql = "SELECT count(*) AS n, count(bucket) AS bucketed FROM scans_by_person"
        assert store.query(sql).to_pylist() == [{"n": 60, "bucketed": 60}]
    assert merged.read_bytes() == before  # one sorted file already: kept as it is
    assert not legacy.exists()
    copies = list((log_settings.events_dir / "_by_person").rglob("*.parquet"))
    assert len(copies) > 4 and {c.name for c in copies} == {merged.name}


def test_recompacting_a_day_leaves_no_empty_bucket_folders(log_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buckets, "BUCKET_ROWS", 4)
    with DuckDBEventStore(log_settings) as store:
        store.append("locations", events("locations", _locations(40)), batch_id="b1")
        store.compact("locations", date(2022, 10, 1))
        cut = len(list((log_settings.events_dir / "locations").rglob("*.parquet")))
        monkeypatch.setattr(buckets, "BUCKET_ROWS", 100)  # the day fits in one bucket now
        store.append("locations", events("locations", _locations(5, hour=5)), batch_id="late")
        assert cut > 8 and store.compact("locations", date(2022, 10, 1)) == cut + 1  # the bucket files, the late one
        assert store.query("SELECT count(*) AS n FROM locations").to_pylist() == [{"n": 45}]
    folders = [p for p in log_settings.events_dir.rglob("bucket=*") if p.is_dir()]
    assert folders and all(any(p.iterdir()) for p in folders)
    assert {p.name for p in (log_settings.events_dir / "locations" / "day=2022-10-01").iterdir()} == {"bucket=100"}


def _files_read(plan: str) -> list[str]:
    return re.findall(r"Total Files Read: (\d+)", plan)
