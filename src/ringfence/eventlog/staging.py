"""One batch of the event log being staged, chunk by chunk: new rows only, one sorted file per day and chunk.

A row is new unless its natural key (NULLs equal) is held by a published file of its day, by an
earlier row of the batch, or by a row the batch staged already. Published files are read once per
chunk (for kinds whose day is part of the key, row groups outside the chunk's time range are skipped
by their statistics). The batch's own staged rows are remembered as 64-bit fingerprints of their
natural keys, sorted: only a chunk row whose fingerprint was staged before is compared with the
staged files, so a file's chunks are not read again for every later chunk (memory: 8 bytes a row).
The Parquet writing of one chunk runs in a background thread while the next chunk is read and checked.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ringfence.eventlog.kinds import KindLayout
from ringfence.eventlog.ordering import local_days, sorted_first_rows
from ringfence.eventlog.parquet_files import write_parquet
from ringfence.eventlog.parquet_log import (
    _EPOCH,
    AppendResult,
    _conform,
    _quote,
    day_dir_name,
)
from ringfence.eventlog.row_groups import RANGES, write_ranges

if TYPE_CHECKING:
    from ringfence.eventlog.parquet_log import ParquetLog


class BatchWriter:
    """The staged files of one batch; `add` a chunk of rows at a time, then `finish` (or `abandon`)."""

    def __init__(self, log: ParquetLog, layout: KindLayout, stage: Path, batch_id: str) -> None:
        self.log, self.layout, self.stage, self.batch_id = log, layout, stage, batch_id
        self.staged: dict[int, list[str]] = {}  # local day (days since 1970-01-01) -> staged paths
        self._numbers: dict[int, int] = {}
        self._fingerprints = Fingerprints()  # of every row staged so far
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="event-log-writer")
        self._pending: Future | None = None

    def add(self, rows: pa.Table) -> AppendResult:
        """Stage the rows of `rows` (the kind's columns and types, earlier rows winning) not stored yet."""
        layout = self.layout
        rows = rows if _fits(rows.schema, layout) else _conform(rows, layout)
        if rows.num_rows == 0:
            return AppendResult(added=0, duplicates=0)
        rows = _compact(rows, layout)
        days = local_days(rows.column(layout.day_column), self.log.tz)
        order = sorted_first_rows(rows, layout, days)
        touched = [int(day) for day in np.unique(days)]
        published = self.log.files(layout.kind, [_EPOCH + timedelta(days=day) for day in touched])
        if published:
            order = order[~self._held_by(rows, order, published)]
        fingerprints = self._fingerprints_of(rows)[order]
        seen = self._fingerprints.holds(fingerprints)
        if seen.any():
            self._wait()  # the earlier chunks' files must be on disk to be compared with
            staged = [self.stage / "files" / path for day in touched for path in self.staged.get(day, [])]
            again = np.zeros(len(order), dtype=bool)
            again[seen] = self._held_by(rows, order[seen], staged)
            order, fingerprints = order[~again], fingerprints[~again]
        self._fingerprints.add(fingerprints)
        parts = []
        ordered_days = days[order]
        for part in np.split(order, np.flatnonzero(np.diff(ordered_days)) + 1):
            if len(part):
                parts.append((self._next_path(int(days[part[0]])), part))
        self._wait()
        if parts:
            self._pending = self._writing.submit(self._write, rows, parts)
        return AppendResult(added=len(order), duplicates=rows.num_rows - len(order))

    def finish(self) -> list[str]:
        """Every staged file written and synced; their paths relative to the log, by day."""
        self._wait()
        self._writing.shutdown()
        written = [path for day in sorted(self.staged) for path in self.staged[day]]
        return written + [path + RANGES for path in written if (self.stage / "files" / (path + RANGES)).is_file()]

    def abandon(self) -> None:
        """Stop writing: the batch is dropped."""
        self._writing.shutdown(wait=True, cancel_futures=True)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _next_path(self, day: int) -> str:
        date = _EPOCH + timedelta(days=day)
        if day not in self._numbers:
            self._numbers[day] = self.log._next_part_number(self.layout.kind, date, self.batch_id)
        number = self._numbers[day]
        self._numbers[day] += 1
        relative = f"{self.layout.kind.value}/{day_dir_name(date)}/part-{self.batch_id}-{number:03d}.parquet"
        self.staged.setdefault(day, []).append(relative)
        return relative

    def _write(self, rows: pa.Table, parts: list[tuple[str, np.ndarray]]) -> None:
        for relative, part in parts:
            target = self.stage / "files" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(rows.take(pa.array(part)), self.layout, target)
            write_ranges(target, self.layout.sort_key[0])

    def _fingerprints_of(self, rows: pa.Table) -> np.ndarray:
        """DuckDB's 64-bit hash of each row's natural key (NULLs hash alike)."""
        key = rows.select(list(self.layout.natural_key))
        with self.log.connection() as con:
            con.register("fresh", key)
            columns = ", ".join(_quote(c) for c in key.column_names)
            # a projection of one Arrow scan keeps the rows' order
            return con.sql(f"SELECT hash({columns}) AS h FROM fresh").fetchnumpy()["h"].astype(np.uint64)

    def _held_by(self, rows: pa.Table, positions: np.ndarray, files: list[Path]) -> np.ndarray:
        """Per row at `positions`, whether one of `files` holds its natural key (NULLs equal)."""
        held = np.zeros(len(positions), dtype=bool)
        if not len(positions) or not files:
            return held
        key = list(self.layout.natural_key)
        probe = rows.select(key).take(pa.array(positions))
        probe = probe.append_column("_at", pa.array(np.arange(len(positions), dtype=np.int64)))
        time = self.layout.day_column
        if time in key:  # files whose time range misses the rows' hold none of them: not read
            bounds = pc.min_max(probe.column(time))
            files = [f for f in files if _may_hold(f, time, bounds["min"].as_py(), bounds["max"].as_py())]
            if not files:
                return held
        same = " AND ".join(f"f.{_quote(c)} IS NOT DISTINCT FROM s.{_quote(c)}" for c in key)
        # no filter on the files' side: DuckDB then builds its hash table on the chunk's rows, the smaller side
        query = f"SELECT DISTINCT f._at FROM read_parquet($files, hive_partitioning = false) s JOIN fresh f ON {same}"
        with self.log.connection() as con:
            con.execute("SET threads = 2")
            con.register("fresh", probe)
            found = con.execute(query, {"files": [str(p) for p in files]}).fetchnumpy()["_at"]
        held[found] = True
        return held


def _fits(schema: pa.Schema, layout: KindLayout) -> bool:
    """The kind's columns in order, of its types (text may come dictionary-encoded)."""
    if schema.names != layout.schema.names:
        return False
    for field, wanted in zip(schema, layout.schema, strict=True):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if kind != wanted.type:
            return False
    return True


def _compact(rows: pa.Table, layout: KindLayout) -> pa.Table:
    """Each column in one piece (a take over many pieces costs twice as much), the repeated text dictionary-encoded.

    A dictionary column is sorted by its codes, taken as integers and written as the file's dictionaries
    (each row group the entries it uses): the text is hashed once, not taken and then hashed again by the
    Parquet writer.
    """
    columns = []
    for name in rows.column_names:
        values = rows.column(name)
        # pieces of one dictionary-encoded chunk share their dictionary: combined without re-encoding
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
        if name in layout.repeated and pa.types.is_string(values.type):
            values = pc.dictionary_encode(values)
        columns.append(values)
    return pa.Table.from_arrays(columns, names=rows.column_names)


def _may_hold(path: Path, column: str, low: object, high: object) -> bool:
    """Whether the file's statistics of `column` overlap [low, high] (no statistics: it may)."""
    metadata = pq.ParquetFile(path).metadata
    at = metadata.schema.names.index(column)
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(at).statistics
        if statistics is None or not statistics.has_min_max:
            return True
        try:
            if statistics.min <= high and statistics.max >= low:
                return True
        except TypeError:  # statistics of another type than the rows' (a naive time): cannot tell
            return True
    return False


class Fingerprints:
    """A set of 64-bit fingerprints in 256 sorted buckets (by their top 8 bits): 8 bytes each.

    Adding merges each bucket with its new values, so a merge never copies more than a bucket at once.
    """

    SHIFT = np.uint64(56)

    def __init__(self) -> None:
        self._buckets = [np.empty(0, dtype=np.uint64) for _ in range(256)]

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._buckets)

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Per value, whether the set holds it."""
        found = np.zeros(len(values), dtype=bool)
        order = np.argsort(values)
        ordered = values[order]
        for bucket, low, high in self._runs(ordered):
            if len(self._buckets[bucket]):
                stored = self._buckets[bucket]
                at = np.searchsorted(stored, ordered[low:high])  # sorted needles: each search starts where the last ended
                found[order[low:high]] = stored[np.minimum(at, len(stored) - 1)] == ordered[low:high]
        return found

    def add(self, values: np.ndarray) -> None:
        ordered = np.sort(values)
        for bucket, low, high in self._runs(ordered):
            merged = np.concatenate([self._buckets[bucket], ordered[low:high]])
            merged.sort(kind="stable")  # two sorted runs: one merge pass
            self._buckets[bucket] = merged

    def _runs(self, ordered: np.ndarray) -> list[tuple[int, int, int]]:
        """(bucket, start, end) of the sorted values' run in each bucket they fall in."""
        bounds = np.searchsorted(ordered >> self.SHIFT, np.arange(257, dtype=np.uint64))
        return [(b, int(bounds[b]), int(bounds[b + 1])) for b in range(256) if bounds[b] < bounds[b + 1]]
