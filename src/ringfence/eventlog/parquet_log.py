"""The files of the event log: staged, all-or-nothing appends, recovery after a kill, compaction.

Layout under `events_dir`:

    <kind>/day=YYYY-MM-DD/part-<batch_id>-NNN.parquet   immutable, sorted by the kind's sort key; appended
    <kind>/day=…/bucket=N/part-<batch_id>-000.parquet    a compacted day of a kind with buckets (locations),
                                                        cut into buckets of its sort key (`buckets.py`)
    _by_person/scans/day=…/bucket=N/…                   a compacted day of scans again, sorted by person and
                                                        cut into buckets of person_id (a case's own stays)
    _by_tile/locations/day=…/bucket=N/…                 a compacted day of locations again with its place tile
                                                        (0.01° by 0.01°, `views.PLACE_TILE`), sorted by it and
                                                        cut into bands of latitude (a grid cell's phones), LZ4
    _staging/<batch_id>/files/<kind>/day=…/…            a batch being written
    _staging/<batch_id>/COMPLETE                        JSON manifest: files to add, files to remove
    .write.lock                                         one writer at a time (flock, freed by a kill)
    .publish.lock                                       readers share it; a writer moving files holds it alone

A batch becomes visible only once its COMPLETE manifest exists; `recover()` publishes a staged
batch that has one and deletes one that has not, so a writer killed at any point (even SIGKILL)
leaves either nothing or, after the next open, everything. A compaction is one batch: the day's new
files and copies are added, and the files they replace removed, together.

Logs written before days were cut into buckets (one merged file per day, its copy beside it under the
same name) are read as they are; `compact` rewrites such a day into buckets.

Every writer works in process (DuckDB, pyarrow) whatever the query engine is: the files are the
contract between engines, and writing them needs no cluster.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from ringfence.core.errors import InvalidInput
from ringfence.eventlog.buckets import Buckets, HashBuckets, TileBands, in_bucket_folder
from ringfence.eventlog.kinds import LAYOUTS, EventKind, KindLayout
from ringfence.eventlog.parquet_files import copy_to_parquet, write_buckets
from ringfence.eventlog.views import PLACE_TILE, second_order_file_schema

if TYPE_CHECKING:
    from ringfence.eventlog.staging import BatchWriter

STAGING = "_staging"
BY_PERSON = "_by_person"
BY_PLACE = "_by_tile"  # was "_by_place" before copies had their tile: those are left unread


class SecondOrder(NamedTuple):
    """A kind compaction also writes in a second order (the same rows again, and `derived` columns)."""

    root: str
    order: str  # its ORDER BY: our own SQL, never feed text
    buckets: Buckets  # how a day of it is cut into files
    compression: str = "zstd"  # as pyarrow names it ("lz4" is LZ4_RAW)
    derived: tuple[tuple[str, str], ...] = ()  # (name, SQL over the stored columns): our own, never feed text


SECOND_ORDER: dict[EventKind, SecondOrder] = {
    EventKind.scans: SecondOrder(BY_PERSON, '"person_id", "scanned_at"', HashBuckets("person_id")),
    # a grid cell's rows are a small part of each row group it reads: LZ4 decodes them ~1.4x faster than zstd
    # (the companions of one case at 1 M people: 1.6 s to 1.1 s), for files ~1.6x the size
    EventKind.locations: SecondOrder(BY_PLACE, '"tile", "start_at"', TileBands(), "lz4", (("tile", PLACE_TILE),)),
}
MARKER = "COMPLETE"
_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_EPOCH = date(1970, 1, 1)
_PART = re.compile(r"^part-(?P<batch>.+)-(?P<n>\d{3,})\.parquet$")


@dataclass(frozen=True)
class AppendResult:
    """What one append did: rows written, and rows left out because they were already stored."""

    added: int
    duplicates: int


def day_dir_name(day: date) -> str:
    return f"day={day.isoformat()}"


class ParquetLog:
    """The event log's directory: list its files, append a batch, compact a day, recover."""

    def __init__(self, events_dir: Path, tz: ZoneInfo) -> None:
        self.root = Path(events_dir)
        self.tz = tz

    # ---- reading -------------------------------------------------------------------------

    def kind_dir(self, kind: EventKind) -> Path:
        return self.root / kind.value

    def days(self, kind: EventKind) -> list[date]:
        """The days of `kind` that hold at least one file, in order."""
        found = []
        if not self.kind_dir(kind).is_dir():
            return found
        for entry in os.scandir(self.kind_dir(kind)):
            if entry.is_dir() and entry.name.startswith("day="):
                try:
                    day = date.fromisoformat(entry.name[4:])
                except ValueError:
                    continue
                if _day_files(Path(entry.path)):
                    found.append(day)
        return sorted(found)

    def files(self, kind: EventKind, days: list[date] | None = None) -> list[Path]:
        """The published Parquet files of `kind` (of `days` only, if given)."""
        wanted = self.days(kind) if days is None else days
        found: list[Path] = []
        for day in wanted:
            found.extend(_day_files(self.kind_dir(kind) / day_dir_name(day)))
        return found

    def copies_of(self, path: Path) -> list[Path]:
        """The second-order copies holding the rows of the published file `path` (none: not copied, or its kind
        has no second order): the bucket files of its day's copy named as it is (a day compacted into buckets
        is copied whole, every file of it under one name), or an older log's one copy under the same path."""
        relative = path.relative_to(self.root)
        second = SECOND_ORDER.get(EventKind(relative.parts[0]))
        if second is None:
            return []
        day = self.root / second.root / relative.parts[0] / relative.parts[1]
        if copies := sorted(day.glob(f"bucket=*/{glob_escape(path.name)}")):
            return copies
        legacy = self.root / second.root / relative
        return [legacy] if not in_bucket_folder(path) and legacy.is_file() else []

    def split_second_order(self, kind: EventKind, files: list[Path]) -> tuple[list[Path], list[Path]]:
        """`files` (from `files_in_second_order`) as (second-order copies, files not yet copied)."""
        copies = self.root / SECOND_ORDER[kind].root / kind.value
        return ([p for p in files if p.is_relative_to(copies)], [p for p in files if not p.is_relative_to(copies)])

    def files_in_second_order(self, kind: EventKind, days: list[date] | None = None) -> list[Path]:
        """The same rows as `files(kind, days)`: their second-order copies where compaction wrote them."""
        found: dict[Path, None] = {}  # in order, once: the bucket files of a day share their copies
        for path in self.files(kind, days):
            found.update(dict.fromkeys(self.copies_of(path) or [path]))
        return list(found)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold while reading files: no batch is half-moved into place meanwhile."""
        with self._lock(".publish.lock", fcntl.LOCK_SH):
            yield

    # ---- writing -------------------------------------------------------------------------

    def append(self, kind: EventKind, table: pa.Table, *, batch_id: str) -> AppendResult:
        """Write the rows of `table` not already stored (by the kind's natural key) as one atomic batch."""
        layout = LAYOUTS[EventKind(kind)]
        return self.append_rows(layout.kind, _conform(table, layout), batch_id=batch_id)

    def append_select(
        self, con: duckdb.DuckDBPyConnection, kind: EventKind, select: str, *, batch_id: str
    ) -> AppendResult:
        """Like `append`, for rows a SELECT on `con` gives: the kind's columns, typed, plus `_ord` (first wins)."""
        layout = LAYOUTS[EventKind(kind)]
        columns = ", ".join(_quote(c) for c in layout.columns)
        rows = con.sql(f"SELECT {columns} FROM ({select}) ORDER BY _ord").to_arrow_table()
        return self.append_rows(layout.kind, _conform(rows, layout), batch_id=batch_id)

    def append_rows(self, kind: EventKind, rows: pa.Table, *, batch_id: str) -> AppendResult:
        """Write `rows` (the kind's columns and types, earlier rows winning) not already stored, atomically."""
        with self.batch(kind, batch_id=batch_id) as batch:
            return batch.add(rows)

    @contextmanager
    def batch(self, kind: EventKind, *, batch_id: str) -> Iterator[BatchWriter]:
        """A batch added to chunk by chunk, published whole when the block ends (dropped if it raises).

        The log is held for writing meanwhile: rows are told apart from those already stored, and from
        the batch's own earlier chunks, without another writer in between.
        """
        layout = LAYOUTS[EventKind(kind)]
        _check_batch_id(batch_id)
        with self._lock(".write.lock", fcntl.LOCK_EX):
            self._recover_locked()
            stage = self.root / STAGING / batch_id
            shutil.rmtree(stage, ignore_errors=True)
            from ringfence.eventlog.staging import BatchWriter  # the staging module builds on this one

            writer = BatchWriter(self, layout, stage, batch_id)
            try:
                yield writer
                written = writer.finish()
            except BaseException:
                writer.abandon()
                shutil.rmtree(stage, ignore_errors=True)
                raise
            if written:
                _write_marker(stage, {"kind": layout.kind.value, "add": written, "remove": []})
                self._publish(stage)
            else:
                shutil.rmtree(stage, ignore_errors=True)

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection whose session zone is the log's: TIMESTAMPTZ → DATE gives the local day."""
        con = duckdb.connect()
        try:
            con.execute(f"SET TimeZone = '{self.tz.key}'")  # a ZoneInfo key, never feed text
            yield con
        finally:
            con.close()

    def compact(self, kind: EventKind, day: date) -> int:
        """Merge the files of one day into one sorted file (a kind with buckets: one a bucket, `buckets.py`),
        atomically; the files merged (0: the day was compacted already).

        Kinds with a second order (scans by person, locations by place) get the merged day's copy in the
        same batch, and the copies of the files merged go with them.
        """
        layout = LAYOUTS[EventKind(kind)]
        second = SECOND_ORDER.get(layout.kind)
        with self._lock(".write.lock", fcntl.LOCK_EX):
            self._recover_locked()
            parts = self.files(layout.kind, [day])
            if self._compacted(layout, parts):
                return 0
            batch_id = f"compact-{uuid.uuid4().hex[:12]}"
            stage = self.root / STAGING / batch_id
            folder = Path(layout.kind.value) / day_dir_name(day)
            # one file, sorted already (not to be cut into buckets): only its copy is missing
            kept = layout.buckets is None and len(parts) == 1
            name = parts[0].name if kept else f"part-{batch_id}-000.parquet"  # a day's copy is named as its files
            # once each: a day's bucket files share their copies
            removed = list(dict.fromkeys(p for part in parts for p in ([] if kept else [part]) + self.copies_of(part)))
            with self.connection() as con:
                con.read_parquet([str(p) for p in parts], hive_partitioning=False).create_view("day_parts")
                added = [] if kept else self._write_day(con, layout, folder, stage, name)
                if second is not None:
                    derived = "".join(f", {sql} AS {_quote(column)}" for column, sql in second.derived)
                    schema = second_order_file_schema(layout.kind, tuple(c for c, _ in second.derived))
                    added += _written(stage, write_buckets(
                        con, f"SELECT *{derived} FROM day_parts", bucket=second.buckets.sql(_rows(con)),
                        order=second.order, schema=schema,
                        folder=stage / "files" / second.root / folder, name=name, compression=second.compression,
                        dictionary=layout.repeated))
            _write_marker(stage, {"kind": layout.kind.value, "add": added,
                                  "remove": [str(p.relative_to(self.root)) for p in removed]})
            self._publish(stage)
            return len(parts)

    def _compacted(self, layout: KindLayout, parts: list[Path]) -> bool:
        """Whether the day's files are one compaction's, copied: nothing left to merge (an older log's day, with
        its one copy not cut into buckets, is not: compaction rewrites it)."""
        if not parts:
            return True
        copies = self.copies_of(parts[0])
        copied = layout.kind not in SECOND_ORDER or bool(copies and in_bucket_folder(copies[0]))
        if layout.buckets is None:
            return len(parts) == 1 and copied
        return len({p.name for p in parts}) == 1 and all(in_bucket_folder(p) for p in parts) and copied

    @staticmethod
    def _write_day(con: duckdb.DuckDBPyConnection, layout: KindLayout, folder: Path, stage: Path, name: str) -> list[str]:
        """The rows of `day_parts` sorted as one file, or as bucket files; their paths in the log."""
        order = ", ".join(_quote(c) for c in layout.sort_key)
        if layout.buckets is None:
            target = stage / "files" / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_to_parquet(con, f"SELECT * FROM day_parts ORDER BY {order}", target)
            return [str(folder / name)]
        return _written(stage, write_buckets(
            con, "SELECT * FROM day_parts", bucket=layout.buckets.sql(_rows(con)), order=order, schema=layout.schema,
            folder=stage / "files" / folder, name=name, dictionary=layout.repeated))

    def recover(self) -> list[str]:
        """Finish staged batches that have their marker, drop those that have none; the batches seen.

        Skipped while another writer holds the log: its staging area is in use, not abandoned.
        """
        if not (self.root / STAGING).is_dir():
            return []
        try:
            with self._lock(".write.lock", fcntl.LOCK_EX | fcntl.LOCK_NB):
                return self._recover_locked()
        except BlockingIOError:
            return []

    # ---- internals -----------------------------------------------------------------------

    def _recover_locked(self) -> list[str]:
        staging = self.root / STAGING
        if not staging.is_dir():
            return []
        seen = []
        for stage in sorted(p for p in staging.iterdir() if p.is_dir()):
            seen.append(stage.name)
            if (stage / MARKER).is_file():
                self._publish(stage)
            else:
                shutil.rmtree(stage, ignore_errors=True)
        return seen

    def _publish(self, stage: Path) -> None:
        """Move a marked batch into place; safe to repeat after a kill at any step."""
        manifest = json.loads((stage / MARKER).read_text(encoding="utf-8"))
        with self._lock(".publish.lock", fcntl.LOCK_EX):
            for relative in manifest["add"]:
                source, target = stage / "files" / relative, self.root / relative
                if source.exists():  # gone if a previous attempt already moved it
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
            for relative in manifest["remove"]:
                (self.root / relative).unlink(missing_ok=True)
                if in_bucket_folder(self.root / relative):
                    with suppress(OSError):  # a bucket folder left empty goes (one still holding files stays)
                        (self.root / relative).parent.rmdir()
        shutil.rmtree(stage, ignore_errors=True)

    def _next_part_number(self, kind: EventKind, day: date, batch_id: str) -> int:
        """Never overwrite a published file, even when a batch id comes back."""
        folder = self.kind_dir(kind) / day_dir_name(day)
        numbers = [
            int(match["n"])
            for path in (folder.glob(f"part-{glob_escape(batch_id)}-*.parquet") if folder.is_dir() else [])
            if (match := _PART.match(path.name)) and match["batch"] == batch_id
        ]
        return max(numbers, default=-1) + 1

    @contextmanager
    def _lock(self, name: str, mode: int) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / name, "a+b") as handle:
            fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _conform(table: pa.Table, layout: KindLayout) -> pa.Table:
    """The kind's columns in order and type; refuse anything else."""
    missing = [name for name in layout.columns if name not in table.column_names]
    if missing:
        raise InvalidInput(f"{layout.kind.value} rows lack the column {missing[0]!r}")
    try:
        arrays = [table.column(name).cast(layout.schema.field(name).type) for name in layout.columns]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(f"{layout.kind.value} rows do not fit the event log: {exc}") from None
    return pa.Table.from_arrays(arrays, schema=layout.schema)


def _day_files(folder: Path) -> list[Path]:
    """The Parquet files of one day's folder: appended ones, then the bucket files of a compacted day."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.parquet")) + sorted(folder.glob("bucket=*/*.parquet"))


def _rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM day_parts").fetchall()[0][0]


def _written(stage: Path, files: dict[int, Path]) -> list[str]:
    """Staged files' paths in the log."""
    return [str(path.relative_to(stage / "files")) for path in files.values()]


def _write_marker(stage: Path, manifest: dict) -> None:
    """The commit point of a batch: written whole (temp file, fsync, rename) or not at all."""
    temporary = stage / f"{MARKER}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, stage / MARKER)


def _check_batch_id(batch_id: str) -> None:
    if not _BATCH_ID.match(batch_id):
        raise InvalidInput(f"a batch id is letters, digits, '_', '.' or '-', not {batch_id!r}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
