"""Checking an event feed's rows in Arrow: typed values, the person each row names, the first reason to refuse it.

Vectorised over a chunk of the file (no Python per row). Times in the usual ISO 8601 shapes are parsed
by Arrow and, for a zone with one UTC offset over the chunk's times, turned into instants by plain
arithmetic; anything else (odd shapes, a summer-time zone, numbers) is typed by DuckDB exactly as
SQL would (`TRY_CAST`), only for the values that need it. What rows are checked against — the people's
keys, the values a reference allows — is loaded once per file into DuckDB tables (`prepare_lookups`)
and joined with each chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.eventlog.kinds import LAYOUTS, EventKind
from ringfence.eventlog.ordering import fixed_offset

LINE, REASON, PRESET = "line", "reason", "_preset_reason"
_SHORTEST_FAST_TIME = len("2022-10-01T09:00")  # shorter shapes (a bare hour) are left to DuckDB's rules
_UTC_US = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Reference:
    """A column whose values must be among those of a view on the connection (else `reason`)."""

    column: str
    view: str
    view_column: str
    reason: str

    @property
    def table(self) -> str:
        return f"_allowed_{self.column}"


_PERSON_KEYS = "_person_keys"


def prepare_lookups(
    con: duckdb.DuckDBPyConnection, *, person_column: str | None, references: Sequence[Reference]
) -> None:
    """Tables every chunk's checks join with: the people's keys (from the view `people`) and each reference's values."""
    if person_column == "person_id":
        # a person_id repeated in the snapshot is still one person
        con.execute(f"CREATE TEMP TABLE {_PERSON_KEYS} AS SELECT DISTINCT person_id AS key FROM people "
                    "WHERE person_id IS NOT NULL")
    elif person_column is not None:
        column = _quote(person_column)
        con.execute(
            f"CREATE TEMP TABLE {_PERSON_KEYS} AS SELECT {column} AS key, min(person_id) AS person_id, "
            f"count(DISTINCT person_id) AS named FROM people WHERE {column} IS NOT NULL GROUP BY {column}"
        )
    for reference in references:
        column = _quote(reference.view_column)
        con.execute(
            f"CREATE TEMP TABLE {reference.table} AS SELECT DISTINCT {column} AS key FROM {reference.view} "
            f"WHERE {column} IS NOT NULL"
        )


def checked_rows(
    *,
    con: duckdb.DuckDBPyConnection,
    kind: EventKind,
    source: pa.Table,
    checks: Sequence,
    order_rules: Sequence[tuple[str, str, str, bool]],
    references: Sequence[Reference],
    person_column: str | None,
    person_optional: bool,
    tz: ZoneInfo,
) -> pa.Table:
    """`line`, the kind's stored columns (typed) and `reason` (NULL for a valid row) for every row of `source`."""
    reasons = _Reasons(source.num_rows, source.column(PRESET))
    layout = LAYOUTS[kind]
    typed: dict[str, pa.ChunkedArray | pa.Array] = {}
    for check in checks:
        raw = _raw(con, source, check.column)
        value = raw if check.type == "text" else _typed(con, raw, check.type, tz)
        if check.column in layout.repeated:
            # few distinct values: encoded once, checked per value, and written as the file's dictionary
            value = pc.dictionary_encode(raw.combine_chunks())
        typed[check.column] = value
        if check.required:
            reasons.add(pc.is_null(raw), f"missing {check.column}")
        if check.type != "text":
            what = {"time": "an ISO 8601 time", "number": "a number", "count": "a whole number"}[check.type]
            reasons.add(pc.and_(pc.is_valid(raw), pc.is_null(value)), f"{check.column} is not {what}")
        if check.allowed:
            listed = pa.array(list(check.allowed), pa.string())
            unlisted = pc.and_(pc.is_valid(raw), pc.invert(pc.is_in(raw, value_set=listed)))
            reasons.add(unlisted, f"{check.column} must be one of {'/'.join(check.allowed)}")
        if check.low is not None:
            inside = pc.and_(pc.greater_equal(value, check.low), pc.less_equal(value, check.high))
            reasons.add(pc.invert(inside), f"{check.column} is outside {check.low:g}..{check.high:g}")
    if person_column is not None:
        key = _raw(con, source, person_column)
        person_id, named = _people_named(con, key, person_column)
        if not person_optional:
            reasons.add(pc.is_null(key), f"missing {person_column}")
        reasons.add(pc.and_(pc.is_valid(key), pc.is_null(person_id)), "unknown person")
        reasons.add(pc.greater(named, 1), f"{person_column} names more than one person")
        typed["person_id"] = person_id  # right for every row that is not refused
    elif "person_id" in layout.columns:
        typed["person_id"] = pa.nulls(source.num_rows, pa.string())
    for reference in references:
        value = typed[reference.column]
        if pa.types.is_dictionary(value.type):
            known = pc.fill_null(_found(con, value.dictionary, reference.table).take(value.indices), False)
        else:
            known = _found(con, value, reference.table)
        reasons.add(pc.and_(pc.is_valid(value), pc.invert(known)), reference.reason)
    for earlier, later, reason, strict in order_rules:
        compare = pc.less_equal if strict else pc.less
        reasons.add(compare(typed[later], typed[earlier]), reason)
    columns = {LINE: source.column(LINE)}
    for name, field in zip(layout.columns, layout.schema, strict=True):
        value = typed[name]
        encoded = pa.types.is_dictionary(value.type) and value.type.value_type == field.type
        columns[name] = value if encoded else pc.cast(value, field.type)
    columns[REASON] = reasons.finish()
    return pa.table(columns)


