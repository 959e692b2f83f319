"""The people index answers what a join over the people snapshot would, and follows the snapshot."""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ringfence.eventlog import people_index


def _snapshot(path, rows):
    pq.write_table(pa.table({
        "person_id": pa.array([r[0] for r in rows], pa.string()),
        "household_id": pa.array([r[1] for r in rows], pa.string()),
        "phone": pa.array([r[2] for r in rows], pa.string()),
    }), path)
    return path


ROWS = [
    ("P10", "H2", "13800000010"),
    ("P2", "H1", "13800000002"),
    ("P1", "H1", None),
    ("P30", None, "13800000030"),
    ("P4", "H2", "13800000004"),
    ("P5", "H3", "13800000004"),  # a phone two people give
    ("甲7", "户9", "13800000007"),  # ids need not be ASCII
]


@pytest.fixture
def snapshot(tmp_path):
    return _snapshot(tmp_path / "people.parquet", ROWS)


def test_a_person_s_household_and_phone_come_back_and_unknown_people_are_left_out(snapshot) -> None:
    index = people_index.open_index(snapshot)

    facts = index.facts(["P1", "P10", "P30", "甲7", "P99", "P1000000000000", ""])

    assert facts == {
        "P1": ("H1", None), "P10": ("H2", "13800000010"), "P30": (None, "13800000030"), "甲7": ("户9", "13800000007"),
    }


def housemates(index, people):
    at, members = index.housemates(pa.array(people, pa.string()))
    return [(people[i], member) for i, member in zip(at.tolist(), members.to_pylist())]


def test_each_person_s_household_members_come_back_as_a_join_over_the_snapshot_gives_them(snapshot) -> None:
    index = people_index.open_index(snapshot)
    asked = ["P2", "P30", "P99", "甲7", "P4", "P1000000000000", "", None, "P2"]

    found = housemates(index, asked)

    with duckdb.connect() as con:
        expected = con.sql(
            "SELECT a.asked, p.person_id FROM unnest($asked) WITH ORDINALITY AS a(asked, n) "
            "JOIN read_parquet($p) q ON q.person_id = a.asked "
            "JOIN read_parquet($p) p ON p.household_id = q.household_id ORDER BY a.n, p.person_id",
            params={"p": str(snapshot), "asked": asked}).fetchall()
    assert found == expected == [("P2", "P1"), ("P2", "P2"), ("甲7", "甲7"), ("P4", "P10"), ("P4", "P4"),
                                 ("P2", "P1"), ("P2", "P2")]


def test_a_phone_names_its_holder_and_no_one_when_several_people_give_it(snapshot) -> None:
    index = people_index.open_index(snapshot)

    phones = pa.array(["13800000002", "13800000004", "13900000000", "13800000007", None, "",
                       "138000000020", "1380000000\x00"])

    assert index.holders_of(phones).to_pylist() == ["P2", None, None, "甲7", None, None, None, None]


def test_a_rewritten_snapshot_gets_a_new_index_and_the_old_one_is_removed(tmp_path, snapshot) -> None:
    assert people_index.open_index(snapshot).facts(["P2"]) == {"P2": ("H1", "13800000002")}
    first = sorted(p.name for p in tmp_path.glob(".people-index-*"))

    replacement = _snapshot(tmp_path / "next.parquet", [("P2", "H8", None)])
    os.replace(replacement, snapshot)

    assert people_index.open_index(snapshot).facts(["P2", "P1"]) == {"P2": ("H8", None)}
    now = sorted(p.name for p in tmp_path.glob(".people-index-*"))
    assert len(now) == 1 and now != first


def test_no_snapshot_reads_as_an_empty_register(tmp_path) -> None:
    index = people_index.open_index(tmp_path / "missing.parquet")

    assert index.facts(["P1"]) == {} and housemates(index, ["P1"]) == []
    assert index.holders_of(pa.array(["1"])).to_pylist() == [None]


def test_an_unsorted_snapshot_is_indexed_in_byte_order(tmp_path) -> None:
    rows = [(f"P{n}", f"H{n % 7}", f"1380000{n:04d}") for n in (5, 123, 17, 9999, 42, 1, 800)]
    index = people_index.open_index(_snapshot(tmp_path / "people.parquet", rows))

    assert index.facts([r[0] for r in rows]) == {p: (h, phone) for p, h, phone in rows}
    assert housemates(index, ["P5"]) == [("P5", p) for p in sorted(p for p, h, _ in rows if h == "H5")]


def test_the_first_and_last_phones_in_order_are_named_only_when_one_person_gives_them(tmp_path) -> None:
    rows = [("P1", None, "100"), ("P2", None, "100"), ("P3", None, "200"), ("P4", None, "300"), ("P5", None, "300")]
    index = people_index.open_index(_snapshot(tmp_path / "people.parquet", rows))
    assert index.holders_of(pa.array(["300", "200", "100", "250", "999", "300"])).to_pylist() == [
        None, "P3", None, None, None, None]

    alone = people_index.open_index(_snapshot(tmp_path / "alone.parquet", [("P1", None, "100"), ("P2", None, "300")]))
    assert alone.holders_of(pa.array(["300", "100", "000"])).to_pylist() == ["P2", "P1", None]


def test_phones_already_dictionary_encoded_are_named_by_their_dictionary(tmp_path) -> None:
    index = people_index.open_index(_snapshot(tmp_path / "people.parquet", [("P1", None, "100"), ("P2", None, "200")]))
    phones = pa.DictionaryArray.from_arrays(pa.array([2, 0, 0, 1, 2], pa.int32()), pa.array(["200", "999", "100"]))
    assert index.holders_of(phones).to_pylist() == ["P1", "P2", "P2", None, "P1"]
