"""Import one feed file of a high-volume kind (scans, locations, samples, tube results, sentinel) into the event log.

The file is read into Arrow with every column as text, checked by one vectorised DuckDB query
(no Python loop per row), and its valid rows are appended to the event log as one atomic batch.
Rules (DESIGN.md section 4):

* `line` is the line of the row in the file, the header being line 1 (for Parquet: row number + 1).
* Values are taken as written (no trimming); an empty cell is a missing value.
* Times: ISO 8601 with an offset (`Z`, `+08:00`) or without one (then local to settings.tz).
* A person is named by exactly one of person_id / id_number / phone and must be in the people
  snapshot (an id_number or phone shared by several people names no one); sentinel rows may name nobody.
* `rows = accepted + rejected + duplicates`: duplicates are valid rows already stored, or repeated in the file.
* Samples naming a tube that has no result yet are kept, and counted as `pending_tube`.
* A tube result contradicting another for the same tube (positive against negative, stored or in the
  file) is kept — nothing is ever overwritten — and counted as `conflicting`; screening flags the tube.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ringfence.core.errors import RefusedFile
from ringfence.eventlog.kinds import LAYOUTS, EventKind, RegisterName, SiteKind, TubeResult
from ringfence.eventlog.parquet_log import ParquetLog
from ringfence.eventlog.store import register_path
from ringfence.imports.event_checks import LINE, PRESET, REASON, Reference, checked_rows
from ringfence.imports.schemas import PERSON_COLUMNS, FeedSpec

if TYPE_CHECKING:
    from ringfence.config import Settings

_PRESET = PRESET  # a reason known before the checks (a row with the wrong number of fields)


@dataclass(frozen=True)
class EventImportCounts:
    """What one import did: data rows read, new rows stored, rows refused, valid rows already stored."""

    rows: int
    accepted: int
    rejected: int
    duplicates: int
    # flags on valid rows, beside the counts (not part of a result's identity)
    pending_tube: int = field(default=0, compare=False)  # samples whose tube has no result yet
    conflicting: int = field(default=0, compare=False)  # results contradicting another of their tube


@dataclass(frozen=True)
class Check:
    """One column of a feed: its type, whether it is required, and what values it allows."""

    column: str
    type: str = "text"  # text | time | number | count
    required: bool = True
    allowed: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


# Per kind: the feed's columns (the person column is handled apart), then rules between columns.
CHECKS: dict[EventKind, tuple[Check, ...]] = {
    EventKind.scans: (
        Check("venue_id"), Check("scanned_at", "time"), Check("left_at", "time", required=False),
    ),
    EventKind.locations: (
        Check("phone"), Check("lon", "number", low=-180, high=180), Check("lat", "number", low=-90, high=90),
        Check("start_at", "time"), Check("end_at", "time"),
    ),
    EventKind.samples: (
        Check("sample_id"), Check("tube_id"), Check("collected_at", "time"),
        Check("site_id", required=False), Check("round_id", required=False),
    ),
    EventKind.tube_results: (
        Check("tube_id"), Check("result", allowed=tuple(TubeResult)), Check("reported_at", "time"),
        Check("lab_id", required=False), Check("ct", "number", required=False, low=0, high=100),
    ),
    EventKind.sentinel: (
        Check("site_id"), Check("site_kind", allowed=tuple(SiteKind)), Check("occurred_at", "time"),
        Check("category"), Check("count", "count", required=False),
    ),
}
ORDER_RULES: dict[EventKind, tuple[tuple[str, str, str, bool], ...]] = {
    # (earlier, later, reason, strictly after): left_at may equal scanned_at; a stay must last
    EventKind.scans: (("scanned_at", "left_at", "left_at is before scanned_at", False),),
    EventKind.locations: (("start_at", "end_at", "end_at is not after start_at", True),),
}
# Values that must be known already, checked after the person (views bound by `_bind_references`).
REFERENCES: dict[EventKind, tuple[Reference, ...]] = {
    EventKind.scans: (Reference("venue_id", "venues", "venue_id", "unknown venue"),),
    EventKind.tube_results: (Reference("tube_id", "sampled_tubes", "tube_id", "tube has no samples"),),
}


def import_events(
    *, spec: FeedSpec, path: Path, settings: Settings, batch_id: str, rejects_path: Path, progress: bool
) -> EventImportCounts:
    """Store every valid row of `path` in the event log (once), and write the invalid ones to `rejects_path`."""
    kind = EventKind(spec.kind.name)
    log = ParquetLog(settings.events_dir, settings.tz)
    log.recover()
    with _Steps(progress, f"import {spec.kind.value}") as steps:
        source = read_feed(path)
        steps.advance("checking")
        person_column = _person_column(spec, source.column_names)
        # The log's connection reads offset-less times in settings.tz, as the feed contract says; the
        # checked rows are registered on it as `checked` for the screening flags and the rejects.
        with log.connection() as con:
            _bind_references(con, kind, settings, log)
            con.register("source", source)
            checked = checked_rows(
                con=con, kind=kind, source=source, checks=CHECKS[kind], order_rules=ORDER_RULES.get(kind, ()),
                references=REFERENCES.get(kind, ()), person_column=person_column,
                person_optional=spec.person_optional, tz=settings.tz,
            )
            con.register("checked", checked)
            rejected = checked.num_rows - checked.column(REASON).null_count
            if rejected:
                _write_rejects(con, source.column_names, rejects_path)
            flags = _screening_flags(con, kind)
            steps.advance("storing")
            valid = checked.filter(pc.is_null(checked.column(REASON))).select(list(LAYOUTS[kind].columns))
            result = log.append_rows(kind, valid, batch_id=batch_id)
        steps.advance("done")
    return EventImportCounts(
        rows=source.num_rows, accepted=result.added, rejected=rejected, duplicates=result.duplicates, **flags
    )


def _screening_flags(con: duckdb.DuckDBPyConnection, kind: EventKind) -> dict[str, int]:
    """Valid rows that screening must hear about: samples of tubes without a result, contradicting results."""
    if kind is EventKind.samples:
        pending = con.execute(
            f"SELECT count(*) FROM checked WHERE {REASON} IS NULL "
            "AND tube_id NOT IN (SELECT tube_id FROM reported_tubes WHERE tube_id IS NOT NULL)"
        ).fetchall()[0][0]
        return {"pending_tube": pending}
    if kind is EventKind.tube_results:
        conflicting = con.execute(
            f"""WITH readings AS (
                    SELECT tube_id, result FROM reported_tubes WHERE result IN ('positive', 'negative')
                    UNION ALL
                    SELECT tube_id, result FROM checked WHERE {REASON} IS NULL AND result IN ('positive', 'negative')
                ), contested AS (
                    SELECT tube_id FROM readings GROUP BY tube_id HAVING count(DISTINCT result) > 1
                )
                SELECT count(*) FROM checked WHERE {REASON} IS NULL AND result IN ('positive', 'negative')
                  AND tube_id IN (SELECT tube_id FROM contested)"""
        ).fetchall()[0][0]
        return {"conflicting": conflicting}
    return {}


# ---- reading ---------------------------------------------------------------------------------


def read_feed(path: Path) -> pa.Table:
    """The file's rows with every column as text, plus `line` (and the preset reason of malformed rows)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path)
    return _read_csv(path)


