"""Reading feed files: CSV (UTF-8, header row), Parquet, and GeoJSON FeatureCollections (areas).

Every reader gives the header and then rows as text cells keyed by column, each with its line
in the original file (the header is line 1). Parquet rows and GeoJSON features have no lines:
their `line` is their ordinal + 1, so the same rows get the same numbers in any format.
A file that cannot be read as what its extension says is refused whole (RefusedFile).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ringfence.core.errors import RefusedFile

FORMATS = {".csv": "csv", ".parquet": "parquet", ".geojson": "geojson", ".json": "geojson"}
CSV_FIELD_LIMIT = 256 * 1024 * 1024  # a city's polygon in a geometry cell can be megabytes

Cells = dict[str, str | None]


@dataclass(frozen=True)
class SourceRow:
    """One row as the file holds it; `problem` is set when the row cannot even be split into columns."""

    line: int
    cells: Cells
    problem: str | None = None


class FeedReader:
    """The header, then the rows in chunks; `done`/`total` measure progress (bytes or rows)."""

    header: list[str]
    total: int

    def chunks(self, size: int) -> Iterator[list[SourceRow]]:
        raise NotImplementedError

    @property
    def done(self) -> int:
        raise NotImplementedError


def feed_format(path: Path) -> str:
    """csv, parquet or geojson, by the file's extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise RefusedFile(
            f"{path.name}: cannot read {path.suffix or 'files without an extension'}; "
            "use .csv, .parquet, or .geojson/.json (areas)"
        ) from None


def open_feed(path: Path) -> FeedReader:
    """A reader for `path`; refuses a missing, empty or unreadable file."""
    if not path.is_file():
        raise RefusedFile(f"{path}: no such file")
    kind = feed_format(path)
    if kind == "csv":
        return CsvReader(path)
    if kind == "parquet":
        return ParquetReader(path)
    return GeoJsonReader(path)


def read_header(path: Path) -> list[str]:
    """The column names of a feed file, in file order."""
    if feed_format(path) == "csv":
        if not path.is_file():
            raise RefusedFile(f"{path}: no such file")
        with _csv_rows(path) as (rows, _binary):
            return _header(path, rows)
    return open_feed(path).header


def not_utf8(path: Path) -> RefusedFile:
    return RefusedFile(f"{path.name} is not UTF-8 text (GBK or another encoding?): save it as UTF-8 and import again")


class _CsvHandle:
    def __init__(self, path: Path) -> None:
        self.binary = path.open("rb")
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8-sig", errors="strict", newline="")

    def __enter__(self) -> tuple[Iterator[list[str]], io.BufferedReader]:
        return csv.reader(self.text), self.binary

    def __exit__(self, *exc: object) -> None:
        self.text.close()


def _csv_rows(path: Path) -> _CsvHandle:
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    return _CsvHandle(path)


def _header(path: Path, rows: Iterator[list[str]]) -> list[str]:
    try:
        first = next(rows, None)
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    except csv.Error as exc:
        raise RefusedFile(f"{path.name}: line 1 is not CSV: {exc}") from None
    if not first or not any(name.strip() for name in first):
        raise RefusedFile(f"{path.name} is empty: a header row is needed")
    return _checked_header(path, [name.strip() for name in first])


def _checked_header(path: Path, header: list[str]) -> list[str]:
    seen: set[str] = set()
    for name in header:
        if not name:
            raise RefusedFile(f"{path.name}: the header has an empty column name")
        if name in seen:
            raise RefusedFile(f"{path.name}: column {name} appears twice in the header")
        seen.add(name)
    return header


class CsvReader(FeedReader):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = path.stat().st_size
        self._binary: io.BufferedReader | None = None
        self.header = read_header(path)

    @property
    def done(self) -> int:
        return self._binary.tell() if self._binary is not None and not self._binary.closed else 0

    def chunks(self, size: int) -> Iterator[list[SourceRow]]:
        width = len(self.header)
        with _csv_rows(self.path) as (rows, binary):
            self._binary = binary
            _header(self.path, rows)
            chunk: list[SourceRow] = []
            last_line = 1
            while True:
                try:
                    fields = next(rows, None)
                except UnicodeDecodeError:
                    raise not_utf8(self.path) from None
                except csv.Error as exc:
                    # only NUL bytes or an unterminated quote at the end get here: the file is broken
                    raise RefusedFile(f"{self.path.name}: line {last_line + 1} is not CSV: {exc}") from None
                if fields is None:
                    break
                line, last_line = last_line + 1, rows.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip() and width > 1):
                    continue  # blank lines carry no row
                if len(fields) != width:
                    cells = dict(zip(self.header, fields + [None] * (width - len(fields)), strict=False))
                    problem = f"has {len(fields)} fields, the header has {width}"
                    chunk.append(SourceRow(line, cells, problem))
                else:
                    chunk.append(SourceRow(line, dict(zip(self.header, fields, strict=True))))
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk


def cell_text(value: Any) -> str | None:
    """A typed Parquet/JSON value as the text a CSV would carry (naive times stay naive: local)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class ParquetReader(FeedReader):
    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # noqa: BLE001 — pyarrow raises ArrowInvalid, OSError, …
            raise RefusedFile(f"{path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}") from None
        self.header = _checked_header(path, list(self._file.schema_arrow.names))
        self.total = self._file.metadata.num_rows
        self._done = 0

    @property
    def done(self) -> int:
        return self._done

    def chunks(self, size: int) -> Iterator[list[SourceRow]]:
        line = 1
        try:
            for batch in self._file.iter_batches(batch_size=size):
                columns = {name: batch.column(name).to_pylist() for name in self.header}
                chunk = []
                for index in range(batch.num_rows):
                    line += 1
                    chunk.append(SourceRow(line, {name: cell_text(columns[name][index]) for name in self.header}))
                self._done += batch.num_rows
                yield chunk
        except UnicodeDecodeError:
            raise not_utf8(self.path) from None


class GeoJsonReader(FeedReader):
    """A FeatureCollection: each feature's properties are the columns, its geometry the `geometry` cell."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            document = json.loads(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise not_utf8(path) from None
        except ValueError as exc:
            raise RefusedFile(f"{path.name} is not JSON: {exc}") from None
        is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
        features = document.get("features") if is_collection else None
        if not isinstance(features, list):
            raise RefusedFile(f"{path.name} is not a GeoJSON FeatureCollection")
        names: dict[str, None] = {}
        for feature in features:
            properties = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(properties, dict):
                names.update(dict.fromkeys(properties))
        names.pop("geometry", None)
        self.header = [*names, "geometry"]
        self._features = features
        self.total = len(features)
        self._done = 0

    @property
    def done(self) -> int:
        return self._done

    def chunks(self, size: int) -> Iterator[list[SourceRow]]:
        chunk: list[SourceRow] = []
        for index, feature in enumerate(self._features):
            line = index + 2
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                chunk.append(SourceRow(line, dict.fromkeys(self.header), "is not a GeoJSON Feature"))
            else:
                properties = feature.get("properties")
                properties = properties if isinstance(properties, dict) else {}
                cells = {name: cell_text(properties.get(name)) for name in self.header[:-1]}
                cells["geometry"] = cell_text(feature.get("geometry"))
                chunk.append(SourceRow(line, cells))
            self._done = index + 1
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
