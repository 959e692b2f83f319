"""The shape of the views queries see: each kind's stored columns plus its partition column `day`."""

from __future__ import annotations

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


def duckdb_empty_select(schema: pa.Schema) -> str:
    """A SELECT of no rows with `schema`'s columns (our own fixed names, no user text)."""
    columns = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS "{f.name}"' for f in schema)
    return f"SELECT {columns} WHERE false"


def spark_ddl(schema: pa.Schema) -> str:
    """`schema` as a Spark DDL column list."""
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)