class _Reasons:
    """The first reason, in the order they are added, that each row fails (the row's preset one comes first)."""

    def __init__(self, rows: int, preset: pa.ChunkedArray) -> None:
        self._preset = preset
        self._first = np.where(pc.is_valid(preset).to_numpy(), -1, 0).astype(np.int16)
        self._texts: list[str] = []

    def add(self, failing: pa.ChunkedArray | pa.Array, reason: str) -> None:
        hits = _true(failing)
        if not hits.any():
            return
        self._texts.append(reason)
        self._first[hits & (self._first == 0)] = len(self._texts)

    def finish(self) -> pa.ChunkedArray | pa.Array:
        if not self._texts:
            return self._preset
        texts = pa.array([None, *self._texts], pa.string())
        chosen = texts.take(pa.array(np.maximum(self._first, 0)))
        return pc.if_else(pc.is_valid(self._preset), self._preset, chosen)


def _true(mask: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean mask as NumPy, NULL as false (SQL's CASE WHEN takes NULL for not true)."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False) if isinstance(mask, pa.Array) else np.asarray(
        pc.fill_null(mask, False).to_numpy()
    )


def _raw(con: duckdb.DuckDBPyConnection, source: pa.Table, column: str) -> pa.ChunkedArray:
    """The column as text as written (`''` is NULL); typed Parquet times stay times; absent: all NULL."""
    if column not in source.column_names:
        return pa.chunked_array([pa.nulls(source.num_rows, pa.string())])
    values = source.column(column)
    if pa.types.is_timestamp(values.type):
        return values
    if not pa.types.is_string(values.type):
        # another type in a Parquet feed: its text as DuckDB writes it, as the SQL checks always read it
        values = _duckdb_values(con, values, "CAST(v AS VARCHAR)", pa.string())
    return pa.chunked_array([_blank_as_null(chunk) for chunk in values.chunks], pa.string())


def _blank_as_null(text: pa.Array) -> pa.Array:
    """`''` as NULL; without copying the text when the chunk had no NULLs (a CSV column never has)."""
    filled = pc.not_equal(text, "")
    if text.null_count or text.offset or filled.offset:
        return pc.if_else(filled, text, pa.scalar(None, pa.string()))
    if pc.all(filled).as_py():
        return text
    # the comparison's bits are the validity bitmap: the same offsets and characters, fewer values
    return pa.Array.from_buffers(text.type, len(text), [filled.buffers()[1], *text.buffers()[1:]])


def _typed(con: duckdb.DuckDBPyConnection, raw: pa.ChunkedArray, kind: str, tz: ZoneInfo) -> pa.ChunkedArray:
    """`raw` as the check's type (`time` → UTC instants), NULL where it does not parse."""
    if kind == "time":
        return _times(con, raw, tz)
    if kind == "number":
        return _duckdb_values(
            con, raw, "CASE WHEN isfinite(TRY_CAST(v AS DOUBLE)) THEN TRY_CAST(v AS DOUBLE) END", pa.float64()
        )
    # DuckDB rounds '2.5' to 3 when casting to an integer: accept whole, non-negative numbers only
    number = "TRY_CAST(v AS DOUBLE)"
    return _duckdb_values(con, raw, f"CASE WHEN {number} >= 0 AND {number} = trunc({number}) THEN CAST({number} AS BIGINT) END", pa.int64())


def _times(con: duckdb.DuckDBPyConnection, raw: pa.ChunkedArray, tz: ZoneInfo) -> pa.ChunkedArray:
    """Instants of ISO 8601 text (local to `tz` without an offset), or of typed Parquet times."""
    if pa.types.is_timestamp(raw.type):
        if raw.type.tz is not None:
            return pc.cast(raw, _UTC_US)
        local = pc.cast(raw, pa.timestamp("us"))
        return pa.chunked_array([_local_to_utc(con, chunk, tz) for chunk in local.chunks], _UTC_US)
    return pa.chunked_array([_text_times(con, chunk, tz) for chunk in raw.chunks], _UTC_US)


def _text_times(con: duckdb.DuckDBPyConnection, text: pa.Array, tz: ZoneInfo) -> pa.Array:
    """One chunk of time text: Arrow's ISO 8601 parser when every value has a full date and time, else DuckDB's."""
    lengths = pc.min_max(pc.utf8_length(text))
    if lengths["min"].as_py() is None:  # no value at all
        return pa.nulls(len(text), _UTC_US)
    if lengths["min"].as_py() >= _SHORTEST_FAST_TIME:
        try:
            return _local_to_utc(con, pc.cast(text, pa.timestamp("us")), tz)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        try:
            return pc.cast(text, _UTC_US)  # every value with Z or an offset
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return _duckdb_values(con, text, "TRY_CAST(v AS TIMESTAMPTZ)", _UTC_US)


def _local_to_utc(con: duckdb.DuckDBPyConnection, local: pa.Array, tz: ZoneInfo) -> pa.Array:
    """Wall-clock times of `tz` as UTC instants: arithmetic for a fixed offset, DuckDB's zone rules otherwise."""
    bounds = pc.min_max(local)
    if bounds["min"].as_py() is None:
        return pa.nulls(len(local), _UTC_US)
    micros = local.cast(pa.int64())
    low, high = pc.min_max(micros)["min"].as_py(), pc.min_max(micros)["max"].as_py()
    offset = fixed_offset(tz, low, high)
    if offset is not None:
        return pc.subtract(micros, offset).cast(_UTC_US)
    # the connection's session zone is `tz`: a TIMESTAMP cast to TIMESTAMPTZ is read as local time
    return _duckdb_values(con, local, "CAST(v AS TIMESTAMPTZ)", _UTC_US)


def _duckdb_values(
    con: duckdb.DuckDBPyConnection, values: pa.Array | pa.ChunkedArray, expression: str, type_: pa.DataType
) -> pa.ChunkedArray:
    """`expression` of `v` evaluated by DuckDB for each value, in order."""
    table = pa.table({"v": values})
    con.register("_values", table)
    try:
        result = con.sql(f"SELECT {expression} AS v FROM _values").to_arrow_table().column("v")
    finally:
        con.unregister("_values")
    result = pc.cast(result, type_)
    return result if isinstance(values, pa.ChunkedArray) else result.combine_chunks()


def _people_named(
    con: duckdb.DuckDBPyConnection, key: pa.ChunkedArray, person_column: str
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Per row: the person its key names (NULL: nobody) and how many people share the key."""
    if person_column == "person_id":
        known = _found(con, key, _PERSON_KEYS)
        # the key itself where it is known (no copy of the text: a row naming no one is refused anyway)
        return (
            pa.chunked_array(key.chunks, key.type) if known.false_count == 0 else pc.if_else(known, key, None),
            pc.if_else(known, pa.scalar(1, pa.int64()), pa.scalar(None, pa.int64())),
        )
    matches = _joined(con, key, _PERSON_KEYS, "k.person_id, k.named")
    return matches.column("person_id"), matches.column("named")


def _found(con: duckdb.DuckDBPyConnection, values: pa.ChunkedArray, table: str) -> pa.Array:
    """Per value, whether the lookup `table` (column `key`) holds it; NULL is never found."""
    found = np.zeros(len(values), dtype=bool)
    found[_joined_positions(con, values, table)] = True
    return pa.array(found)


def _joined(con: duckdb.DuckDBPyConnection, values: pa.ChunkedArray, table: str, columns: str) -> pa.Table:
    """`columns` of the lookup `table` row whose `key` equals each value, in the values' order (NULL: none)."""
    probe = pa.table({"key": values, "_pos": pa.array(np.arange(len(values), dtype=np.int64))})
    con.register("_probe", probe)
    try:
        matches = con.sql(f"SELECT p._pos, {columns} FROM _probe p JOIN {table} k ON p.key = k.key").to_arrow_table()
    finally:
        con.unregister("_probe")
    at = np.full(len(values), -1, dtype=np.int64)
    at[matches.column("_pos").to_numpy()] = np.arange(matches.num_rows, dtype=np.int64)
    return matches.drop_columns(["_pos"]).take(pa.array(at, mask=at < 0))


def _joined_positions(con: duckdb.DuckDBPyConnection, values: pa.ChunkedArray, table: str) -> np.ndarray:
    probe = pa.table({"key": values, "_pos": pa.array(np.arange(len(values), dtype=np.int64))})
    con.register("_probe", probe)
    try:
        # a hash join: DuckDB builds its table on the smaller side (the chunk or the lookup)
        return con.sql(f"SELECT p._pos FROM _probe p JOIN {table} k ON p.key = k.key").fetchnumpy()["_pos"]
    finally:
        con.unregister("_probe")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
