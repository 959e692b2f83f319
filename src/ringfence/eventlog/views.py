"""The shape of the views queries see: each kind's stored columns plus its partition column `day`; the
second-order views (`scans_by_person`, `locations_by_place`) also carry their copies' derived columns."""

from __future__ import annotations

import math

import pyarrow as pa

from ringfence.eventlog.kinds import LAYOUTS, EventKind

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR", pa.float64(): "DOUBLE", pa.int64(): "BIGINT",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ", pa.date32(): "DATE",
}
_SPARK_TYPES = {
    pa.string(): "STRING", pa.float64(): "DOUBLE", pa.int64(): "BIGINT",
    pa.timestamp("us", tz="UTC"): "TIMESTAMP", pa.date32(): "DATE",
}


def event_view_schema(kind: EventKind) -> pa.Schema:
    """The columns of the view `kind`: the stored ones, then `day` (local day of the event time)."""
    return LAYOUTS[kind].schema.append(pa.field("day", pa.date32()))


# The place tile of a location row: its 0.01° band of latitude and 0.01° band of longitude (1.1 km by
# 0.9 km at 35° N) as one number. The by-place copy stores it and is sorted by it, so a join with the tiles a
# query wants prunes row groups tile by tile (DuckDB turns the join's keys into a filter on the scan).
# Plain arithmetic both engines compute alike; `tiles_covering` is the same in Python.
PLACE_TILE = "(CAST(floor(lat * 100) AS BIGINT) + 9000) * 100000 + CAST(floor(lon * 100) AS BIGINT) + 18000"


def tiles_covering(lon_lo: float, lat_lo: float, lon_hi: float, lat_hi: float) -> list[int]:
    """Every tile a point of the box [lo, hi] can be in (`PLACE_TILE` of its corners and what lies between)."""
    lats = range(math.floor(lat_lo * 100), math.floor(lat_hi * 100) + 1)
    lons = range(math.floor(lon_lo * 100), math.floor(lon_hi * 100) + 1)
    return [(lat + 9000) * 100000 + lon + 18000 for lat in lats for lon in lons]


def second_order_view_schema(kind: EventKind, derived: tuple[str, ...]) -> pa.Schema:
    """The view over a kind's second-order copies: the kind's view, then the copies' derived columns."""
    schema = event_view_schema(kind)
    for name in derived:
        schema = schema.append(pa.field(name, pa.int64()))
    return schema


def duckdb_empty_select(schema: pa.Schema) -> str:
    """A SELECT of no rows with `schema`'s columns (our own fixed names, no user text)."""
    columns = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS "{f.name}"' for f in schema)
    return f"SELECT {columns} WHERE false"


def spark_ddl(schema: pa.Schema) -> str:
    """`schema` as a Spark DDL column list."""
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)
