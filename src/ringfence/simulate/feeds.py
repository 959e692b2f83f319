"""Feed files: one per kind, CSV or Parquet, streamed, byte-identical for the same data.

Parquet is written with fixed settings (zstd, fixed row groups, no statistics-dependent
options) by a background thread so encoding overlaps with simulating the next block; CSV
times are ISO 8601 with the +08:00 offset, Parquet times are timestamps in Asia/Shanghai.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ringfence.simulate.parameters import OutputFormat

TZ_NAME = "Asia/Shanghai"
LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai has kept +08:00 without DST since 1991
TIMESTAMP = pa.timestamp("s", tz=TZ_NAME)
HIGH_VOLUME = {"scans", "locations", "samples", "tube-results"}
ROW_GROUP = 1 << 20

# Column order of every kind (DESIGN.md section 4). A file names people by one column: samples and
# cases by id_number, because they name arrivals too, who are in no register the simulator writes
# (the platform registers them from arrivals.csv, keyed by their resident ID).
COLUMNS: dict[str, tuple[str, ...]] = {
    "areas": ("area_id", "parent_id", "level", "name", "geometry"),
    "buildings": ("building_id", "community_id", "address", "lon", "lat"),
    "people": ("person_id", "name", "id_number", "phone", "sex", "birth_date", "building_id", "household_id",
               "workplace_id", "key_group"),
    "venues": ("venue_id", "name", "kind", "lon", "lat", "building_id", "dwell_minutes"),
    "scans": ("person_id", "venue_id", "scanned_at", "left_at"),
    "locations": ("phone", "lon", "lat", "start_at", "end_at"),
    "cases": ("id_number", "classification", "confirmed_at", "onset_at", "sampled_at", "found_via"),
    "samples": ("sample_id", "id_number", "tube_id", "collected_at", "site_id", "round_id"),
    "tube-results": ("tube_id", "result", "reported_at", "lab_id", "ct"),
    "arrivals": ("id_number", "name", "phone", "origin", "origin_risk", "arrive_at", "mode", "reported_at",
                 "building_id"),
    "sentinel": ("site_id", "site_kind", "occurred_at", "category", "person_id", "count"),
    "facilities": ("facility_id", "name", "kind", "building_id"),
    "rooms": ("facility_id", "room_id", "capacity"),
    "enterprises": ("enterprise_id", "name", "building_id", "industry", "whitelisted", "closed_loop"),
}


@dataclass(frozen=True)
class FeedFile:
    """A file the simulation writes, and the feed kind it is imported as."""

    kind: str
    name: str  # file name without suffix: the kind's name (DESIGN.md section 5: one file per kind)


# Import order: registers first, then the events that refer to them; arrivals register the
# people that samples and cases name by id_number, so they come before those.
FILES: tuple[FeedFile, ...] = tuple(FeedFile(kind, kind) for kind in (
    "areas", "buildings", "venues", "people", "facilities", "rooms", "enterprises", "arrivals", "scans",
    "locations", "sentinel", "samples", "tube-results", "cases",
))


_TYPES = {
    "lon": pa.float64(), "lat": pa.float64(), "ct": pa.float64(), "birth_date": pa.date32(),
    "dwell_minutes": pa.int32(), "capacity": pa.int32(), "count": pa.int32(),
    "whitelisted": pa.bool_(), "closed_loop": pa.bool_(),
}


def file_schema(feed: FeedFile) -> pa.Schema:
    """The Arrow schema of a file: times are timestamps, ids and names strings."""
    return pa.schema([
        (c, TIMESTAMP if c.endswith("_at") else _TYPES.get(c, pa.string())) for c in COLUMNS[feed.kind]
    ])


@dataclass(frozen=True)
class Clock:
    """Turns hours from the first day's local midnight into timestamps."""

    start: date

    @property
    def epoch_seconds(self) -> int:
        local_midnight = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        return int((local_midnight - LOCAL_OFFSET).timestamp())

    def stamp(self, hours: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        seconds = self.epoch_seconds + np.round(np.asarray(hours, dtype=np.float64) * 3600).astype(np.int64)
        mask = None if valid is None else ~np.asarray(valid, dtype=bool)
        return pa.array(seconds, TIMESTAMP, mask=mask)

    def stamp_seconds(self, day: int, seconds_of_day: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        seconds = self.epoch_seconds + day * 86400 + np.asarray(seconds_of_day, dtype=np.int64)
        mask = None if valid is None else ~np.asarray(valid, dtype=bool)
        return pa.array(seconds, TIMESTAMP, mask=mask)


def _as_csv_table(table: pa.Table) -> pa.Table:
    """Timestamps as local ISO 8601 text with offset; everything else as pyarrow writes it."""
    columns = []
    for column, field in zip(table.columns, table.schema):
        if pa.types.is_timestamp(field.type):
            local = pc.add(column.cast(pa.int64()), int(LOCAL_OFFSET.total_seconds())).cast(pa.timestamp("s"))
            text = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S")
            column = pc.binary_join_element_wise(text, "+08:00", "")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


class FeedSink:
    """Open writers for every file; `write` queues a table, a worker thread encodes it."""

    def __init__(self, out: Path, output: OutputFormat) -> None:
        self.out = out
        self.output = output
        self.rows: dict[str, int] = {f.name: 0 for f in FILES}
        self.paths: dict[str, Path] = {}
        self.schemas = {f.name: file_schema(f) for f in FILES}
        self._writers: dict[str, object] = {}
        # scans encode on one thread, every other file on another: both cores stay busy
        self._queues = [queue.Queue(maxsize=3), queue.Queue(maxsize=3)]
        self._error: BaseException | None = None
        self._threads = [threading.Thread(target=self._work, args=(q,), name="feed-writer", daemon=True)
                         for q in self._queues]
        out.mkdir(parents=True, exist_ok=True)
        for feed in FILES:
            suffix = "parquet" if self._parquet(feed.kind) else "csv"
            self.paths[feed.name] = out / f"{feed.name}.{suffix}"
        for thread in self._threads:
            thread.start()

    def _parquet(self, kind: str) -> bool:
        return self.output == OutputFormat.parquet or (self.output == OutputFormat.auto and kind in HIGH_VOLUME)

    def write(self, name: str, table: pa.Table) -> None:
        """Queue rows for a file (columns in the file's order)."""
        if self._error is not None:
            raise self._error
        table = table.select(list(self.schemas[name].names)).cast(self.schemas[name])
        self.rows[name] += table.num_rows
        self._queues[0 if name == "scans" else 1].put((name, table))

    def _work(self, jobs: queue.Queue) -> None:
        while True:
            item = jobs.get()
            if item is None:
                return
            if self._error is not None:
                continue
            try:
                self._encode(*item)
            except BaseException as exc:  # noqa: BLE001 — re-raised in the simulating thread
                self._error = exc

    def _encode(self, name: str, table: pa.Table) -> None:
        path = self.paths[name]
        writer = self._writers.get(name)
        if path.suffix == ".parquet":
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd", coerce_timestamps="ms",
                                          allow_truncated_timestamps=False, write_statistics=True)
                self._writers[name] = writer
            writer.write_table(table, row_group_size=ROW_GROUP)
        else:
            text = _as_csv_table(table)
            if writer is None:
                writer = pacsv.CSVWriter(path, text.schema)
                self._writers[name] = writer
            writer.write_table(text)

    def close(self) -> None:
        """Flush everything; files that got no rows still get their header (or schema)."""
        for jobs, thread in zip(self._queues, self._threads):
            jobs.put(None)
            thread.join()
        if self._error is not None:
            raise self._error
        for name, schema in self.schemas.items():
            if name not in self._writers:
                self._encode(name, schema.empty_table())
        for writer in self._writers.values():
            writer.close()


def write_manifest(out: Path, document: dict) -> None:
    (out / "manifest.json").write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
