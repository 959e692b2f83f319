"""Buckets: compaction cuts a day of scans or locations (and their second-order copies) into files by a bucket
of the key they are sorted by, in folders `bucket=N` under the day.

A query for a few keys names their buckets (`list_contains($buckets, bucket)`) and both engines then open only
those files: a Parquet reader pays ~10 µs for every row group it checks against a filter, so a 12.6 M city's
day (4,000+ row groups) costs ~40 ms a lookup unbucketed. Files appended and not yet compacted lie directly
under the day, with no bucket (NULL): queries read them whatever the keys (`in_buckets`).

* By key (`HashBuckets`): the first 32 bits of the MD5 of the key's text, modulo the day's count of buckets, a
  power of two that grows with the day (`bucket_count`: ~1 M rows a file, 1 to 64 files), written as
  `count * 100 + remainder` so that days cut into different counts can be asked for at once (`of` gives, for
  each key, its bucket at every count). MD5 is the same in Python and in DuckDB, which writes the files.
* By place (`TileBands`): the place tile's band of latitude (`tile // 100000`, 0.01°), so the neighbouring
  cells of a case fall in the same few files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BUCKET_ROWS = 1_000_000  # a compacted day is cut into files of about this many rows
MAX_BUCKETS = 64
_COUNTS = tuple(2**n for n in range(MAX_BUCKETS.bit_length()))  # 1, 2, 4 … 64


def bucket_count(rows: int) -> int:
    """How many buckets a compacted day of `rows` rows is cut into: a power of two, at most `MAX_BUCKETS`."""
    count = 1
    while count < MAX_BUCKETS and rows > count * BUCKET_ROWS:
        count *= 2
    return count


@dataclass(frozen=True)
class HashBuckets:
    """Buckets by the MD5 of a text column (a NULL key counts as empty text)."""

    column: str

    def sql(self, rows: int) -> str:
        """The bucket of a row, in DuckDB's SQL (our own text, never feed data), for a day of `rows` rows."""
        count = bucket_count(rows)
        digest = f"""md5(coalesce("{self.column}", ''))"""
        return f"({count * 100} + CAST(('0x' || left({digest}, 8)) AS UBIGINT) % {count})"

    def of(self, keys: Iterable[str | None]) -> list[int]:
        """Every bucket one of `keys` can be in, whatever count its day was cut into."""
        found = set()
        for key in set(keys):
            number = int(hashlib.md5((key or "").encode()).hexdigest()[:8], 16)
            found.update(count * 100 + number % count for count in _COUNTS)
        return sorted(found)


@dataclass(frozen=True)
class TileBands:
    """Buckets by the band of latitude of the place tile (`views.PLACE_TILE`): one file per 0.01° band."""

    column: str = "tile"

    def sql(self, rows: int) -> str:
        return f'("{self.column}" // 100000)'

    def of(self, tiles: Iterable[int]) -> list[int]:
        return sorted({tile // 100000 for tile in tiles})


Buckets = HashBuckets | TileBands


def in_bucket_folder(path: Path) -> bool:
    """Whether an event file lies in a bucket's folder (a compacted day's), not directly under its day."""
    return path.parent.name.startswith("bucket=")


def in_buckets(alias: str, param: str) -> str:
    """SQL: a row of `alias` lies in one of the buckets `$param`, or in a file not cut into buckets."""
    return f"({alias}.bucket IS NULL OR list_contains(${param}, {alias}.bucket))"
