"""An event feed read as Arrow chunks of `chunk_rows` rows: every column as text, each row's line, a preset reason.

Memory is bounded by the chunk, not the file. `line` is the row's line in the file, the header being
line 1 (Parquet: row number + 1). Values are taken as written; an empty cell is `''` (the checks read
it as missing).

CSV is cut into blocks of whole lines, each parsed by Arrow's CSV reader (no Python per row). A
block's line numbers follow from its position when Arrow found exactly one row per physical line —
no blank line, no line break inside quotes, no row with the wrong number of fields. Otherwise the
exact reader (Python's csv module) reads the block again: that block alone when it holds no quote
character (it then ends between two rows), else everything from the block's start to the end of the
file (a quoted field may run past the block). Rows of the wrong width come with their preset reason.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ringfence.core.errors import RefusedFile
from ringfence.imports.event_checks import LINE, PRESET
from ringfence.imports.reading import CSV_FIELD_LIMIT, not_utf8, read_header

BLOCK_BYTES = 8 << 20  # one Arrow parse: ~170 k scans; small enough to keep the exact reader's rework small
CAREFUL_ROWS = 100_000  # rows the exact reader gathers into one Arrow table


class FeedChunks:
    """The chunks of one feed file, in file order; `done` counts the bytes (CSV) or rows (Parquet) read so far."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path = Path(path)
        self.chunk_rows = chunk_rows
        self.done = 0
        if self.path.suffix.lower() == ".parquet":
            try:
                self._parquet = pq.ParquetFile(self.path)
            except (OSError, pa.ArrowException) as exc:
                raise RefusedFile(f"{self.path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}") from None
            self.columns = list(self._parquet.schema_arrow.names)
            self.total = self._parquet.metadata.num_rows
        else:
            self._parquet = None
            self.columns = read_header(self.path)
            self.total = self.path.stat().st_size

    def __iter__(self) -> Iterator[pa.Table]:
        tables = self._parquet_tables() if self._parquet is not None else self._csv_tables()
        return _rechunked(tables, self.chunk_rows)

    # ---- Parquet ----------------------------------------------------------------------------------

    def _parquet_tables(self) -> Iterator[pa.Table]:
        line = 2
        try:
            for batch in self._parquet.iter_batches(batch_size=min(self.chunk_rows, 1 << 20)):
                table = pa.Table.from_batches([batch])
                yield _with_lines(table, np.arange(line, line + table.num_rows, dtype=np.int64))
                line += table.num_rows
                self.done += table.num_rows
        except (OSError, pa.ArrowException) as exc:
            raise RefusedFile(f"{self.path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}") from None

    # ---- CSV --------------------------------------------------------------------------------------

    def _csv_tables(self) -> Iterator[pa.Table]:
        with open(self.path, "rb") as handle:
            header_line = handle.readline()
            if header_line.count(b'"') % 2 or b"\r" in header_line.rstrip(b"\r\n"):
                # a line break inside the header's quotes, or lines ending in a lone CR: read it all exactly
                yield from self._careful_to_end(0, 1, skip_header=True)
                return
            offset, line = len(header_line), 2
            self.done = offset
            # one buffer read into again and again: no fresh pages to zero for every block
            buffer, filled = bytearray(BLOCK_BYTES), 0
            while True:
                if filled == len(buffer):  # one line longer than the buffer: make room
                    buffer.extend(bytes(len(buffer)))
                with memoryview(buffer) as free:
                    got = handle.readinto(free[filled:])
                end = filled + got
                if not end:
                    return
                cut = buffer.rfind(b"\n", 0, end) + 1 if got else end
                if cut == 0:
                    filled = end
                    continue
                lines = buffer.count(b"\n", 0, cut) + (0 if buffer[cut - 1] == ord("\n") else 1)
                quoted = buffer.find(b'"', 0, cut) >= 0
                with memoryview(buffer) as view:
                    table = self._fast_block(view[:cut], lines, quoted)  # Arrow copies what it parses
                if table is not None:
                    yield _with_lines(table, np.arange(line, line + table.num_rows, dtype=np.int64))
                elif not quoted:
                    yield from self._careful_block(bytes(buffer[:cut]), line)
                else:
                    yield from self._careful_to_end(offset, line, skip_header=False)
                    return
                buffer[: end - cut] = buffer[cut:end]
                offset, line, filled = offset + cut, line + lines, end - cut
                self.done = offset
                if not got:
                    return

    def _fast_block(self, block: memoryview, lines: int, quoted: bool) -> pa.Table | None:
        """The block's rows if Arrow reads exactly one row per line from it, else None."""
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(block)),
                read_options=pacsv.ReadOptions(column_names=self.columns, use_threads=False, block_size=len(block) + 1),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in self.columns},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:  # a row of the wrong width, bytes that are not UTF-8: the exact reader says which
            return None
        if table.num_rows != lines:
            return None
        if quoted and any(_breaks_lines(table.column(name)) for name in self.columns):
            return None  # a quoted line break (perhaps one the block's cut ran through)
        return table

    def _careful_block(self, block: bytes, line: int) -> Iterator[pa.Table]:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            raise not_utf8(self.path) from None
        yield from self._careful_rows(io.StringIO(text, newline=""), line)

    def _careful_to_end(self, offset: int, line: int, *, skip_header: bool) -> Iterator[pa.Table]:
        with open(self.path, "rb") as binary:
            binary.seek(offset)
            encoding = "utf-8-sig" if offset == 0 else "utf-8"
            with io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="") as text:
                yield from self._careful_rows(text, line, skip_header=skip_header, binary=binary)

    def _careful_rows(
        self, text: io.TextIOBase, line: int, *, skip_header: bool = False, binary: io.BufferedReader | None = None
    ) -> Iterator[pa.Table]:
        """Python's csv reader: blank lines carry no row, ragged rows are padded or cut and keep a reason."""
        if csv.field_size_limit() < CSV_FIELD_LIMIT:
            csv.field_size_limit(CSV_FIELD_LIMIT)
        width = len(self.columns)
        reader = csv.reader(text)
        columns: list[list[str]] = [[] for _ in self.columns]
        lines: list[int] = []
        reasons: list[str | None] = []
        try:
            if skip_header:
                next(reader, None)
            start = line + reader.line_num  # a row's line: the first of the physical lines it spans
            for record in reader:
                if record:  # a blank line is no row
                    cells = record[:width] + [""] * (width - len(record))
                    for values, value in zip(columns, cells, strict=True):
                        values.append(value)
                    lines.append(start)
                    reasons.append(f"expected {width} fields, found {len(record)}" if len(record) != width else None)
                    if len(lines) >= CAREFUL_ROWS:
                        yield self._careful_table(columns, lines, reasons)
                        columns, lines, reasons = [[] for _ in self.columns], [], []
                        if binary is not None:
                            self.done = binary.tell()
                start = line + reader.line_num
        except UnicodeDecodeError:
            raise not_utf8(self.path) from None
        except csv.Error as exc:
            raise RefusedFile(f"{self.path.name} line {line + reader.line_num}: {exc}") from None
        if lines:
            yield self._careful_table(columns, lines, reasons)

    def _careful_table(self, columns: list[list[str]], lines: list[int], reasons: list[str | None]) -> pa.Table:
        table = pa.table({name: pa.array(values, pa.string()) for name, values in zip(self.columns, columns, strict=True)})
        return _with_lines(table, np.asarray(lines, dtype=np.int64), reasons)


