"""Writing the event log's Parquet files: an appended day, a compacted day whole, or cut into bucket files.

Every file is what DuckDB's COPY writes (no Arrow schema kept, times as UTC instants), in row groups of
`ROW_GROUP_ROWS`, and synced before its batch is marked complete.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# Every event file is sorted and read by key: a venue's, a person's or a place's rows. Small groups let a
# lookup of a few keys skip all but a few thousand rows of each day (a 70 M-row day: ~4,300 groups),
# whether the day came in one batch or was compacted from many.
ROW_GROUP_ROWS = 16_384
_STREAM_ROWS = 32 * ROW_GROUP_ROWS  # rows fetched at once while cutting a day into buckets


def write_table(rows: pa.Table, schema: pa.Schema, target: Path, *, compression: str = "zstd",
                dictionary: tuple[str, ...] = ()) -> None:
    """`rows` as one file of `schema`'s columns (`dictionary`: text columns written dictionary-encoded).

    Dictionary-encoded text is written as the column's dictionary, the same text column on disk.
    """
    schema = pa.schema([
        rows.schema.field(f.name) if pa.types.is_dictionary(rows.schema.field(f.name).type) else f for f in schema
    ])
    pq.write_table(rows.select(schema.names).cast(schema), target, compression=compression,
                   row_group_size=ROW_GROUP_ROWS, store_schema=False, use_dictionary=list(dictionary))
    _sync(target)


def copy_to_parquet(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    """The rows of `select` (our own SQL, never feed text), in its order, as one file."""
    path = str(target).replace("'", "''")  # our own path, never feed data
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
    _sync(target)


def write_buckets(
    con: duckdb.DuckDBPyConnection, select: str, *, bucket: str, order: str, schema: pa.Schema, folder: Path,
    name: str, compression: str = "zstd", dictionary: tuple[str, ...] = (),
) -> dict[int, Path]:
    """The rows of `select` cut by `bucket` (SQL over its columns) into `folder/bucket=N/name`, each file sorted
    by `order`; the files written, by bucket. All SQL here is our own, never feed text.

    The rows stream in bucket order (DuckDB's partitioned COPY does not keep the order within a file).
    """
    relation = con.sql(f"SELECT * FROM (SELECT *, {bucket} AS _bucket FROM ({select})) ORDER BY _bucket, {order}")
    written: dict[int, Path] = {}
    writer: pq.ParquetWriter | None = None
    try:
        for batch in _batches(relation):
            buckets = batch.column("_bucket").to_numpy()
            cuts = [0, *(np.flatnonzero(np.diff(buckets)) + 1).tolist(), len(buckets)]
            for start, stop in itertools.pairwise(cuts):
                value = int(buckets[start])
                if value not in written:
                    _close(writer, written)
                    target = folder / f"bucket={value}" / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    writer = pq.ParquetWriter(target, schema, compression=compression, store_schema=False,
                                              use_dictionary=list(dictionary))
                    written[value] = target
                rows = pa.Table.from_batches([batch.slice(start, stop - start)]).select(schema.names).cast(schema)
                writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)
    finally:
        _close(writer, written)
    return written


def _batches(relation: duckdb.DuckDBPyRelation) -> Iterator[pa.RecordBatch]:
    """The relation's rows streamed in order, read to the end (nothing else runs on its connection meanwhile)."""
    with relation.to_arrow_reader(batch_size=_STREAM_ROWS) as reader:
        yield from reader


def _close(writer: pq.ParquetWriter | None, written: dict[int, Path]) -> None:
    """Finish the file being written (the last one in `written`)."""
    if writer is not None:
        writer.close()
        _sync(list(written.values())[-1])


def _sync(target: Path) -> None:
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
