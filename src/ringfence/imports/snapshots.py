"""Register snapshots the event log reads: `<home>/registers/<name>.parquet`, replaced whole.

Streamed from the store in batches (12.6 M people never sit in memory at once), written to a
temporary file and moved into place, so a reader sees the old snapshot or the new, never half.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Enum, String, select, type_coerce
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.config import Settings
from ringfence.eventlog import people_index
from ringfence.people.models import Person
from ringfence.venues.models import Venue

BATCH_ROWS = 100_000

_TEXT, _FLOAT, _INT = pa.string(), pa.float64(), pa.int64()

SNAPSHOTS: dict[str, tuple[type, list[tuple[str, pa.DataType]]]] = {
    "people": (Person, [
        ("person_id", _TEXT), ("id_number", _TEXT), ("phone", _TEXT), ("building_id", _TEXT),
        ("household_id", _TEXT), ("workplace_id", _TEXT), ("key_group", _TEXT),
    ]),
    "venues": (Venue, [
        ("venue_id", _TEXT), ("name", _TEXT), ("kind", _TEXT), ("lon", _FLOAT), ("lat", _FLOAT),
        ("building_id", _TEXT), ("dwell_minutes", _INT),
    ]),
    "buildings": (Building, [
        ("building_id", _TEXT), ("community_id", _TEXT), ("address", _TEXT), ("lon", _FLOAT), ("lat", _FLOAT),
    ]),
    "areas": (Area, [("area_id", _TEXT), ("parent_id", _TEXT), ("level", _TEXT), ("name", _TEXT), ("path", _TEXT)]),
}


def snapshot_path(settings: Settings, name: str) -> Path:
    return settings.home / "registers" / f"{name}.parquet"


def refresh(*, session: Session, settings: Settings, names: Iterable[str]) -> list[Path]:
    """Rewrite the named snapshots (people, venues, buildings, areas) from the store; their paths."""
    return [_write(session, settings, name) for name in names]


def _write(session: Session, settings: Settings, name: str) -> Path:
    model, columns = SNAPSHOTS[name]
    schema = pa.schema([pa.field(column, kind) for column, kind in columns])
    table = model.__table__
    # enums come back as their text: the snapshot is plain columns for DuckDB and Spark
    selected = [
        type_coerce(table.c[column], String).label(column) if isinstance(table.c[column].type, Enum) else table.c[column]
        for column, _ in columns
    ]
    query = select(*selected).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH_ROWS)

    target = snapshot_path(settings, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for rows in session.execute(query).partitions():
                arrays = [pa.array(values, type=kind) for values, (_, kind) in zip(zip(*rows), columns)]
                writer.write_batch(pa.record_batch(arrays, schema=schema))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    if name == "people":  # tracing reads households and phones through it: build it now, not at the first trace
        people_index.open_index(target)
    return target