def _breaks_lines(values: pa.ChunkedArray) -> bool:
    return bool(pc.any(pc.match_substring_regex(values, "[\r\n]")).as_py())


def _with_lines(table: pa.Table, lines: np.ndarray, reasons: list[str | None] | None = None) -> pa.Table:
    table = table.append_column(LINE, pa.array(lines, pa.int64()))
    preset = pa.array(reasons, pa.string()) if reasons is not None else pa.nulls(table.num_rows, pa.string())
    return table.append_column(PRESET, preset)


def _rechunked(tables: Iterator[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The same rows in tables of exactly `rows` rows (the last one fewer); no copy."""
    pending: list[pa.Table] = []
    count = 0
    for table in tables:
        while table.num_rows:
            taken = min(rows - count, table.num_rows)
            pending.append(table.slice(0, taken))
            count += taken
            table = table.slice(taken)
            if count == rows:
                yield pa.concat_tables(pending)
                pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


def prefetched(chunks: Iterator[pa.Table], ahead: int = 1) -> Iterator[pa.Table]:
    """`chunks` read by a background thread, `ahead` chunks in advance: reading overlaps the caller's work."""
    handoff: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    end = object()

    def offer(item: tuple) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer((chunk, None)):
                    return
            offer((end, None))
        except BaseException as exc:  # noqa: BLE001 — handed to the consumer, raised there
            offer((None, exc))

    worker = threading.Thread(target=produce, name="feed-reader", daemon=True)
    worker.start()
    try:
        while True:
            chunk, error = handoff.get()
            if error is not None:
                raise error
            if chunk is end:
                return
            yield chunk
    finally:
        stop.set()
        worker.join()
