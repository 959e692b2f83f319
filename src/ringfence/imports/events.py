"""Import one feed file of a high-volume kind (scans, locations, samples, tube results, sentinel) into the event log.

The file is read in chunks of `CHUNK_ROWS` rows (memory is bounded by the chunk, not the file), each
chunk checked in Arrow and DuckDB (no Python loop per row), its invalid rows appended to the rejects
file and its valid rows staged in the event log; the batch is published whole at the end, or not at
all. A background thread reads the next chunk, another writes the last one's Parquet files, while
the main thread checks. Rules (DESIGN.md section 4):

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow.compute as pc

from ringfence.core.errors import RefusedFile
from ringfence.eventlog.kinds import LAYOUTS, EventKind, RegisterName, SiteKind, TubeResult
from ringfence.eventlog.parquet_log import ParquetLog
from ringfence.eventlog.store import register_path
from ringfence.imports.event_checks import REASON, Reference, checked_rows, prepare_lookups
from ringfence.imports.event_outputs import RejectsFile, ScreeningFlags, StepProgress
from ringfence.imports.feed_chunks import FeedChunks, prefetched
from ringfence.imports.schemas import PERSON_COLUMNS, FeedSpec

if TYPE_CHECKING:
    from ringfence.config import Settings

CHUNK_ROWS = 2_000_000  # rows checked and staged together; three chunks are in flight (read, checked, written)


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
    layout = LAYOUTS[kind]
    log = ParquetLog(settings.events_dir, settings.tz)
    log.recover()
    feed = FeedChunks(path, CHUNK_ROWS)
    person_column = _person_column(spec, feed.columns)
    rejects = RejectsFile(rejects_path, feed.columns)
    rows = accepted = duplicates = 0
    try:
        # The connection reads offset-less times in settings.tz, as the feed contract says.
        with StepProgress(progress, f"import {spec.kind.value}", feed.total) as bar, log.connection() as con:
            _bind_references(con, kind, settings, log)
            prepare_lookups(con, person_column=person_column, references=REFERENCES.get(kind, ()))
            flags = ScreeningFlags(con, kind)
            with log.batch(kind, batch_id=batch_id) as batch:
                for source in prefetched(iter(feed)):
                    checked = checked_rows(
                        con=con, kind=kind, source=source, checks=CHECKS[kind],
                        order_rules=ORDER_RULES.get(kind, ()), references=REFERENCES.get(kind, ()),
                        person_column=person_column, person_optional=spec.person_optional, tz=settings.tz,
                    )
                    reasons = checked.column(REASON)
                    valid = checked
                    if reasons.null_count < checked.num_rows:
                        rejects.add(con, source, checked)
                        valid = checked.filter(pc.is_null(reasons))
                    valid = valid.select(list(layout.columns))
                    flags.add(valid)
                    stored = batch.add(valid)
                    rows += source.num_rows
                    accepted += stored.added
                    duplicates += stored.duplicates
                    bar(feed.done)
                rejects.finish()  # in place before the batch is published, as before
            counts = flags.finish()
    except BaseException:
        rejects.discard()
        raise
    return EventImportCounts(
        rows=rows, accepted=accepted, rejected=rejects.count, duplicates=duplicates, **counts
    )


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


# ---- references ------------------------------------------------------------------------------


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
