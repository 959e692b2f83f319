"""A few keys' rows read from a day's sorted files by their row groups' statistics, instead of by a scan.

A lookup of one person in a compacted day checks that day's row groups one by one against the key, and
DuckDB pays for each (hit or not): 37 ms for one key in a 4 M city's day of scans (1,366 groups), where
pyarrow reads the one group that holds it in 3 ms. The footer's min/max of the sort column says which
groups may hold a key: found by binary search (the groups of a sorted file are in order; otherwise each
is compared), read with pyarrow and cut to the keys' rows. Footers are parsed once per file per process
(the log's files are immutable) and the files kept open.

Each file the log writes has its groups' ranges beside it (`<name>.parquet.ranges`, `write_ranges`): pyarrow
hands out a footer's statistics one Python object at a time, ~4 µs a group, and a case's trace at 12.6 M people
reads 43 files of 1,800-4,200 groups (in a fresh process: 1.24-1.34 s with the footers' statistics, 0.78-0.91 s
with the ranges). A file is then opened only when its groups are read. A file without ranges (written before,
or not by the log) is read from its footer; compaction writes the ranges a compacted day lacks.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Narrow only when the keys' row groups are at most this share of the files' groups: a batch whose keys fall
# in most groups is read faster by the engine's own scan (parallel, its filters pushed down).
AT_MOST = 0.25
# ...and when those groups hold at most this many rows: pyarrow decodes each chosen group whole, and the rows are
# held in memory. In a 12.6 M city's by-place copy, one case's cells (289 groups, 4.7 M rows) are read in
# 0.16-0.29 s where DuckDB's scan takes ~0.6 s; two cases' (648 groups, 10.6 M rows) in 0.4-0.5 s, but 1.9 s in
# a fresh process (DuckDB: ~0.9 s, 1.2 s); three cases' (17 M rows) take twice the memory and longer than the scan.
MOST_ROWS = 8_000_000
_KEPT_FILES = 256  # files kept with their ranges, open once read (one deleted or rewritten since is let go at the next lookup)


@dataclass(frozen=True)
class KeyLookup:
    """A hint that a query reads a view only at the rows whose `column` is one of `keys` ("key") on the
    day it is paired with ("day"). An engine may bind the view to just those rows; the query must still
    filter by the keys and days itself (an engine that ignores the hint binds the whole view). `reads`, if
    given, names every column of the view the query reads: an engine may leave the others null."""

    column: str
    keys: pa.Table
    reads: tuple[str, ...] = ()

    def days(self) -> list[date]:
        return sorted(set(self.keys.column("day").to_pylist()))

    def keys_on(self, day: date) -> pa.Array:
        on_day = self.keys.filter(pc.equal(self.keys.column("day"), pa.scalar(day, pa.date32())))
        return pc.unique(on_day.column("key").combine_chunks())

    @classmethod
    def every_day(cls, column: str, keys: Iterable[object], days: Iterable[date], key_type: pa.DataType) -> KeyLookup:
        """The same keys on each of `days`."""
        values, days = list(keys), list(days)
        return cls(column, pa.table({
            "key": pa.array([k for _ in days for k in values], key_type),
            "day": pa.array([d for d in days for _ in values], pa.date32()),
        }))


RANGES = ".ranges"  # beside `<name>.parquet`: `<name>.parquet.ranges`


@dataclass(frozen=True)
class _Ranges:
    """A file's row groups as a lookup sees them: their rows and their [min, max] of one column."""

    rows: np.ndarray
    lows: np.ndarray | None  # None: some group has no statistics
    highs: np.ndarray | None
    ordered: bool  # the groups follow each other in key order: binary search finds a key's groups

    @classmethod
    def of(cls, rows: Sequence[int], lows: Sequence[object] | None, highs: Sequence[object] | None) -> _Ranges:
        counts = np.asarray(rows, dtype=np.int64)
        if lows is None or highs is None:
            return cls(counts, None, None, False)
        low, high = _values(lows), _values(highs)
        ordered = bool(np.all(high[:-1] <= low[1:])) if len(low) > 1 else True
        return cls(counts, low, high, ordered)


