"""The files of the event log: staged, all-or-nothing appends, recovery after a kill, compaction.

Layout under `events_dir`:

    <kind>/day=YYYY-MM-DD/part-<batch_id>-NNN.parquet   immutable, sorted by the kind's sort key
    …/<name>.parquet.ranges                             beside each file the log writes: its row groups' rows
                                                        and [min, max] of its first sort column (Arrow IPC,
                                                        `row_groups.write_ranges`), published and removed with it
    _by_person/scans/day=…/<same name>                   a compacted scans file again, sorted by person:
                                                        a case's own stays prune by person_id
    _by_place_key/locations/day=…/<same name>            a compacted locations file again, with its place
                                                        tile (0.01° of latitude by 0.01° of longitude,
                                                        `views.PLACE_TILE`) and sorted by it: the phones in
                                                        a grid cell prune by tile (LZ4); and each phone as
                                                        a number (`views.PHONE_KEY`)
    _staging/<batch_id>/files/<kind>/day=…/…            a batch being written
    _staging/<batch_id>/COMPLETE                        JSON manifest: files to add, files to remove
    .write.lock                                         one writer at a time (flock, freed by a kill)
    .publish.lock                                       readers share it; a writer moving files holds it alone

A batch becomes visible only once its COMPLETE manifest exists; `recover()` publishes a staged
batch that has one and deletes one that has not, so a writer killed at any point (even SIGKILL)
leaves either nothing or, after the next open, everything.

Every writer works through DuckDB (in-process) whatever the query engine is: the files are the
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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from ringfence.core.errors import InvalidInput
from ringfence.eventlog.kinds import LAYOUTS, EventKind, KindLayout
from ringfence.eventlog.parquet_files import copy_to_parquet
from ringfence.eventlog.row_groups import RANGES, ranges_path, write_ranges
from ringfence.eventlog.views import PHONE_KEY, PLACE_TILE

if TYPE_CHECKING:
    from ringfence.eventlog.staging import BatchWriter

STAGING = "_staging"
BY_PERSON = "_by_person"
# was "_by_place" before copies had their tile, "_by_tile" before they had their phone key: those are left
# unread (a compacted day without a copy under this name gets one at its next compaction)
BY_PLACE = "_by_place_key"


class SecondOrder(NamedTuple):
    """A kind compaction also writes in a second order (the same rows again, and `derived` columns)."""

    root: str
    order: tuple[str, ...]  # its sort columns: the first is what lookups of the copy name
    compression: str = "zstd"
    derived: tuple[tuple[str, str], ...] = ()  # (name, SQL over the stored columns): our own, never feed text


SECOND_ORDER: dict[EventKind, SecondOrder] = {
    EventKind.scans: SecondOrder(BY_PERSON, ("person_id", "scanned_at")),
    # a grid cell's rows are a small part of each row group it reads: LZ4 decodes them ~1.4x faster than zstd
    # (the companions of one case at 1 M people: 1.6 s to 1.1 s), for files ~1.6x the size
    EventKind.locations: SecondOrder(BY_PLACE, ("tile", "start_at"), "lz4_raw",
                                     (("tile", PLACE_TILE), ("phone_key", PHONE_KEY))),
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

    @staticmethod
    def day_of(path: Path) -> date:
        """The day a published file (or its copy) is filed under."""
        return date.fromisoformat(path.parent.name.removeprefix("day="))

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
                if any(name.endswith(".parquet") for name in os.listdir(entry.path)):
                    found.append(day)
        return sorted(found)

    def files(self, kind: EventKind, days: list[date] | None = None) -> list[Path]:
        """The published Parquet files of `kind` (of `days` only, if given)."""
        wanted = self.days(kind) if days is None else days
        found: list[Path] = []
        for day in wanted:
            folder = self.kind_dir(kind) / day_dir_name(day)
            if folder.is_dir():
                found.extend(sorted(folder.glob("*.parquet")))
        return found

    def second_copy(self, path: Path) -> Path | None:
        """Where the second-order copy of the published file `path` lies (None: its kind has none)."""
        relative = path.relative_to(self.root)
        second = SECOND_ORDER.get(EventKind(relative.parts[0]))
        return self.root / second.root / relative if second else None

    def split_second_order(self, kind: EventKind, files: list[Path]) -> tuple[list[Path], list[Path]]:
        """`files` (from `files_in_second_order`) as (second-order copies, files not yet copied)."""
        copies = self.root / SECOND_ORDER[kind].root / kind.value
        return ([p for p in files if p.is_relative_to(copies)], [p for p in files if not p.is_relative_to(copies)])

    def files_in_second_order(self, kind: EventKind, days: list[date] | None = None) -> list[Path]:
        """The same rows as `files(kind, days)`: each file's second-order copy where compaction wrote one."""
        found = []
        for path in self.files(kind, days):
            copy = self.second_copy(path)
            found.append(copy if copy is not None and copy.is_file() else path)
        return found

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
            con.execute("SET enable_progress_bar = false")  # the command shows its own progress, if any
            yield con
        finally:
            con.close()

    def compact(self, kind: EventKind, day: date) -> int:
        """Merge the part files of one day into one sorted file, atomically; the files merged.

        Kinds with a person order (scans) also get the merged file's by-person copy, in the same batch.
        """
        layout = LAYOUTS[EventKind(kind)]
        second = SECOND_ORDER.get(layout.kind)
        with self._lock(".write.lock", fcntl.LOCK_EX):
            self._recover_locked()
            parts = self.files(layout.kind, [day])
            copied = second is None or all(self.second_copy(p).is_file() for p in parts)
            if len(parts) < 2 and copied:
                self._add_missing_ranges(layout, parts)
                return len(parts)
            batch_id = f"compact-{uuid.uuid4().hex[:12]}"
            stage = self.root / STAGING / batch_id
            added: list[str] = []
            with self.connection() as con:
                source = con.read_parquet([str(p) for p in parts], hive_partitioning=False)
                source.create_view("day_parts")
                if len(parts) < 2:  # already one sorted file: only its by-person copy is missing
                    merged = parts[0]
                    removed: list[str] = []
                else:
                    relative = f"{layout.kind.value}/{day_dir_name(day)}/part-{batch_id}-000.parquet"
                    merged = self.root / relative
                    order = ", ".join(_quote(c) for c in layout.sort_key)
                    target = stage / "files" / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    copy_to_parquet(con, f"SELECT * FROM day_parts ORDER BY {order}", target)
                    added += _with_ranges(target, relative, layout.sort_key[0])
                    removed = [str(p.relative_to(self.root)) for p in parts]
                    if second is not None:
                        removed += [str(self.second_copy(p).relative_to(self.root)) for p in parts]
                    removed += [path + RANGES for path in removed]
                if second is not None:
                    copy = str(self.second_copy(merged).relative_to(self.root))
                    target = stage / "files" / copy
                    target.parent.mkdir(parents=True, exist_ok=True)
                    derived = "".join(f", {sql} AS {_quote(name)}" for name, sql in second.derived)
                    order = ", ".join(_quote(c) for c in second.order)
                    copy_to_parquet(con, f"SELECT *{derived} FROM day_parts ORDER BY {order}", target,
                                     compression=second.compression)
                    added += _with_ranges(target, copy, second.order[0])
            _write_marker(stage, {"kind": layout.kind.value, "add": added, "remove": removed})
            self._publish(stage)
            return len(parts)

    def _add_missing_ranges(self, layout: KindLayout, files: list[Path]) -> None:
        """Publish the ranges of `files` (and of their copies) that were written without them (before the log
        wrote ranges): a compacted day is otherwise never written again."""
        second = SECOND_ORDER.get(layout.kind)
        columns = [(path, layout.sort_key[0]) for path in files]
        if second is not None:
            columns += [(self.second_copy(path), second.order[0]) for path in files]
        missing = [(path, column) for path, column in columns if not ranges_path(path).is_file()]
        if not missing:
            return
        stage = self.root / STAGING / f"ranges-{uuid.uuid4().hex[:12]}"
        added = []
        for path, column in missing:
            relative = str(ranges_path(path).relative_to(self.root))
            (stage / "files" / relative).parent.mkdir(parents=True, exist_ok=True)
            if write_ranges(path, column, stage / "files" / relative) is not None:
                added.append(relative)
        if not added:  # no statistics to write down
            shutil.rmtree(stage, ignore_errors=True)
            return
        _write_marker(stage, {"kind": layout.kind.value, "add": added, "remove": []})
        self._publish(stage)

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


def _with_ranges(target: Path, relative: str, column: str) -> list[str]:
    """A file written to the stage, and its groups' ranges of `column` beside it (where it has statistics)."""
    written = write_ranges(target, column)
    return [relative] if written is None else [relative, relative + RANGES]


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
