"""What the event log stores: the columns of every event kind and register snapshot, and their keys.

Times are stored as UTC instants (Parquet `TIMESTAMP(isAdjustedToUTC=true)`, microseconds): DuckDB
reads them as TIMESTAMPTZ, Spark as TIMESTAMP (session zone UTC), pyarrow as timestamp[us, tz=UTC].
Files are partitioned by the local day (settings.tz) of `day_column`, which readers see as a DATE
column `day`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa

UTC_TIME = pa.timestamp("us", tz="UTC")


class EventKind(StrEnum):
    scans = "scans"
    locations = "locations"
    samples = "samples"
    tube_results = "tube_results"
    sentinel = "sentinel"


class TubeResult(StrEnum):
    negative = "negative"
    positive = "positive"
    invalid = "invalid"


class SiteKind(StrEnum):
    pharmacy = "pharmacy"
    fever_clinic = "fever_clinic"


@dataclass(frozen=True)
class KindLayout:
    """How one kind lies on disk: its columns, the time that picks its day, its sort and natural keys."""

    kind: EventKind
    schema: pa.Schema
    day_column: str
    sort_key: tuple[str, ...]
    natural_key: tuple[str, ...]  # rows equal on these are the same event (NULLs compare equal)
    # text columns with few distinct values, dictionary-encoded on disk; the others are written plain
    # (hashing a person id per row to find a 1-M-entry dictionary too big to use costs the writer half its time)
    repeated: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.schema.names)


LAYOUTS: dict[EventKind, KindLayout] = {
    layout.kind: layout
    for layout in [
        KindLayout(
            EventKind.scans,
            pa.schema([
                ("person_id", pa.string()), ("venue_id", pa.string()),
                ("scanned_at", UTC_TIME), ("left_at", UTC_TIME),
            ]),
            day_column="scanned_at",
            sort_key=("venue_id", "scanned_at"),
            natural_key=("person_id", "venue_id", "scanned_at"),
            repeated=("venue_id",),
        ),
        KindLayout(
            EventKind.locations,
            pa.schema([
                ("phone", pa.string()), ("lon", pa.float64()), ("lat", pa.float64()),
                ("start_at", UTC_TIME), ("end_at", UTC_TIME),
            ]),
            day_column="start_at",
            sort_key=("phone", "start_at"),
            natural_key=("phone", "start_at", "end_at", "lon", "lat"),
        ),
        KindLayout(
            EventKind.samples,
            pa.schema([
                ("sample_id", pa.string()), ("person_id", pa.string()), ("tube_id", pa.string()),
                ("collected_at", UTC_TIME), ("site_id", pa.string()), ("round_id", pa.string()),
            ]),
            day_column="collected_at",
            sort_key=("tube_id", "collected_at"),
            natural_key=("sample_id",),
            repeated=("site_id", "round_id"),
        ),
        KindLayout(
            EventKind.tube_results,
            pa.schema([
                ("tube_id", pa.string()), ("result", pa.string()), ("reported_at", UTC_TIME),
                ("lab_id", pa.string()), ("ct", pa.float64()),
            ]),
            day_column="reported_at",
            sort_key=("tube_id", "reported_at"),
            natural_key=("tube_id", "result", "reported_at"),
            repeated=("result", "lab_id"),
        ),
        KindLayout(
            EventKind.sentinel,
            pa.schema([
                ("site_id", pa.string()), ("site_kind", pa.string()), ("occurred_at", UTC_TIME),
                ("category", pa.string()), ("person_id", pa.string()), ("count", pa.int64()),
            ]),
            day_column="occurred_at",
            sort_key=("site_id", "occurred_at"),
            natural_key=("site_id", "site_kind", "occurred_at", "category", "person_id", "count"),
            repeated=("site_id", "site_kind", "category"),
        ),
    ]
}


class RegisterName(StrEnum):
    people = "people"
    venues = "venues"
    buildings = "buildings"
    areas = "areas"


# The register snapshots (settings.home / "registers" / "<name>.parquet") written by the register
# importer; a missing snapshot reads as an empty table with these columns.
REGISTER_SCHEMAS: dict[RegisterName, pa.Schema] = {
    RegisterName.people: pa.schema([
        ("person_id", pa.string()), ("id_number", pa.string()), ("phone", pa.string()),
        ("building_id", pa.string()), ("household_id", pa.string()), ("workplace_id", pa.string()),
        ("key_group", pa.string()),
    ]),
    RegisterName.venues: pa.schema([
        ("venue_id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
        ("lon", pa.float64()), ("lat", pa.float64()), ("building_id", pa.string()),
        ("dwell_minutes", pa.int64()),
    ]),
    RegisterName.buildings: pa.schema([
        ("building_id", pa.string()), ("community_id", pa.string()), ("address", pa.string()),
        ("lon", pa.float64()), ("lat", pa.float64()),
    ]),
    RegisterName.areas: pa.schema([
        ("area_id", pa.string()), ("parent_id", pa.string()), ("level", pa.string()),
        ("name", pa.string()), ("path", pa.string()),
    ]),
}
