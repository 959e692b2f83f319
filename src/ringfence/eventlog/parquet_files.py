"""How the event log's Parquet files are written: a batch's sorted day by pyarrow, a query's rows by DuckDB.

Both write what the readers expect: zstd (unless a second order says otherwise), no Arrow schema, and
row groups of `ROW_GROUP_ROWS`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ringfence.eventlog.kinds import KindLayout

# Every event file is sorted and read by key: a venue's, a person's or a place's rows. Small groups let a
# lookup of a few keys skip all but a few thousand rows of each day (a 70 M-row day: ~4,300 groups),
# whether the day came in one batch or was compacted from many.
ROW_GROUP_ROWS = 16_384


def write_parquet(rows: pa.Table, layout: KindLayout, target: Path) -> None:
    """One sorted day of a batch as the log's Parquet (what DuckDB's COPY writes: no Arrow schema kept).

    Dictionary-encoded text is written as the column's dictionary, the same text column on disk: each row
    group with the entries its rows use. (Written whole, every group would carry the batch's dictionary:
    an 8 M city's day of scans has 200 k venues, 1.9 MB in each group of 16 k rows, 3/4 of the file.)
    """
    schema = pa.schema([
        rows.schema.field(f.name) if pa.types.is_dictionary(rows.schema.field(f.name).type) else f
        for f in layout.schema
    ])
    rows = rows.cast(schema)
    with pq.ParquetWriter(target, schema, compression="zstd", store_schema=False,
                          use_dictionary=list(layout.repeated)) as writer:
        for start in range(0, max(rows.num_rows, 1), ROW_GROUP_ROWS):  # no rows: one empty group
            group = rows.slice(start, ROW_GROUP_ROWS)
            writer.write_table(pa.Table.from_arrays([
                used_entries(c.combine_chunks()) if pa.types.is_dictionary(c.type) else c for c in group.columns
            ], schema=schema), row_group_size=ROW_GROUP_ROWS)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())


def used_entries(values: pa.DictionaryArray) -> pa.DictionaryArray:
    """The same values, with a dictionary of only the entries they use."""
    if values.null_count == len(values):
        return pa.DictionaryArray.from_arrays(values.indices, values.dictionary.slice(0, 0))
    codes = pc.fill_null(values.indices, pc.min(values.indices)).to_numpy()  # a null's code: one in use
    used, indices = np.unique(codes, return_inverse=True)
    mask = values.indices.is_null().to_numpy(zero_copy_only=False) if values.null_count else None
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(values.type.index_type.to_pandas_dtype()), mask=mask),
        values.dictionary.take(pa.array(used)))


def copy_to_parquet(
    con: duckdb.DuckDBPyConnection, select: str, target: Path, *, compression: str = "zstd", **params: object,
) -> None:
    """`compression` is ours (a `SecondOrder`'s), never feed text."""
    path = str(target).replace("'", "''")  # our own path, never feed data
    con.execute(
        f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION {compression}, "
        f"ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
        params or None,
    )
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
