"""A few keys' rows read by their row groups' statistics: the groups that may hold them, and nothing lost."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ringfence.eventlog import row_groups
from ringfence.eventlog.row_groups import KeyLookup

DAY = date(2022, 10, 1)
SCHEMA = pa.schema([("person_id", pa.string()), ("n", pa.int64()), ("day", pa.date32())])


def write(path: Path, people: list[str], rows_per_group: int = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"person_id": people, "n": list(range(len(people)))}), path,
                   row_group_size=rows_per_group)
    return path


def groups(path: Path, *keys: str) -> list[int]:
    return row_groups._groups_holding(row_groups._keyed_file(path, "person_id").ranges, pa.array(keys, pa.string())).tolist()


def lookup(*pairs: tuple[str, date]) -> KeyLookup:
    return KeyLookup("person_id", pa.table({"key": pa.array([k for k, _ in pairs], pa.string()),
                                           "day": pa.array([d for _, d in pairs], pa.date32())}))


def test_a_sorted_file_s_groups_are_found_by_binary_search_including_a_key_across_two_groups(tmp_path) -> None:
    # groups: [a, b] [b, c] [d, f] [g, h]
    path = write(tmp_path / "sorted.parquet", ["a", "b", "b", "c", "d", "f", "g", "h"])
    assert row_groups._keyed_file(path, "person_id").ranges.ordered
    assert groups(path, "b") == [0, 1]
    assert groups(path, "e") == [2]  # between d and f: statistics cannot rule it out
    assert groups(path, "h", "a") == [0, 3]
    assert groups(path, "0", "i", "cc") == []  # below, above, between groups


def test_an_unsorted_file_s_groups_are_compared_one_by_one(tmp_path) -> None:
    # groups: [d, z] [a, c] [b, e]
    path = write(tmp_path / "unsorted.parquet", ["z", "d", "a", "c", "e", "b"])
    assert not row_groups._keyed_file(path, "person_id").ranges.ordered
    assert groups(path, "d") == [0, 2]
    assert groups(path, "a") == [1]
    assert groups(path, "y") == [0]


def test_narrowed_rows_are_every_row_of_the_keys_on_their_day_and_no_other(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    people = [f"p{n:02d}" for n in range(40)]
    first = write(tmp_path / "day=2022-10-01" / "a.parquet", people)
    second = write(tmp_path / "day=2022-10-02" / "a.parquet", people)
    files = [(first, DAY), (second, date(2022, 10, 2))]

    rows = row_groups.narrowed(files, lookup(("p03", DAY), ("p17", DAY), ("p17", date(2022, 10, 2))), SCHEMA)

    assert rows.schema == SCHEMA
    assert sorted(zip(*rows.to_pydict().values())) == [
        ("p03", 3, DAY), ("p17", 17, DAY), ("p17", 17, date(2022, 10, 2))]


def test_ranges_written_beside_a_file_are_what_its_footer_says_and_are_read_instead_of_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", ["a", "b", "b", "c", "d", "f", "g", "h"])
    from_footer = row_groups._keyed_file(path, "person_id").ranges
    row_groups._files.clear()
    assert row_groups.write_ranges(path, "person_id") == row_groups.ranges_path(path)

    def no_footer(*_: object) -> None:
        raise AssertionError("the footer's statistics were read")

    monkeypatch.setattr(row_groups, "_from_footer", no_footer)
    written = row_groups._keyed_file(path, "person_id").ranges
    assert written.rows.tolist() == from_footer.rows.tolist() == [2, 2, 2, 2]
    assert written.lows.tolist() == from_footer.lows.tolist() == ["a", "b", "d", "g"]
    assert written.highs.tolist() == from_footer.highs.tolist() == ["b", "c", "f", "h"]
    assert written.ordered
    rows = row_groups.narrowed([(path, DAY)], lookup(("b", DAY), ("g", DAY)), SCHEMA)
    assert sorted(rows.column("n").to_pylist()) == [1, 2, 6]


def test_ranges_of_another_column_or_of_the_file_before_it_changed_are_not_used(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", ["a", "b", "c", "d"])
    row_groups.write_ranges(path, "person_id")
    write(path, ["c", "d", "e", "f", "g", "h"])  # rewritten (tests only: the log never rewrites a file)
    rows = row_groups.narrowed([(path, DAY)], lookup(("g", DAY)), SCHEMA)
    assert rows.column("n").to_pylist() == [4]  # stale ranges ([a, b], [c, d]) would have ruled "g" out

    other = write(tmp_path / "day=2022-10-01" / "b.parquet", ["a", "b", "c", "d"])
    row_groups.write_ranges(other, "n")
    assert row_groups._keyed_file(other, "person_id").ranges.lows.tolist() == ["a", "c"]


def test_keys_in_too_many_of_the_files_groups_or_a_file_without_the_column_are_not_narrowed(tmp_path) -> None:
    people = [f"p{n:02d}" for n in range(40)]  # 20 groups of 2
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", people)
    few = lookup(*[(p, DAY) for p in people[:10]])  # 5 groups of 20: 25 %
    assert row_groups.narrowed([(path, DAY)], few, SCHEMA).num_rows == 10
    many = lookup(*[(p, DAY) for p in people[:12]])  # 6 groups of 20
    assert row_groups.narrowed([(path, DAY)], many, SCHEMA) is None

    other = tmp_path / "day=2022-10-01" / "b.parquet"
    pq.write_table(pa.table({"phone": ["1"]}), other)
    assert row_groups.narrowed([(path, DAY), (other, DAY)], lookup(("p01", DAY)), SCHEMA) is None


def test_keys_whose_groups_hold_too_many_rows_are_not_narrowed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    monkeypatch.setattr(row_groups, "MOST_ROWS", 4)
    people = [f"p{n:02d}" for n in range(40)]  # 20 groups of 2
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", people)
    assert row_groups.narrowed([(path, DAY)], lookup(("p00", DAY), ("p02", DAY)), SCHEMA).num_rows == 2  # 4 rows
    assert row_groups.narrowed([(path, DAY)], lookup(("p00", DAY), ("p02", DAY), ("p04", DAY)), SCHEMA) is None


def test_columns_a_lookup_does_not_read_come_back_null(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", [f"p{n:02d}" for n in range(4)])
    keys = lookup(("p01", DAY)).keys
    rows = row_groups.narrowed([(path, DAY)], KeyLookup("person_id", keys, reads=("day",)), SCHEMA)
    assert rows.schema == SCHEMA
    assert rows.to_pylist() == [{"person_id": "p01", "n": None, "day": DAY}]
    rows = row_groups.narrowed([(path, DAY)], KeyLookup("person_id", keys, reads=("n",)), SCHEMA)
    assert rows.to_pylist() == [{"person_id": "p01", "n": 1, "day": DAY}]


def test_a_file_rewritten_under_the_same_name_is_read_anew(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    path = write(tmp_path / "day=2022-10-01" / "a.parquet", ["a", "b"])
    assert row_groups.narrowed([(path, DAY)], lookup(("c", DAY)), SCHEMA).num_rows == 0
    write(path, ["a", "b", "c"], rows_per_group=3)
    rows = row_groups.narrowed([(path, DAY)], lookup(("c", DAY)), SCHEMA)
    assert pc.sum(rows.column("n")).as_py() == 2


@pytest.mark.parametrize("days", [[DAY], [DAY, date(2022, 10, 2)]])
def test_the_same_keys_every_day(days) -> None:
    made = KeyLookup.every_day("person_id", ["p1", "p2"], days, pa.string())
    assert made.days() == days
    assert all(sorted(made.keys_on(d).to_pylist()) == ["p1", "p2"] for d in days)


def test_statistics_of_another_type_than_the_keys_rule_out_no_group(tmp_path) -> None:
    path = tmp_path / "binary.parquet"
    pq.write_table(pa.table({"person_id": pa.array([b"a", b"b", b"c", b"d"], pa.binary())}), path, row_group_size=2)
    assert groups(path, "a") == [0, 1]


def _open_deleted_files() -> list[str]:
    fds = Path("/proc/self/fd")
    return [target for fd in fds.iterdir() if (target := _link(fd)).endswith(".parquet (deleted)")]


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # closed meanwhile
        return ""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the process's open files")
def test_a_file_deleted_or_rewritten_since_it_was_read_is_let_go_at_the_next_lookup(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    people = [f"p{n:02d}" for n in range(8)]
    doomed, rewritten, other = (write(tmp_path / "day=2022-10-01" / f"{n}.parquet", people) for n in "abc")
    for path in (doomed, rewritten):
        assert row_groups.narrowed([(path, DAY)], lookup(("p01", DAY)), SCHEMA).num_rows == 1
    doomed.unlink()
    write(rewritten.with_suffix(".new"), people[:4], rows_per_group=1).replace(rewritten)
    assert any(doomed.name in target for target in _open_deleted_files())  # still held, its space not freed

    assert row_groups.narrowed([(other, DAY)], lookup(("p01", DAY)), SCHEMA).num_rows == 1
    assert not [target for target in _open_deleted_files() if str(tmp_path) in target]
    assert row_groups.narrowed([(rewritten, DAY)], lookup(("p01", DAY)), SCHEMA).num_rows == 1
