"""The event log on disk: day partitions, sorting, duplicates, atomic batches, recovery, compaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyarrow import ipc
from tests.eventlog.worlds import events, scans, utc, write_register

from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.eventlog import parquet_files, parquet_log
from ringfence.eventlog.duckdb_store import DuckDBEventStore
from ringfence.eventlog.parquet_log import MARKER, STAGING, ParquetLog
from ringfence.eventlog.row_groups import RANGES, ranges_path
from ringfence.eventlog.store import open_store


def stored_scans(settings: Settings) -> list[tuple]:
    with open_store(settings) as store:
        rows = store.query("SELECT person_id, venue_id, scanned_at FROM scans ORDER BY person_id, scanned_at")
    return [tuple(row.values()) for row in rows.to_pylist()]


def test_it_partitions_by_the_local_day_of_the_event(log_settings: Settings) -> None:
    # 16:30 UTC is 00:30 the next day in Asia/Shanghai
    batch = scans(("p1", "v1", utc(2022, 10, 1, 15, 0)), ("p2", "v1", utc(2022, 10, 1, 16, 30)))
    with open_store(log_settings) as store:
        store.append("scans", batch, batch_id="b1")
        assert store.days("scans") == [date(2022, 10, 1), date(2022, 10, 2)]
        rows = store.query("SELECT person_id, day FROM scans ORDER BY person_id").to_pylist()
    assert rows == [{"person_id": "p1", "day": date(2022, 10, 1)}, {"person_id": "p2", "day": date(2022, 10, 2)}]
    files = sorted(p.relative_to(log_settings.events_dir).as_posix() for p in log_settings.events_dir.rglob("*.parquet"))
    assert files == ["scans/day=2022-10-01/part-b1-000.parquet", "scans/day=2022-10-02/part-b1-000.parquet"]


def test_it_sorts_each_file_by_venue_then_time_in_row_groups_that_prune(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet_files, "ROW_GROUP_ROWS", 2048)  # DuckDB's smallest row group
    rows = [(f"p{i}", f"v{(7 * i) % 50:02d}", utc(2022, 10, 1, 1, (13 * i) % 60)) for i in range(9000)]
    with open_store(log_settings) as store:
        store.append("scans", scans(*rows), batch_id="b1")
    (path,) = log_settings.events_dir.rglob("*.parquet")
    table = pq.read_table(path)
    keys = list(zip(table.column("venue_id").to_pylist(), table.column("scanned_at").to_pylist(), strict=True))
    assert keys == sorted(keys)
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups >= 4
    venue = metadata.schema.names.index("venue_id")
    ranges = [(metadata.row_group(i).column(venue).statistics.min, metadata.row_group(i).column(venue).statistics.max)
              for i in range(metadata.num_row_groups)]
    # each venue's rows lie in one group or a run of neighbours: min/max statistics skip the rest
    assert all(ranges[i][1] <= ranges[i + 1][0] for i in range(len(ranges) - 1))


def test_it_stores_times_as_utc_instants(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        store.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1))), batch_id="b1")
    (path,) = log_settings.events_dir.rglob("*.parquet")
    field = pq.read_schema(path).field("scanned_at")
    assert str(field.type) == "timestamp[us, tz=UTC]"
    assert pq.read_table(path).column("scanned_at").to_pylist() == [utc(2022, 10, 1, 1)]


def test_rows_already_stored_are_counted_as_duplicates_and_not_added(log_settings: Settings) -> None:
    first = scans(("p1", "v1", utc(2022, 10, 1, 1)), ("p2", "v1", utc(2022, 10, 1, 2)))
    again = scans(("p2", "v1", utc(2022, 10, 1, 2)), ("p3", "v2", utc(2022, 10, 1, 3)))
    with open_store(log_settings) as store:
        assert store.append("scans", first, batch_id="b1") == parquet_log.AppendResult(added=2, duplicates=0)
        assert store.append("scans", again, batch_id="b2") == parquet_log.AppendResult(added=1, duplicates=1)
        assert store.append("scans", again, batch_id="b3") == parquet_log.AppendResult(added=0, duplicates=2)
    assert [r[0] for r in stored_scans(log_settings)] == ["p1", "p2", "p3"]


def test_a_row_repeated_inside_one_batch_is_stored_once(log_settings: Settings) -> None:
    batch = scans(("p1", "v1", utc(2022, 10, 1, 1)), ("p1", "v1", utc(2022, 10, 1, 1)))
    with open_store(log_settings) as store:
        assert store.append("scans", batch, batch_id="b1") == parquet_log.AppendResult(added=1, duplicates=1)


def test_sentinel_reports_without_a_person_are_still_told_apart_by_their_other_columns(
    log_settings: Settings,
) -> None:
    report = {"site_id": "s1", "site_kind": "pharmacy", "occurred_at": utc(2022, 10, 1, 1), "category": "antipyretic"}
    batch = events("sentinel", [report, {**report, "count": 2}, report])
    with open_store(log_settings) as store:
        assert store.append("sentinel", batch, batch_id="b1") == parquet_log.AppendResult(added=2, duplicates=1)
        assert store.append("sentinel", batch, batch_id="b2") == parquet_log.AppendResult(added=0, duplicates=3)


def test_a_reused_batch_id_never_overwrites_a_published_file(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        store.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1))), batch_id="b1")
        store.append("scans", scans(("p2", "v1", utc(2022, 10, 1, 2))), batch_id="b1")
    assert len(stored_scans(log_settings)) == 2


def test_rows_missing_a_column_of_the_kind_are_refused(log_settings: Settings) -> None:
    batch = scans(("p1", "v1", utc(2022, 10, 1, 1))).drop_columns(["venue_id"])
    with open_store(log_settings) as store, pytest.raises(InvalidInput, match="venue_id"):
        store.append("scans", batch, batch_id="b1")


def test_a_staged_batch_without_its_marker_is_deleted_on_open(log_settings: Settings) -> None:
    stage = log_settings.events_dir / STAGING / "killed" / "files" / "scans" / "day=2022-10-01"
    stage.mkdir(parents=True)
    pq.write_table(scans(("p1", "v1", utc(2022, 10, 1, 1))), stage / "part-killed-000.parquet")
    assert stored_scans(log_settings) == []
    assert not (log_settings.events_dir / STAGING / "killed").exists()


def test_a_staged_batch_with_its_marker_is_published_on_open(log_settings: Settings) -> None:
    stage = log_settings.events_dir / STAGING / "killed"
    relative = ["scans/day=2022-10-01/part-killed-000.parquet", "scans/day=2022-10-02/part-killed-000.parquet"]
    for number, name in enumerate(relative):
        (stage / "files" / name).parent.mkdir(parents=True)
        pq.write_table(scans((f"p{number}", "v1", utc(2022, 10, 1 + number, 1))), stage / "files" / name)
    (stage / MARKER).write_text(json.dumps({"kind": "scans", "add": relative, "remove": []}))
    # killed after moving the first file: the second is still staged
    target = log_settings.events_dir / relative[0]
    target.parent.mkdir(parents=True)
    os.replace(stage / "files" / relative[0], target)

    assert [r[0] for r in stored_scans(log_settings)] == ["p0", "p1"]
    assert not stage.exists()


def test_an_append_killed_with_sigkill_after_its_marker_is_completed_on_the_next_open(
    log_settings: Settings,
) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import datetime, timezone
        from pathlib import Path
        from ringfence.config import Settings
        from ringfence.eventlog.parquet_log import ParquetLog
        from ringfence.eventlog.store import open_store
        from tests.eventlog.worlds import scans

        def die(self, stage):
            os.kill(os.getpid(), signal.SIGKILL)

        ParquetLog._publish = die
        store = open_store(Settings(home=Path({str(log_settings.home)!r})))
        at = datetime(2022, 10, 1, 1, tzinfo=timezone.utc)
        store.append("scans", scans(("p1", "v1", at), ("p2", "v2", at)), batch_id="killed")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, cwd=Path(__file__).parents[2], capture_output=True
    )
    assert done.returncode == -9, done.stderr.decode()
    assert list(log_settings.events_dir.glob("scans/*/*.parquet")) == []  # nothing visible yet

    assert [r[0] for r in stored_scans(log_settings)] == ["p1", "p2"]
    with open_store(log_settings) as store:
        assert store.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1))), batch_id="again").added == 0


def test_recovery_waits_for_no_one_while_another_writer_holds_the_log(log_settings: Settings) -> None:
    log = ParquetLog(log_settings.events_dir, log_settings.tz)
    stage = log_settings.events_dir / STAGING / "in-progress"
    stage.mkdir(parents=True)
    with log._lock(".write.lock", parquet_log.fcntl.LOCK_EX):
        assert ParquetLog(log_settings.events_dir, log_settings.tz).recover() == []
    assert stage.exists()  # still being written by the lock holder: left alone


def test_compaction_merges_a_days_parts_into_one_sorted_file_with_the_same_rows(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        store.append("scans", scans(("p1", "v2", utc(2022, 10, 1, 3)), ("p2", "v1", utc(2022, 10, 1, 2))), batch_id="b1")
        store.append("scans", scans(("p3", "v1", utc(2022, 10, 1, 1))), batch_id="b2")
        store.append("scans", scans(("p4", "v1", utc(2022, 10, 2, 1))), batch_id="b3")
        before = stored_scans(log_settings)
        assert store.compact("scans", date(2022, 10, 1)) == 2
    day = log_settings.events_dir / "scans" / "day=2022-10-01"
    (merged,) = day.glob("*.parquet")
    assert pq.read_table(merged).column("venue_id").to_pylist() == ["v1", "v1", "v2"]
    assert stored_scans(log_settings) == before
    assert len(list((log_settings.events_dir / "scans" / "day=2022-10-02").glob("*.parquet"))) == 1


def test_each_file_the_log_writes_has_its_groups_ranges_beside_it_and_they_go_with_it(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        store.append("scans", scans(("p1", "v2", utc(2022, 10, 1, 3)), ("p2", "v1", utc(2022, 10, 1, 2))), batch_id="b1")
        store.append("scans", scans(("p3", "v1", utc(2022, 10, 1, 1))), batch_id="b2")
        appended = sorted(log_settings.events_dir.rglob("*.parquet"))
        assert sorted(log_settings.events_dir.rglob("*" + RANGES)) == [ranges_path(p) for p in appended]
        store.compact("scans", date(2022, 10, 1))
    files = sorted(log_settings.events_dir.rglob("*.parquet"))
    assert len(files) == 2  # the merged file and its by-person copy
    assert sorted(log_settings.events_dir.rglob("*" + RANGES)) == [ranges_path(p) for p in files]
    (copy,) = (p for p in files if parquet_log.BY_PERSON in p.parts)
    written = ipc.open_file(str(ranges_path(copy))).read_all()
    assert written.schema.metadata[b"column"] == b"person_id"  # the copy's own sort column
    assert written.select(["low", "high"]).to_pylist() == [{"low": "p1", "high": "p3"}]


def test_compaction_writes_the_ranges_a_compacted_day_was_written_without(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        store.append("scans", scans(("p1", "v2", utc(2022, 10, 1, 3)), ("p2", "v1", utc(2022, 10, 1, 2))), batch_id="b1")
        store.compact("scans", date(2022, 10, 1))
        files = sorted(log_settings.events_dir.rglob("*.parquet"))
        for ranges in log_settings.events_dir.rglob("*" + RANGES):  # as a log written before ranges were
            ranges.unlink()
        assert store.compact("scans", date(2022, 10, 1)) == 1  # nothing to merge
    assert sorted(log_settings.events_dir.rglob("*" + RANGES)) == [ranges_path(p) for p in files]
    assert not list((log_settings.events_dir / STAGING).iterdir())
    columns = {p.relative_to(log_settings.events_dir).parts[0]: ipc.open_file(str(ranges_path(p))).schema.metadata[b"column"]
               for p in files}
    assert columns == {"scans": b"venue_id", parquet_log.BY_PERSON: b"person_id"}


def test_missing_register_snapshots_read_as_empty_views_with_their_columns(log_settings: Settings) -> None:
    with open_store(log_settings) as store:
        people = store.query("SELECT * FROM people")
        samples = store.query("SELECT * FROM samples")
    assert people.num_rows == 0
    assert people.column_names == ["person_id", "id_number", "phone", "building_id", "household_id",
                                   "workplace_id", "key_group"]
    assert samples.num_rows == 0 and samples.column_names[-1] == "day"


def test_queries_bind_parameters_instead_of_pasting_them(log_settings: Settings) -> None:
    write_register(log_settings, "venues", [{"venue_id": "v1", "name": "O'Brien's \\ bar"}])
    with open_store(log_settings) as store:
        named = store.query("SELECT venue_id FROM venues WHERE name = $name", {"name": "O'Brien's \\ bar"})
        positional = store.query("SELECT venue_id FROM venues WHERE name = ?", ["x' OR '1'='1"])
    assert named.column("venue_id").to_pylist() == ["v1"]
    assert positional.num_rows == 0


def test_a_query_that_fails_is_a_one_line_error(log_settings: Settings) -> None:
    with open_store(log_settings) as store, pytest.raises(InvalidInput, match="no_such_column"):
        store.query("SELECT no_such_column FROM scans")


def test_open_store_picks_the_configured_engine(log_settings: Settings) -> None:
    assert isinstance(open_store(log_settings), DuckDBEventStore)
    spark_settings = log_settings.model_copy(update={"event_engine": "spark"})
    try:
        from ringfence.eventlog.spark_store import SparkEventStore
    except ImportError:  # pragma: no cover — pyspark is an extra; the module itself must import without it
        pytest.fail("spark_store must import without starting Spark")
    assert isinstance(open_store(spark_settings), SparkEventStore)  # no session started until a query


def test_the_log_s_connections_draw_no_progress_bar(log_settings: Settings) -> None:
    # a compaction of many seconds on a terminal would otherwise draw DuckDB's bar over the command's output;
    # DuckDB decides its default from the process it runs in, so the check runs in a process of its own
    check = textwrap.dedent(f"""
        from pathlib import Path
        from zoneinfo import ZoneInfo
        from ringfence.eventlog.parquet_log import ParquetLog
        with ParquetLog(Path({str(log_settings.events_dir)!r}), ZoneInfo("Asia/Shanghai")).connection() as con:
            print(con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0])
    """)
    shown = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
