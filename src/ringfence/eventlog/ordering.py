"""Putting a batch of events in file order, in Arrow and NumPy: local days, sort order, first of repeated rows.

Pure functions over Arrow tables (no files): the event log's writer uses them to lay out a batch,
the importer to turn local feed times into instants without a time-zone library call per value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.core.errors import InvalidInput
from ringfence.eventlog.kinds import KindLayout

MICROS_PER_DAY = 86_400 * 1_000_000
_MICROS_PER_HOUR = 3_600 * 1_000_000
_LONGEST_CHECKED_SPAN = timedelta(days=3_700)  # beyond ten years of times, don't look for a fixed offset


def fixed_offset(tz: ZoneInfo, first_us: int, last_us: int) -> int | None:
    """The zone's UTC offset in microseconds if it is the same at every instant between the two, else None.

    Checked hourly a day either side (zone changes happen on the hour or half hour, and last for
    months): Asia/Shanghai has had one offset since 1991, a zone with summer time does not.
    """
    start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(first_us)) - timedelta(days=1)
    end = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(last_us)) + timedelta(days=1)
    if end - start > _LONGEST_CHECKED_SPAN:
        return None
    offsets = set()
    moment = start
    while moment <= end and len(offsets) < 2:
        offsets.add(tz.utcoffset(moment.astimezone(tz)))
        moment += timedelta(minutes=30)
    if len(offsets) != 1:
        return None
    return int(offsets.pop() / timedelta(microseconds=1))


def _micros(times: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Microseconds since the epoch (UTC), NULL as 0 (callers mask NULLs themselves)."""
    values = pc.cast(times, pa.timestamp("us", tz="UTC")) if times.type.unit != "us" else times
    return pc.fill_null(values.cast(pa.int64()), 0).to_numpy()


def local_days(times: pa.ChunkedArray | pa.Array, tz: ZoneInfo) -> np.ndarray:
    """The local date (days since 1970-01-01, int64) of each UTC instant; refuses NULL times."""
    if times.null_count:
        raise InvalidInput("an event without its time cannot be put on a day")
    micros = _micros(times)
    if not len(micros):
        return micros
    offset = fixed_offset(tz, micros.min(), micros.max())
    if offset is not None:
        return (micros + offset) // MICROS_PER_DAY
    local = pc.local_timestamp(times.cast(pa.timestamp(times.type.unit, tz=tz.key)))
    return pc.cast(pc.cast(local, pa.date32()), pa.int32()).to_numpy().astype(np.int64)


def _ranks(values: pa.ChunkedArray) -> np.ndarray:
    """Integers ordered like `values` (NULLs last): times in their coarsest exact unit, text by its rank in the batch."""
    if pa.types.is_timestamp(values.type) or pa.types.is_integer(values.type):
        codes = pc.cast(values, pa.int64()) if not pa.types.is_timestamp(values.type) else values.cast(pa.int64())
        lowest = pc.min(codes).as_py()
        numbers = np.array(pc.fill_null(codes, lowest or 0).to_numpy(), dtype=np.int64)  # ours to change
        if pa.types.is_timestamp(values.type):
            numbers = _coarsest(numbers)
        if values.null_count:
            numbers[pc.is_null(values).to_numpy(zero_copy_only=False)] = numbers.max() + 1
        return numbers
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    dictionary = encoded.dictionary
    rank_of = np.empty(len(dictionary), dtype=np.int64)
    rank_of[pc.sort_indices(dictionary).to_numpy()] = np.arange(len(dictionary))
    indices = encoded.indices
    codes = rank_of[pc.fill_null(indices, 0).to_numpy()]
    if indices.null_count:
        codes[pc.is_null(indices).to_numpy(zero_copy_only=False)] = len(dictionary)
    return codes


