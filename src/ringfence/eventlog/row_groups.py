"""A few keys' rows read from a day's sorted files by their row groups' statistics, instead of by a scan.

A lookup of one person in a compacted day checks that day's row groups one by one against the key, and
DuckDB pays for each (hit or not): 37 ms for one key in a 4 M city's day of scans (1,366 groups), where
pyarrow reads the one group that holds it in 3 ms. The footer's min/max of the sort column says which
groups may hold a key: found by binary search (the groups of a sorted file are in order; otherwise each
is compared), read with pyarrow and cut to the keys' rows. Footers are parsed once per file per process
(the log's files are immutable) and the files kept open.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
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
_KEPT_FOOTERS = 256  # open files (a file deleted or rewritten since is let go at the next lookup)


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


@dataclass(frozen=True)
class _Footer:
    file: pq.ParquetFile  # kept open: opening costs more than reading a row group
    metadata: pq.FileMetaData
    lows: np.ndarray | None  # each row group's min of the column (None: some group has no statistics)
    highs: np.ndarray | None
    ordered: bool  # the groups follow each other in key order: binary search finds a key's groups


_footers: OrderedDict[tuple[str, int, int, str], _Footer] = OrderedDict()
_footers_guard = threading.Lock()


def _fresh_guard() -> None:
    """In a forked child: the parent's lock may have been held by a thread the child does not have."""
    global _footers_guard
    _footers_guard = threading.Lock()


os.register_at_fork(after_in_child=_fresh_guard)


def narrowed(files: list[tuple[Path, date]], lookup: KeyLookup, schema: pa.Schema) -> pa.Table | None:
    """The rows of `files` (each with its day) whose key is one of the lookup's keys on that day, as
    `schema` (the file's columns, then `day`); None when the keys' row groups are too many of the files'
    (`AT_MOST`) or hold too many rows (`MOST_ROWS`), or a file lacks the column: the caller then reads the
    files as usual."""
    _forget_replaced()
    stored = [f.name for f in schema
              if f.name != "day" and (not lookup.reads or f.name in lookup.reads or f.name == lookup.column)]
    chosen: list[tuple[Path, date, _Footer, np.ndarray, pa.Array]] = []
    total = picked = held = 0
    for path, day in files:
        footer = _footer(path, lookup.column)
        if footer is None:
            return None
        keys = lookup.keys_on(day)
        groups = _groups_holding(footer, keys)
        total += footer.metadata.num_row_groups
        picked += len(groups)
        held += sum(footer.metadata.row_group(g).num_rows for g in groups.tolist())
        if len(groups):
            chosen.append((path, day, footer, groups, keys))
    if total == 0 or picked > AT_MOST * total or held > MOST_ROWS:
        return None

    def read(path: Path, day: date, footer: _Footer, groups: np.ndarray, keys: pa.Array) -> pa.Table:
        rows = footer.file.read_row_groups(groups.tolist(), columns=stored, use_threads=False)
        rows = rows.filter(pc.is_in(rows.column(lookup.column), value_set=keys))
        rows = rows.append_column("day", pa.repeat(pa.scalar(day, pa.date32()), rows.num_rows))
        for unread in (f for f in schema if f.name not in rows.column_names):
            rows = rows.append_column(unread.name, pa.nulls(rows.num_rows, unread.type))
        return rows.select(schema.names).cast(schema)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # pyarrow decodes without the GIL
        parts = list(pool.map(lambda chosen_file: read(*chosen_file), chosen))
    return pa.concat_tables([schema.empty_table(), *parts])


def _groups_holding(footer: _Footer, keys: pa.Array) -> np.ndarray:
    """The row groups whose [min, max] of the column holds one of `keys`, ascending."""
    count = footer.metadata.num_row_groups
    if not len(keys) or not count:
        return np.empty(0, dtype=np.int64)
    if footer.lows is None:
        return np.arange(count)
    wanted = _values(keys.to_pylist())
    if wanted.dtype.kind != footer.lows.dtype.kind:  # statistics of another type than the keys: cannot tell
        return np.arange(count)
    if np.promote_types(wanted.dtype, footer.lows.dtype) == footer.lows.dtype:
        wanted = wanted.astype(footer.lows.dtype)  # else NumPy would copy the statistics to compare them
    if footer.ordered:  # the groups whose max >= key, up to those whose min <= key: a range per key
        first = np.searchsorted(footer.highs, wanted, side="left")
        last = np.searchsorted(footer.lows, wanted, side="right")
        spans = [np.arange(a, b) for a, b in zip(first.tolist(), last.tolist()) if a < b]
        return np.unique(np.concatenate(spans)) if spans else np.empty(0, dtype=np.int64)
    holds = (footer.lows[None, :] <= wanted[:, None]) & (wanted[:, None] <= footer.highs[None, :])
    return np.flatnonzero(holds.any(axis=0))


def _footer(path: Path, column: str) -> _Footer | None:
    """The file's footer and its groups' statistics of `column` (None: the file has no such column)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, column)
    with _footers_guard:
        if (found := _footers.get(key)) is not None:
            _footers.move_to_end(key)
            return found
    file = pq.ParquetFile(path)
    metadata = file.metadata
    names = metadata.schema.names
    if column not in names:
        return None
    at = names.index(column)
    lows, highs = [], []
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(at).statistics
        if statistics is None or not statistics.has_min_max:
            lows = highs = None
            break
        lows.append(statistics.min)
        highs.append(statistics.max)
    footer = _Footer(file, metadata, None, None, False)
    if lows is not None:
        low, high = _values(lows), _values(highs)
        ordered = bool(np.all(high[:-1] <= low[1:])) if len(low) > 1 else True
        footer = _Footer(file, metadata, low, high, ordered)
    with _footers_guard:
        _footers[key] = footer
        while len(_footers) > _KEPT_FOOTERS:
            _footers.popitem(last=False)
    return footer


def _forget_replaced() -> None:
    """Let go of the files compaction has deleted or rewritten since they were read: an open file keeps its
    disk space (a stat of each kept file, ~1 µs apiece)."""
    with _footers_guard:
        kept = list(_footers)
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
        with _footers_guard:
            for key in gone:
                _footers.pop(key, None)  # a reader still holding it closes it when done


def _values(values: list[object]) -> np.ndarray:
    """Keys or statistics as a NumPy array that compares as the engine does (strings by code point)."""
    return np.array(values, dtype=np.str_ if values and isinstance(values[0], str) else None)
