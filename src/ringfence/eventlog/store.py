"""The event log's interface: append batches of events, query them with SQL, compact a day.

SQL is written once, in DuckDB's dialect, over views named after the event kinds (`scans`,
`locations`, `samples`, `tube_results`, `sentinel`, each with a DATE column `day`, the local day
of its event time) and the register snapshots (`people`, `venues`, `buildings`, `areas`).
`scans_by_person` holds the rows of `scans`, read from the by-person copies compaction writes where
they exist: a filter on person_id there reads one row group per day instead of the whole day;
`locations_by_place` likewise holds `locations` sorted by place tile (`tile`, see `views.PLACE_TILE`), for joins on tiles.
Parameters are named (`$start`) with a dict, or positional (`?`) with a list; values are bound by
the engine, never pasted into the text. Times come back as UTC instants. A query may also read small
tables of the caller's (`tables={"case_windows": arrow_table}`), bound as views for that query only:
a batch's thousand case windows go in as rows, not as thousands of parameters.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa

from ringfence.eventlog.kinds import EventKind, RegisterName
from ringfence.eventlog.parquet_log import AppendResult, ParquetLog
from ringfence.eventlog.row_groups import KeyLookup

if TYPE_CHECKING:
    from ringfence.config import Settings

Params = Mapping[str, Any] | Sequence[Any] | None
Tables = Mapping[str, pa.Table] | None
Lookups = Mapping[str, KeyLookup] | None
BY_PERSON_VIEW = "scans_by_person"
BY_PLACE_VIEW = "locations_by_place"

__all__ = [
    "BY_PERSON_VIEW", "BY_PLACE_VIEW", "AppendResult", "EventStore", "KeyLookup", "Lookups", "Params", "Tables",
    "open_store", "register_path",
]


def register_path(settings: Settings, name: RegisterName | str) -> Path:
    """Where the register importer leaves the snapshot `name` (people, venues, buildings, areas)."""
    return settings.home / "registers" / f"{RegisterName(name).value}.parquet"


class EventStore(ABC):
    """One event log on disk, read by one engine. Opening it finishes any interrupted batch."""

    engine_name: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.log = ParquetLog(settings.events_dir, settings.tz)
        self.log.recover()

    def append(self, kind: EventKind | str, table: pa.Table, *, batch_id: str) -> AppendResult:
        """Store the rows not already stored, as one all-or-nothing batch; how many were added and skipped."""
        return self.log.append(EventKind(kind), table, batch_id=batch_id)

    def compact(self, kind: EventKind | str, day: date) -> int:
        """Merge one day's part files into one sorted file; the number of files merged."""
        return self.log.compact(EventKind(kind), day)

    def compact_all(self, kind: EventKind | str) -> dict[date, int]:
        """Compact every day of `kind`; the files merged per day."""
        return {day: self.compact(kind, day) for day in self.days(kind)}

    def recover(self) -> list[str]:
        """Finish or drop batches a killed writer left staged; their ids."""
        return self.log.recover()

    def days(self, kind: EventKind | str) -> list[date]:
        """The local days that hold events of `kind`."""
        return self.log.days(EventKind(kind))

    @abstractmethod
    def query(self, sql: str, params: Params = None, *, tables: Tables = None, lookups: Lookups = None) -> pa.Table:
        """Run one DuckDB-dialect SELECT over the event and register views (and `tables`); the rows as Arrow.

        `lookups` (view name -> `KeyLookup`) hints that the query reads those views only at some keys on some
        days: an engine may read just their rows' row groups; the query filters by them itself."""

    def close(self) -> None:
        """Free what the engine holds; the store can't be queried afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- shared by the engines -----------------------------------------------------------

    def event_sources(self) -> dict[EventKind, list[Path]]:
        """The published files of every kind right now."""
        return {kind: self.log.files(kind) for kind in EventKind}

    def by_person_sources(self) -> list[Path]:
        """The scans files for the view `scans_by_person`: the same rows, by-person copies where there are."""
        return self.log.files_in_second_order(EventKind.scans)

    def by_place_sources(self) -> list[Path]:
        """The locations files for the view `locations_by_place`: the same rows, by-place copies where there are."""
        return self.log.files_in_second_order(EventKind.locations)

    def register_sources(self) -> dict[RegisterName, Path | None]:
        """The register snapshots present right now (None: read as empty)."""
        found = {}
        for name in RegisterName:
            path = register_path(self.settings, name)
            found[name] = path if path.is_file() else None
        return found


def open_store(settings: Settings) -> EventStore:
    """The event store of `settings.event_engine` ("duckdb" by default, or "spark")."""
    if settings.event_engine == "spark":
        from ringfence.eventlog.spark_store import SparkEventStore

        return SparkEventStore(settings)
    from ringfence.eventlog.duckdb_store import DuckDBEventStore

    return DuckDBEventStore(settings)
