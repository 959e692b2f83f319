"""Little worlds for event-log tests: a data home, its register snapshots, and rows of each kind."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.config import Settings
from ringfence.eventlog.kinds import LAYOUTS, REGISTER_SCHEMAS, EventKind, RegisterName
from ringfence.eventlog.store import register_path


def home_settings(tmp_path: Path, **values: object) -> Settings:
    """Settings of a fresh data home under `tmp_path` (no relational store needed)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return Settings(home=home, **values)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write_register(settings: Settings, name: RegisterName | str, rows: list[dict]) -> Path:
    """The snapshot `name` holding `rows` (missing columns are empty), as the register importer leaves it."""
    schema = REGISTER_SCHEMAS[RegisterName(name)]
    table = pa.Table.from_pylist([{f.name: row.get(f.name) for f in schema} for row in rows], schema=schema)
    path = register_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def events(kind: EventKind | str, rows: list[dict]) -> pa.Table:
    """Rows of `kind` as the store takes them (missing columns are empty)."""
    schema = LAYOUTS[EventKind(kind)].schema
    return pa.Table.from_pylist([{f.name: row.get(f.name) for f in schema} for row in rows], schema=schema)


def scans(*rows: tuple) -> pa.Table:
    """Scans from (person_id, venue_id, scanned_at[, left_at]) tuples."""
    return events(EventKind.scans, [
        {"person_id": r[0], "venue_id": r[1], "scanned_at": r[2], "left_at": r[3] if len(r) > 3 else None}
        for r in rows
    ])
