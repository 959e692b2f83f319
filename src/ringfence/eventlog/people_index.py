"""A memory-mapped index of the people snapshot: each person's household and phone, each household's members.

Tracing looks up tens of thousands of contacts at once in a register of millions; a join over the
snapshot's Parquet decodes the whole register every time (about a second at 12.6 M people). The index
is built once per snapshot file (its inode, size and modification time are its key) as NumPy arrays
saved beside the snapshot and memory-mapped on use:

* `persons.npy`: person ids as fixed-width bytes, sorted (binary search);
* `household_of.npy` / `phone_of.npy`: per person row, the household's code (-1: none) and the phone;
* `households.npy`: household ids, sorted (a household's code is its position);
* `members.npy` + `offsets.npy`: the person rows of household k are `members[offsets[k]:offsets[k+1]]`;
* `phones.npy` + `phone_rows.npy`: the phones that people have, sorted, and the person row of each.

Engine-neutral: DuckDB and Spark stores read the same snapshot, so they get the same answers.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FILES = ("persons", "household_of", "phone_of", "households", "members", "offsets", "phones", "phone_rows")
_PREFIX = ".people-index-"
_VERSION = 2  # in the folder's name: an index of another layout is never read
_loaded: dict[Path, PeopleIndex] = {}
_guard = threading.Lock()


@dataclass(frozen=True)
class PeopleIndex:
    persons: np.ndarray
    household_of: np.ndarray
    phone_of: np.ndarray
    households: np.ndarray
    members: np.ndarray
    offsets: np.ndarray
    phones: np.ndarray
    phone_rows: np.ndarray

    def facts(self, people: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """(household_id, phone) of each named person in the register (others are left out)."""
        rows, named = _find(self.persons, people)
        found: dict[str, tuple[str | None, str | None]] = {}
        for person, row in zip(named, rows.tolist()):
            code = int(self.household_of[row])
            phone = self.phone_of[row]
            found[person] = (self.households[code].decode() if code >= 0 else None, phone.decode() or None)
        return found

    def housemates(self, people: pa.Array) -> tuple[np.ndarray, pa.Array]:
        """Every member of each named person's household (the person included), column-wise: the position in
        `people` each member row is for, and the member's person id. People not in the register, or without
        a household, give no rows."""
        if not len(people) or not len(self.persons):
            return np.empty(0, dtype=np.int64), pa.array([], pa.string())
        keys = _column_keys(people, self.persons.dtype.itemsize)
        rows = np.minimum(np.searchsorted(self.persons, keys), len(self.persons) - 1)
        codes = np.where((self.persons[rows] == keys) & (keys != b""), self.household_of[rows], -1)
        asked = np.flatnonzero(codes >= 0)
        starts, ends = self.offsets[codes[asked]], self.offsets[codes[asked] + 1]
        sizes = ends - starts
        return np.repeat(asked, sizes), _text(self.persons[self.members[_runs(starts, sizes)]])

    def holders_of(self, phones: pa.Array) -> pa.Array:
        """The person holding each phone (Arrow text in, Arrow text out), column-wise: null where no one in
        the register gives that phone, or several people do. Phones already dictionary-encoded are taken as
        they come: their dictionary is what is looked up."""
        if not len(phones) or not len(self.phones):
            return pa.nulls(len(phones), pa.string())
        # a batch meets the same phones again and again: each distinct one is looked up once
        encoded = phones if pa.types.is_dictionary(phones.type) else phones.dictionary_encode()
        keys = _column_keys(encoded.dictionary, self.phones.dtype.itemsize)
        # searched in order, each from where the last one was found: 10x faster than in the batch's order
        order = np.argsort(keys)
        first = np.empty(len(keys), dtype=np.int64)
        first[order] = np.searchsorted(self.phones, keys[order], side="left")
        last = len(self.phones) - 1
        # the phone is there, once: the next one in order is another
        held = ((self.phones[np.minimum(first, last)] == keys) & (keys != b"")
                & ((first >= last) | (self.phones[np.minimum(first + 1, last)] != keys)))
        rows = self.phone_rows[np.minimum(first, last)]
        holders = pc.if_else(pa.array(held), _text(self.persons[rows]), pa.scalar(None, pa.string()))
        return holders.take(encoded.indices)


EMPTY = PeopleIndex(
    *(np.empty(0, dtype=t) for t in ("S1", np.int32, "S1", "S1", np.int32)), np.zeros(1, np.int64),
    np.empty(0, dtype="S1"), np.empty(0, dtype=np.int32),
)


def open_index(snapshot: Path | None) -> PeopleIndex:
    """The index of the people snapshot at `snapshot` (built if missing or stale); empty without a snapshot."""
    if snapshot is None or not snapshot.is_file():
        return EMPTY
    stat = snapshot.stat()
    folder = snapshot.parent / f"{_PREFIX}v{_VERSION}-{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}"
    with _guard:
        if (index := _loaded.get(folder)) is not None:
            return index
        if not (folder / "done.json").is_file():
            _build(snapshot, folder)
        index = PeopleIndex(*(np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray) for name in _FILES))
        for stale in [p for p in _loaded if p.parent == folder.parent]:
            del _loaded[stale]
        _loaded[folder] = index
        return index


def _build(snapshot: Path, folder: Path) -> None:
    """Write the arrays into a fresh folder and rename it into place; drop the indexes of older snapshots."""
    with duckdb.connect() as con:
        table = con.sql(
            "SELECT person_id, household_id, phone FROM read_parquet($path) "
            "WHERE person_id IS NOT NULL ORDER BY person_id",
            params={"path": str(snapshot)},
        ).to_arrow_table()
    persons = _fixed(table.column("person_id"))
    if len(persons) > 1 and not bool(np.all(persons[1:] > persons[:-1])):  # NumPy's byte order decides
        order = np.argsort(persons, kind="stable")
        table, persons = table.take(pa.array(order)), persons[order]
    households_column = table.column("household_id")
    households = np.unique(_fixed(households_column.filter(pc.is_valid(households_column))))
    household_of = np.full(len(persons), -1, dtype=np.int32)
    has = pc.is_valid(households_column).to_numpy(zero_copy_only=False)
    if has.any():
        household_of[has] = np.searchsorted(households, _fixed(households_column.filter(has)))
    members = np.argsort(household_of, kind="stable").astype(np.int32)
    members = members[household_of[members] >= 0]
    counts = np.bincount(household_of[household_of >= 0], minlength=len(households))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    phone_of = _fixed(table.column("phone"))
    phone_rows = np.argsort(phone_of, kind="stable").astype(np.int32)
    phone_rows = phone_rows[phone_of[phone_rows] != b""]
    arrays = {"persons": persons, "household_of": household_of, "phone_of": phone_of, "households": households,
              "members": members, "offsets": offsets, "phones": phone_of[phone_rows], "phone_rows": phone_rows}

    partial = folder.with_name(f"{folder.name}.{uuid.uuid4().hex[:8]}.part")
    partial.mkdir(parents=True)
    try:
        for name, values in arrays.items():
            np.save(partial / f"{name}.npy", values)
        (partial / "done.json").write_text(json.dumps({"people": len(persons)}))
        try:
            os.rename(partial, folder)
        except OSError:  # built meanwhile by another process: theirs is as good
            pass
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    for other in folder.parent.glob(f"{_PREFIX}*"):
        if other != folder and not other.name.endswith(".part"):
            shutil.rmtree(other, ignore_errors=True)


def _fixed(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Text as NumPy fixed-width bytes (NULL as empty), without a Python object per value where possible."""
    text = pc.fill_null(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column, "")
    width = max(int(pc.max(pc.binary_length(text)).as_py() or 0), 1) if len(text) else 1
    if pc.all(pc.equal(pc.binary_length(text), pc.utf8_length(text))).as_py() is not False:  # ASCII: pad in Arrow
        padded = pc.utf8_rpad(text, width=width, padding="\x00").cast(pa.binary()).cast(pa.binary(width))
        return np.frombuffer(padded.buffers()[1], dtype=f"S{width}", count=len(padded), offset=padded.offset * width)
    return np.array([value.encode() for value in text.to_pylist()], dtype=f"S{width}")


