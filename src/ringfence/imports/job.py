"""What one import run carries through its rows: the reader, the counts and the rejects file."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from ringfence.config import Settings
from ringfence.imports.reading import FeedReader, SourceRow
from ringfence.imports.schemas import FeedSpec

CHUNK_ROWS = 5_000  # rows validated, looked up and written together; bounds every IN (…) list


@dataclass
class Tally:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    people_created: int = 0  # people first met in a cases/arrivals feed
    # screening flags on valid rows of the lab's kinds (None: the kind does not count them)
    pending_tube: int | None = None  # samples whose tube has no result yet
    conflicting: int | None = None  # tube results contradicting another result of their tube


class RejectsFile:
    """`line,reason,<original columns>`: written beside its final name, moved there by `finish`."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self._partial = path.with_name(f".{path.name}.part")
        self._handle: IO[str] | None = None
        self._writer = None
        self.count = 0

    def write(self, row: SourceRow, reason: str) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self._partial.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["line", "reason", *self.header])
        one_line = " ".join(reason.split())
        self._writer.writerow([row.line, one_line, *(row.cells.get(c) or "" for c in self.header)])
        self.count += 1

    def finish(self) -> Path | None:
        """The rejects file in its place, or None when no row was rejected."""
        if self._handle is None:
            return None
        self._handle.close()
        os.replace(self._partial, self.path)
        return self.path

    def discard(self) -> None:
        """The import failed: no rejects file is left behind for a batch that was never recorded."""
        if self._handle is not None:
            self._handle.close()
            self._partial.unlink(missing_ok=True)
            self.path.unlink(missing_ok=True)


@dataclass
class Job:
    """One file being imported inside the entry point's transaction."""

    session: Session
    settings: Settings
    spec: FeedSpec
    reader: FeedReader
    rejects: RejectsFile
    person_column: str | None = None
    on_progress: Callable[[int], None] = lambda done: None
    tally: Tally = field(default_factory=Tally)
    found_references: dict[str, dict[Any, Any]] = field(default_factory=dict)  # label -> key -> area level

    @property
    def header(self) -> frozenset[str]:
        return frozenset(self.reader.header)

    def chunks(self) -> Iterator[list[SourceRow]]:
        """The file's rows in chunks; counts them and moves the progress bar."""
        for chunk in self.reader.chunks(CHUNK_ROWS):
            self.tally.rows += len(chunk)
            yield chunk
            self.on_progress(self.reader.done)

    def reject(self, row: SourceRow, reason: str) -> None:
        self.rejects.write(row, reason)
        self.tally.rejected += 1

    def in_file(self, column: str) -> bool:
        """Required columns are always there; an optional one only when the header has it."""
        return column in self.spec.required or column in self.header