def _read_parquet(path: Path) -> pa.Table:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise RefusedFile(f"{path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}") from None
    return _with_lines(table, np.arange(2, table.num_rows + 2, dtype=np.int64))


def _read_csv(path: Path) -> pa.Table:
    header = _csv_header(path)
    malformed = []

    def note_malformed(row: pacsv.InvalidRow) -> str:
        malformed.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(invalid_row_handler=note_malformed),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise RefusedFile(f"{path.name} is not UTF-8 text") from None
        malformed.append(exc)  # e.g. an unterminated quote: the careful reader says where
        table = None
    if table is not None and not malformed and _physical_lines(path) == table.num_rows + 1:
        # One physical line per row: the row's position gives its line.
        return _with_lines(table, np.arange(2, table.num_rows + 2, dtype=np.int64))
    return _read_csv_carefully(path, header)


def _read_csv_carefully(path: Path, header: list[str]) -> pa.Table:
    """The slow, exact reader for files the fast one can't number (quoted newlines, blank or ragged lines)."""
    columns: list[list[str]] = [[] for _ in header]
    lines, reasons = [], []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        start = reader.line_num + 1
        try:
            for record in reader:
                if record:  # a blank line is no row
                    fields = record[: len(header)] + [""] * (len(header) - len(record))
                    for values, value in zip(columns, fields, strict=True):
                        values.append(value)
                    lines.append(start)
                    ragged = len(record) != len(header)
                    reasons.append(f"expected {len(header)} fields, found {len(record)}" if ragged else None)
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RefusedFile(f"{path.name} line {reader.line_num}: {exc}") from None
    table = pa.table({name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)})
    return _with_lines(table, np.asarray(lines, dtype=np.int64), reasons)