def _coarsest(numbers: np.ndarray) -> np.ndarray:
    """The same order in fewer bits: feed times are mostly whole seconds, 20 bits less than microseconds.

    Works in place on `numbers` (arrays of millions: every temporary is fresh memory to fault in).
    """
    if not len(numbers):
        return numbers
    numbers -= numbers.min()
    for unit in (1_000_000, 1_000):
        if not (numbers[:1024] % unit).any() and not (numbers % unit).any():
            numbers //= unit
            return numbers
    return numbers


def _sort_order(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
    """Row positions sorted by the integer keys (first key first), ties in row order; and the sorted packed keys.

    When the keys and the row position fit in 63 bits together, one plain sort of the packed numbers
    does it (NumPy's vectorised sort: a tenth of a stable argsort); else a stable argsort of the packed
    keys; else Arrow's multi-column sort (no packed keys then).
    """
    lows = [int(key.min()) for key in keys]
    widths = [max(int(key.max()) - low, 1).bit_length() for key, low in zip(keys, lows, strict=True)]
    position_width = max(len(keys[0]) - 1, 1).bit_length()
    if sum(widths) <= 63:
        # packed in place: each key shifted past the next one's bits (the keys themselves are left alone)
        packed = np.zeros(len(keys[0]), dtype=np.int64)
        for key, low, width in zip(keys, lows, widths, strict=True):
            np.left_shift(packed, width, out=packed)
            np.add(packed, key, out=packed)
            np.subtract(packed, low, out=packed)
        if sum(widths) + position_width <= 63:
            np.left_shift(packed, position_width, out=packed)
            np.add(packed, np.arange(len(packed), dtype=np.int64), out=packed)
            packed.sort()
            order = np.bitwise_and(packed, (1 << position_width) - 1)
            return order, np.right_shift(packed, position_width, out=packed)
        order = np.argsort(packed, kind="stable")
        return order, packed[order]
    table = pa.table({f"k{i}": key - low for i, (key, low) in enumerate(zip(keys, lows, strict=True))})
    order = pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))]).to_numpy()
    return order, None


def sorted_first_rows(rows: pa.Table, layout: KindLayout, days: np.ndarray) -> np.ndarray:
    """Positions of `rows` in file order (day, then the kind's sort key), keeping the first row of each natural key."""
    keys = [days, *(_ranks(rows.column(c)) for c in layout.sort_key)]
    order, sorted_keys = _sort_order(keys)
    natural = list(layout.natural_key)
    if not set(layout.sort_key) | {layout.day_column} <= set(natural):
        # repeats may lie apart in sort order (samples are one by sample_id): find them by grouping
        firsts = _first_of_groups(rows.select(natural), np.arange(rows.num_rows))
        return order[np.isin(order, firsts)]
    # rows equal on the natural key are neighbours in sort order: only runs of equal sort keys need a look
    if sorted_keys is not None:
        same = sorted_keys[1:] == sorted_keys[:-1]
    else:
        same = np.ones(len(order) - 1, dtype=bool)
        for key in keys:
            sorted_key = key[order]
            same &= sorted_key[1:] == sorted_key[:-1]
    if not same.any():
        return order
    in_run = np.zeros(len(order), dtype=bool)
    in_run[1:] |= same
    in_run[:-1] |= same
    positions = np.flatnonzero(in_run)  # places in `order`, in sort order (ties in row order)
    # a position opens a run unless it repeats the key before it
    run_of = np.cumsum(~np.concatenate(([False], same))[positions])
    rest = [c for c in natural if c not in layout.sort_key]
    members = rows.select(rest).take(pa.array(order[positions])).append_column("_run", pa.array(run_of))
    firsts = _first_of_groups(members, positions)
    keep = ~in_run
    keep[firsts] = True
    return order[keep]


def _first_of_groups(table: pa.Table, positions: np.ndarray) -> np.ndarray:
    """Of rows equal on every column of `table` (NULLs equal), the smallest of their `positions`."""
    grouped = table.append_column("_pos", pa.array(positions, pa.int64()))
    firsts = grouped.group_by(table.column_names, use_threads=False).aggregate([("_pos", "min")])
    return firsts.column("_pos_min").to_numpy()
