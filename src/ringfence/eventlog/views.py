"""The shape of the views queries see: each kind's stored columns plus its partition column `day`; the
second-order views (`scans_by_person`, `locations_by_place`) also carry their copies' derived columns."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc

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


# A phone as a number, for the by-place copy: the engines read, compare and hash it several times faster than
# its text (half of a grid cell's read was the phone column). Digits only (up to 17) are '1' and the digits,
# so a leading zero stays; '+' and up to 17 digits are '2' and the digits; any other text has none (NULL): it
# is no register's phone, the register keeps phones in those two forms (`people.rules.normalise_phone`).
# Plain SQL both engines compute alike (`translate` deletes the characters it has no counterpart for);
# `phone_key` and `phone_of_key` are the same in Python.
PHONE_KEY = (
    "CASE WHEN length(phone) BETWEEN 1 AND 17 AND translate(phone, '0123456789', '') = '' "
    "THEN CAST('1' || phone AS BIGINT) "
    "WHEN length(phone) BETWEEN 2 AND 18 AND substr(phone, 1, 1) = '+' "
    "AND translate(substr(phone, 2), '0123456789', '') = '' THEN CAST('2' || substr(phone, 2) AS BIGINT) END"
)
_ASCII_DIGITS = frozenset("0123456789")


def phone_key(phone: str | None) -> int | None:
    """`PHONE_KEY` of one phone."""
    if not phone:
        return None
    plus, digits = (True, phone[1:]) if phone.startswith("+") else (False, phone)
    if not 1 <= len(digits) <= 17 or not set(digits) <= _ASCII_DIGITS:
        return None
    return int(("2" if plus else "1") + digits)


def phone_of_key(keys: pa.Array) -> pa.Array:
    """The phones of `PHONE_KEY` values, column-wise."""
    text = pc.cast(keys, pa.string())
    digits = pc.utf8_slice_codeunits(text, 1)
    return pc.if_else(pc.starts_with(text, "2"), pc.binary_join_element_wise("+", digits, ""), digits)


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