@dataclass
class _KeyedFile:
    """A file of the log as lookups by one column see it."""

    ranges: _Ranges
    path: Path
    file: pq.ParquetFile | None = None  # opened when first read, then kept: opening costs more than a group

    def parquet(self) -> pq.ParquetFile:
        if self.file is None:
            self.file = pq.ParquetFile(self.path)
        return self.file


def ranges_path(path: Path) -> Path:
    return path.with_name(path.name + RANGES)


def write_ranges(path: Path, column: str, target: Path | None = None) -> Path | None:
    """Write beside the Parquet file `path` (or to `target`, to be moved there) its groups' rows and statistics
    of `column` (the sort column a lookup names), read from its footer; the file written (None: `path` has no
    such column, or a group has no statistics of it)."""
    ranges = _from_footer(pq.read_metadata(path), column)
    if ranges is None or ranges[1] is None:
        return None
    table = pa.table({"rows": ranges[0], "low": ranges[1], "high": ranges[2]}).replace_schema_metadata(
        {"column": column, "file_bytes": str(path.stat().st_size)})
    target = target or ranges_path(path)
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    return target


_files: OrderedDict[tuple[str, int, int, str], _KeyedFile] = OrderedDict()
_files_guard = threading.Lock()


def _fresh_guard() -> None:
    """In a forked child: the parent's lock may have been held by a thread the child does not have."""
    global _files_guard
    _files_guard = threading.Lock()


os.register_at_fork(after_in_child=_fresh_guard)


def narrowed(files: list[tuple[Path, date]], lookup: KeyLookup, schema: pa.Schema) -> pa.Table | None:
    """The rows of `files` (each with its day) whose key is one of the lookup's keys on that day, as
    `schema` (the file's columns, then `day`); None when the keys' row groups are too many of the files'
    (`AT_MOST`) or hold too many rows (`MOST_ROWS`), or a file lacks the column: the caller then reads the
    files as usual."""
    _forget_replaced()
    stored = [f.name for f in schema
              if f.name != "day" and (not lookup.reads or f.name in lookup.reads or f.name == lookup.column)]
    chosen: list[tuple[date, _KeyedFile, np.ndarray, pa.Array]] = []
    total = picked = held = 0
    for path, day in files:
        keyed = _keyed_file(path, lookup.column)
        if keyed is None:
            return None
        keys = lookup.keys_on(day)
        groups = _groups_holding(keyed.ranges, keys)
        total += len(keyed.ranges.rows)
        picked += len(groups)
        held += int(keyed.ranges.rows[groups].sum())
        if len(groups):
            chosen.append((day, keyed, groups, keys))
    if total == 0 or picked > AT_MOST * total or held > MOST_ROWS:
        return None

    def read(day: date, keyed: _KeyedFile, groups: np.ndarray, keys: pa.Array) -> pa.Table:
        rows = keyed.parquet().read_row_groups(groups.tolist(), columns=stored, use_threads=False)
        rows = rows.filter(pc.is_in(rows.column(lookup.column), value_set=keys))
        rows = rows.append_column("day", pa.repeat(pa.scalar(day, pa.date32()), rows.num_rows))
        for unread in (f for f in schema if f.name not in rows.column_names):
            rows = rows.append_column(unread.name, pa.nulls(rows.num_rows, unread.type))
        return rows.select(schema.names).cast(schema)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # pyarrow decodes without the GIL
        parts = list(pool.map(lambda chosen_file: read(*chosen_file), chosen))
    return pa.concat_tables([schema.empty_table(), *parts])


