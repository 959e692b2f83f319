"""A batch staged chunk by chunk: published whole at the end, dropped whole on failure, each file sorted."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.eventlog.worlds import scans, utc

from ringfence.config import Settings
from ringfence.eventlog import parquet_files
from ringfence.eventlog.kinds import LAYOUTS, EventKind
from ringfence.eventlog.ordering import sorted_first_rows
from ringfence.eventlog.parquet_log import AppendResult, ParquetLog


def published(settings: Settings) -> list[str]:
    return sorted(p.relative_to(settings.events_dir).as_posix() for p in settings.events_dir.glob("scans/*/*.parquet"))


def test_chunks_of_one_batch_are_published_together_one_sorted_file_per_day_and_chunk(
    log_settings: Settings,
) -> None:
    log = ParquetLog(log_settings.events_dir, log_settings.tz)
    with log.batch(EventKind.scans, batch_id="b1") as batch:
        assert batch.add(scans(("p1", "v2", utc(2022, 10, 1, 2)), ("p2", "v1", utc(2022, 10, 1, 3)))) == AppendResult(2, 0)
        assert published(log_settings) == []  # nothing visible before the batch ends
        again = scans(("p2", "v1", utc(2022, 10, 1, 3)), ("p3", "v1", utc(2022, 10, 2, 1)))
        assert batch.add(again) == AppendResult(1, 1)
    assert published(log_settings) == [
        "scans/day=2022-10-01/part-b1-000.parquet", "scans/day=2022-10-02/part-b1-000.parquet",
    ]
    first = pq.read_table(log_settings.events_dir / "scans/day=2022-10-01/part-b1-000.parquet")
    assert first.column("venue_id").to_pylist() == ["v1", "v2"]


def test_a_batch_that_fails_midway_publishes_nothing(log_settings: Settings) -> None:
    log = ParquetLog(log_settings.events_dir, log_settings.tz)
    with pytest.raises(RuntimeError, match="disk full"), log.batch(EventKind.scans, batch_id="b1") as batch:
        batch.add(scans(("p1", "v1", utc(2022, 10, 1, 2))))
        raise RuntimeError("disk full")
    assert published(log_settings) == []
    assert not list(log_settings.events_dir.rglob("*.parquet"))


def test_file_order_is_day_then_sort_key_with_ties_in_row_order_whatever_the_key_widths() -> None:
    rng = np.random.default_rng(5)
    layout = LAYOUTS[EventKind.scans]
    for rows, seconds in ((2_000, 60), (2_000, 10**6), (300, 10**12)):
        at = 1_664_600_000_000_000 + rng.integers(0, seconds, rows) * 1_000_000
        table = pa.table({
            "person_id": [f"p{i}" for i in range(rows)],
            "venue_id": [f"v{v}" for v in rng.integers(0, 40, rows)],
            "scanned_at": pa.array(at, pa.timestamp("us", tz="UTC")),
            "left_at": pa.nulls(rows, pa.timestamp("us", tz="UTC")),
        })
        days = at // 86_400_000_000
        order = sorted_first_rows(table, layout, days)
        venues = table.column("venue_id").to_pylist()
        expected = sorted(range(rows), key=lambda i: (days[i], venues[i], at[i], i))
        assert order.tolist() == expected


def test_each_row_group_carries_only_the_dictionary_entries_its_rows_use(log_settings, monkeypatch) -> None:
    # the batch's text is dictionary-encoded once; written whole, every group would repeat all of it
    monkeypatch.setattr(parquet_files, "ROW_GROUP_ROWS", 4)
    rows = [(f"p{i}", f"v{i % 6}", utc(2022, 10, 1, 1 + i)) for i in range(12)]
    ParquetLog(log_settings.events_dir, log_settings.tz).append(EventKind.scans, scans(*rows), batch_id="b1")
    stored = pq.ParquetFile(log_settings.events_dir / "scans/day=2022-10-01/part-b1-000.parquet",
                            read_dictionary=["venue_id"])
    assert stored.metadata.num_row_groups == 3
    groups = [stored.read_row_group(g, columns=["venue_id"]).column(0).chunk(0) for g in range(3)]
    assert [g.dictionary.to_pylist() for g in groups] == [["v0", "v1"], ["v2", "v3"], ["v4", "v5"]]
    assert [v for g in groups for v in g.to_pylist()] == sorted(v for _, v, _ in rows)


def test_a_dictionary_cut_to_the_entries_used_keeps_the_values_and_the_nulls() -> None:
    values = pa.DictionaryArray.from_arrays(pa.array([3, None, 1, 3], pa.int32()), pa.array(["a", "b", "c", "d"]))
    used = parquet_files.used_entries(values)
    assert (used.to_pylist(), used.dictionary.to_pylist(), used.type) == (["d", None, "b", "d"], ["b", "d"], values.type)
    nothing = parquet_files.used_entries(values.slice(1, 1))
    assert (nothing.to_pylist(), nothing.dictionary.to_pylist()) == ([None], [])