def _runs(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """starts[k], starts[k] + 1, … (sizes[k] of them) for every k, run after run: all households' member rows."""
    return np.repeat(starts - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes) + np.arange(sizes.sum())


def _column_keys(values: pa.Array, width: int) -> np.ndarray:
    """Arrow text as keys of `width` bytes; a value no key can equal (longer, a NUL inside, null) as b"" (no key)."""
    fits = pc.fill_null(pc.and_(pc.less_equal(pc.binary_length(values), width),
                                pc.invert(pc.match_substring(values, "\x00"))), False)
    return _fixed(pc.if_else(fits, values, "")).astype(f"S{width}")


def _text(ids: np.ndarray) -> pa.Array:
    """Fixed-width bytes (NUL-padded) back to Arrow text."""
    text = pa.array(ids, pa.binary(ids.dtype.itemsize)).cast(pa.binary()).cast(pa.string())
    return pc.utf8_rtrim(text, characters="\x00")


def _keys(sorted_keys: np.ndarray, wanted: Iterable[str]) -> tuple[np.ndarray, list[str]]:
    """The wanted keys that could be in `sorted_keys` (no longer than its width), sorted, as its bytes too."""
    width = sorted_keys.dtype.itemsize
    named = sorted({w for w in wanted if w and len(w.encode()) <= width and "\x00" not in w})
    if not len(sorted_keys):
        named = []
    return np.array([w.encode() for w in named], dtype=f"S{width}"), named


def _find(sorted_keys: np.ndarray, wanted: Iterable[str]) -> tuple[np.ndarray, list[str]]:
    """Positions of the wanted keys present in `sorted_keys`, and those keys (in the same order)."""
    keys, named = _keys(sorted_keys, wanted)
    if not named:
        return np.empty(0, dtype=np.int64), []
    positions = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    hit = sorted_keys[positions] == keys
    return positions[hit], [w for w, h in zip(named, hit.tolist()) if h]