def _groups_holding(ranges: _Ranges, keys: pa.Array) -> np.ndarray:
    """The row groups whose [min, max] of the column holds one of `keys`, ascending."""
    count = len(ranges.rows)
    if not len(keys) or not count:
        return np.empty(0, dtype=np.int64)
    if ranges.lows is None:
        return np.arange(count)
    wanted = _values(keys.to_pylist())
    if wanted.dtype.kind != ranges.lows.dtype.kind:  # statistics of another type than the keys: cannot tell
        return np.arange(count)
    if np.promote_types(wanted.dtype, ranges.lows.dtype) == ranges.lows.dtype:
        wanted = wanted.astype(ranges.lows.dtype)  # else NumPy would copy the statistics to compare them
    if ranges.ordered:  # the groups whose max >= key, up to those whose min <= key: a range per key
        first = np.searchsorted(ranges.highs, wanted, side="left")
        last = np.searchsorted(ranges.lows, wanted, side="right")
        spans = [np.arange(a, b) for a, b in zip(first.tolist(), last.tolist()) if a < b]
        return np.unique(np.concatenate(spans)) if spans else np.empty(0, dtype=np.int64)
    holds = (ranges.lows[None, :] <= wanted[:, None]) & (wanted[:, None] <= ranges.highs[None, :])
    return np.flatnonzero(holds.any(axis=0))


def _keyed_file(path: Path, column: str) -> _KeyedFile | None:
    """The file's groups as a lookup by `column` sees them (None: the file has no such column): from the
    ranges written beside it, else from its footer."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, column)
    with _files_guard:
        if (found := _files.get(key)) is not None:
            _files.move_to_end(key)
            return found
    ranges = _written_ranges(path, column, stat.st_size)
    file = None
    if ranges is None:
        file = pq.ParquetFile(path)
        read = _from_footer(file.metadata, column)
        if read is None:
            return None
        ranges = _Ranges.of(*read)
    keyed = _KeyedFile(ranges, path, file)
    with _files_guard:
        _files[key] = keyed
        while len(_files) > _KEPT_FILES:
            _files.popitem(last=False)
    return keyed


def _written_ranges(path: Path, column: str, size: int) -> _Ranges | None:
    """The ranges `write_ranges` wrote beside `path`, if they are of `column` and of the file as it is now."""
    try:
        with pa.OSFile(str(ranges_path(path))) as source:  # read whole: nothing is held of it, e.g. once deleted
            table = pa.ipc.open_file(source).read_all()
    except (FileNotFoundError, pa.ArrowInvalid):
        return None
    written = table.schema.metadata or {}
    if written.get(b"column") != column.encode() or written.get(b"file_bytes") != str(size).encode():
        return None
    return _Ranges.of(*(table.column(name).to_numpy() for name in ("rows", "low", "high")))


def _from_footer(metadata: pq.FileMetaData, column: str) -> tuple[list[int], list | None, list | None] | None:
    """Each row group's rows, min and max of `column` (None, None: some group has no statistics); None: the
    file has no such column."""
    names = metadata.schema.names
    if column not in names:
        return None
    at = names.index(column)
    rows, lows, highs = [], [], []
    for number in range(metadata.num_row_groups):
        group = metadata.row_group(number)
        rows.append(group.num_rows)
        if lows is None:
            continue
        statistics = group.column(at).statistics
        if statistics is None or not statistics.has_min_max:
            lows = highs = None
            continue
        lows.append(statistics.min)
        highs.append(statistics.max)
    return rows, lows, highs


def _forget_replaced() -> None:
    """Let go of the files compaction has deleted or rewritten since they were read: an open file keeps its
    disk space (a stat of each kept file, ~1 µs apiece)."""
    with _files_guard:
        kept = list(_files)
    gone = []
    for key in kept:
        try:
            stat = os.stat(key[0])
        except FileNotFoundError:
            gone.append(key)
            continue
        if (stat.st_mtime_ns, stat.st_size) != key[1:3]:
            gone.append(key)
    if gone:
        with _files_guard:
            for key in gone:
                _files.pop(key, None)  # a reader still holding it closes it when done


def _values(values: Sequence[object]) -> np.ndarray:
    """Keys or statistics as a NumPy array that compares as the engine does (strings by code point)."""
    return np.array(values, dtype=np.str_ if len(values) and isinstance(values[0], str) else None)