def _with_lines(table: pa.Table, lines: np.ndarray, reasons: list[str | None] | None = None) -> pa.Table:
    table = table.append_column(LINE, pa.array(lines))
    preset = pa.array(reasons, pa.string()) if reasons is not None else pa.nulls(table.num_rows, pa.string())
    return table.append_column(_PRESET, preset)


def _csv_header(path: Path) -> list[str]:
    try:
        from ringfence.imports.reading import read_header  # the feed framework's, when it is there
    except ImportError:
        read_header = None
    if read_header is not None and path.suffix.lower() != ".parquet":
        return list(read_header(path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise RefusedFile(f"{path.name} is not UTF-8 text") from None
    if not header:
        raise RefusedFile(f"{path.name} has no header row")
    return [name.strip() for name in header]


def _physical_lines(path: Path) -> int:
    """Lines in the file, counting a last line without a newline."""
    count, last = 0, b"\n"
    buffer = bytearray(16 << 20)  # one buffer read into again and again: no new pages per block
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            count += buffer.count(b"\n", 0, size)
            last = buffer[size - 1 : size]
    return count + (0 if last == b"\n" else 1)


# ---- checking --------------------------------------------------------------------------------


def _person_column(spec: FeedSpec, columns: list[str]) -> str | None:
    """The one column that names people in this file (None: the kind names nobody, or may not)."""
    if not spec.names_person:
        return None
    named = [name for name in PERSON_COLUMNS if name in columns]
    if len(named) > 1:
        raise RefusedFile(f"name people by one column only, not {' and '.join(named)}")
    if not named and not spec.person_optional:
        raise RefusedFile(f"missing column: one of {', '.join(PERSON_COLUMNS)}")
    return named[0] if named else None


def _bind_references(con: duckdb.DuckDBPyConnection, kind: EventKind, settings: Settings, log: ParquetLog) -> None:
    """Views of what rows may refer to: people, venues, and the tubes that have samples."""
    for name, columns in ((RegisterName.people, "person_id, id_number, phone"), (RegisterName.venues, "venue_id")):
        path = register_path(settings, name)
        if path.is_file():
            con.read_parquet(str(path)).select(columns).create_view(name.value)
        else:
            empty = ", ".join(f"CAST(NULL AS VARCHAR) AS {c.strip()}" for c in columns.split(","))
            con.sql(f"SELECT {empty} WHERE false").create_view(name.value)
    if kind in (EventKind.samples, EventKind.tube_results):
        files = log.files(EventKind.tube_results)
        if files:
            con.read_parquet([str(p) for p in files], hive_partitioning=False).select("tube_id, result").create_view(
                "reported_tubes"
            )
        else:
            con.sql("SELECT CAST(NULL AS VARCHAR) AS tube_id, CAST(NULL AS VARCHAR) AS result WHERE false").create_view(
                "reported_tubes"
            )
    if kind is EventKind.tube_results:
        files = log.files(EventKind.samples)
        if files:
            con.read_parquet([str(p) for p in files], hive_partitioning=False).select("tube_id").create_view(
                "sampled_tubes"
            )
        else:
            con.sql("SELECT CAST(NULL AS VARCHAR) AS tube_id WHERE false").create_view("sampled_tubes")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- rejects and progress --------------------------------------------------------------------


def _write_rejects(con: duckdb.DuckDBPyConnection, columns: list[str], target: Path) -> None:
    """`line,reason,<the file's columns>` for every refused row, written whole or not at all."""
    originals = ", ".join(f"s.{_q(c)}" for c in columns if c not in (LINE, _PRESET))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    con.sql(
        f"SELECT c.{LINE}, c.{REASON}, {originals} FROM checked c JOIN source s USING ({LINE}) "
        f"WHERE c.{REASON} IS NOT NULL ORDER BY c.{LINE}"
    ).write_csv(str(partial), header=True)
    os.replace(partial, target)


class _Steps:
    """A Rich progress bar over the import's steps on stderr, or nothing when `shown` is false."""

    def __init__(self, shown: bool, title: str) -> None:
        self._progress = (
            Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                     console=Console(stderr=True), transient=True)
            if shown else None
        )
        self._title = title
        self._task = None

    def __enter__(self) -> Self:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(f"{self._title}: reading", total=3)
        return self

    def advance(self, step: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=f"{self._title}: {step}")

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()
