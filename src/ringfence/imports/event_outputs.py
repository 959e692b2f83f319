"""What an event import leaves besides the events: the rejects file, the screening flags, a progress bar.

Each is fed one chunk at a time, so none holds more than a chunk (the flags of tube results keep the
file's positive and negative readings, two short columns, until the end).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ringfence.eventlog.kinds import EventKind, TubeResult
from ringfence.imports.event_checks import LINE, PRESET, REASON


class RejectsFile:
    """`line,reason,<the file's columns>` for every refused row, in line order; in place only once finished."""

    def __init__(self, target: Path, columns: list[str]) -> None:
        self.target = target
        self.columns = [c for c in columns if c not in (LINE, PRESET)]
        self.partial = target.with_name(target.name + ".partial")
        self.count = 0

    def add(self, con: duckdb.DuckDBPyConnection, source: pa.Table, checked: pa.Table) -> None:
        """Append the refused rows of one chunk (`checked` holds `line` and `reason` for the rows of `source`)."""
        refused = pc.is_valid(checked.column(REASON))
        names = [LINE, REASON, *self.columns]
        arrays = [checked.column(LINE), checked.column(REASON), *(source.column(c) for c in self.columns)]
        rows = pa.Table.from_arrays(arrays, names=names).filter(refused)
        if not rows.num_rows:
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        piece = self.partial.with_name(self.partial.name + ".piece")
        # DuckDB writes the CSV (quoting only where needed, times as SQL text), one piece per chunk
        con.from_arrow(rows).write_csv(str(piece), header=self.count == 0)
        with open(self.partial, "ab") as whole, open(piece, "rb") as part:
            shutil.copyfileobj(part, whole, 1 << 20)
        piece.unlink()
        self.count += rows.num_rows

    def finish(self) -> Path | None:
        """The rejects file in its place (None: no row was refused)."""
        if not self.count:
            return None
        os.replace(self.partial, self.target)
        return self.target

    def discard(self) -> None:
        """The import failed: no rejects file is left for a batch that was never stored."""
        for path in (self.partial.with_name(self.partial.name + ".piece"), self.partial, self.target):
            path.unlink(missing_ok=True)


class ScreeningFlags:
    """Valid rows screening must hear about: samples of tubes without a result, contradicting tube results."""

    def __init__(self, con: duckdb.DuckDBPyConnection, kind: EventKind) -> None:
        self.con, self.kind = con, kind
        self.pending = 0
        self._readings: list[pa.Table] = []
        if kind is EventKind.samples:
            con.execute("CREATE TEMP TABLE _reported AS SELECT DISTINCT tube_id FROM reported_tubes "
                        "WHERE tube_id IS NOT NULL")

    def add(self, valid: pa.Table) -> None:
        """Count or keep what one chunk's valid rows (the kind's columns) say."""
        if self.kind is EventKind.samples and valid.num_rows:
            self.con.register("_valid", valid.select(["tube_id"]))
            try:
                self.pending += self.con.execute(
                    "SELECT count(*) FROM _valid v WHERE NOT EXISTS (SELECT 1 FROM _reported r WHERE r.tube_id = v.tube_id)"
                ).fetchall()[0][0]
            finally:
                self.con.unregister("_valid")
        elif self.kind is EventKind.tube_results and valid.num_rows:
            readings = pa.array([TubeResult.positive.value, TubeResult.negative.value])
            result = pc.cast(valid.column("result"), pa.string())
            decisive = pc.is_in(result, value_set=readings)
            tubes = pa.table({"tube_id": pc.cast(valid.column("tube_id"), pa.string()), "result": result})
            self._readings.append(tubes.filter(decisive))

    def finish(self) -> dict[str, int]:
        if self.kind is EventKind.samples:
            return {"pending_tube": self.pending}
        if self.kind is not EventKind.tube_results:
            return {}
        if not self._readings:
            return {"conflicting": 0}
        self.con.register("_file_readings", pa.concat_tables(self._readings))
        try:
            conflicting = self.con.execute(
                """WITH readings AS (
                       SELECT tube_id, result FROM reported_tubes WHERE result IN ('positive', 'negative')
                       UNION ALL
                       SELECT tube_id, result FROM _file_readings
                   ), contested AS (
                       SELECT tube_id FROM readings GROUP BY tube_id HAVING count(DISTINCT result) > 1
                   )
                   SELECT count(*) FROM _file_readings WHERE tube_id IN (SELECT tube_id FROM contested)"""
            ).fetchall()[0][0]
        finally:
            self.con.unregister("_file_readings")
        return {"conflicting": conflicting}


class StepProgress:
    """A Rich progress bar on stderr over the file (bytes or rows), or nothing when `shown` is false."""

    def __init__(self, shown: bool, title: str, total: int) -> None:
        self._progress = (
            Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                     console=Console(stderr=True), transient=True)
            if shown else None
        )
        self._title, self._total = title, total
        self._task = None

    def __enter__(self) -> Callable[[int], None]:
        if self._progress is None:
            return lambda done: None
        self._progress.start()
        self._task = self._progress.add_task(self._title, total=self._total or None)
        return lambda done: self._progress.update(self._task, completed=done)

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

