"""Importing venue check-ins into the event log: people, venues, times, duplicates, rejects."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.eventlog.worlds import home_settings, utc, write_register

from ringfence.config import Settings
from ringfence.eventlog.store import open_store
from ringfence.imports.events import EventImportCounts, import_events
from ringfence.imports.schemas import FEEDS, FeedKind


@pytest.fixture
def city(tmp_path: Path) -> Settings:
    settings = home_settings(tmp_path)
    write_register(settings, "people", [
        {"person_id": "p1", "id_number": "41010119900101001X", "phone": "13900000001"},
        {"person_id": "p2", "id_number": "410101199002020022", "phone": "13900000002"},
        {"person_id": "p3", "id_number": "410101199003030033", "phone": "13900000002"},  # shares p2's phone
    ])
    write_register(settings, "venues", [{"venue_id": "v1", "name": "Market"}, {"venue_id": "v2", "name": "Cafe"}])
    return settings


def feed(tmp_path: Path, text: str, name: str = "scans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.lstrip(), encoding="utf-8")
    return path


def run(settings: Settings, path: Path, batch_id: str = "b1") -> EventImportCounts:
    return import_events(
        spec=FEEDS[FeedKind.scans], path=path, settings=settings, batch_id=batch_id,
        rejects_path=path.parent / f"rejects-{batch_id}.csv", progress=False,
    )


def stored(settings: Settings) -> list[dict]:
    with open_store(settings) as store:
        return store.query("SELECT person_id, venue_id, scanned_at, left_at FROM scans ORDER BY scanned_at").to_pylist()


def rejects(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_rejects_rows_without_a_known_venue_and_keeps_the_others(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
person_id,venue_id,scanned_at,left_at
p1,v1,2022-10-01T09:00:00,2022-10-01T10:00:00
p1,v9,2022-10-01T11:00:00,
p2,,2022-10-01T12:00:00,
p2,v2,2022-10-01T13:00:00,
""")
    counts = run(city, path)
    assert counts == EventImportCounts(rows=4, accepted=2, rejected=2, duplicates=0)
    assert [(r["line"], r["reason"]) for r in rejects(tmp_path / "rejects-b1.csv")] == [
        ("3", "unknown venue"), ("4", "missing venue_id"),
    ]
    assert [r["venue_id"] for r in stored(city)] == ["v1", "v2"]


def test_times_with_z_with_an_offset_or_without_one_land_on_the_same_instant(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
person_id,venue_id,scanned_at
p1,v1,2022-10-01T01:00:00Z
p2,v1,2022-10-01T09:00:00+08:00
p3,v1,2022-10-01T09:00:00
""")
    assert run(city, path).accepted == 3
    assert [r["scanned_at"] for r in stored(city)] == [utc(2022, 10, 1, 1, 0)] * 3


def test_a_malformed_time_rejects_only_its_row(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
person_id,venue_id,scanned_at,left_at
p1,v1,2022-10-01 9am,
p1,v1,2022-10-01T09:00:00,soon
p1,v1,2022-10-01T10:00:00,2022-10-01T09:59:00
p1,v1,2022-10-01T11:00:00,2022-10-01T11:00:00
""")
    counts = run(city, path)
    assert (counts.accepted, counts.rejected) == (1, 3)
    assert [r["reason"] for r in rejects(tmp_path / "rejects-b1.csv")] == [
        "scanned_at is not an ISO 8601 time", "left_at is not an ISO 8601 time", "left_at is before scanned_at",
    ]


def test_importing_the_same_rows_again_adds_nothing(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
person_id,venue_id,scanned_at
p1,v1,2022-10-01T09:00:00
p2,v1,2022-10-01T09:05:00
p2,v1,2022-10-01T09:05:00
""")
    assert run(city, path, "b1") == EventImportCounts(rows=3, accepted=2, rejected=0, duplicates=1)
    assert run(city, path, "b2") == EventImportCounts(rows=3, accepted=0, rejected=0, duplicates=3)
    assert len(stored(city)) == 2


def test_people_can_be_named_by_id_number(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
id_number,venue_id,scanned_at
41010119900101001X,v1,2022-10-01T09:00:00
410101199003030033,v2,2022-10-01T10:00:00
410101000000000000,v2,2022-10-01T11:00:00
""")
    counts = run(city, path)
    assert (counts.accepted, counts.rejected) == (2, 1)
    assert [r["person_id"] for r in stored(city)] == ["p1", "p3"]
    assert rejects(tmp_path / "rejects-b1.csv")[0]["reason"] == "unknown person"


def test_people_can_be_named_by_phone_unless_the_phone_is_shared(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, """
phone,venue_id,scanned_at
13900000001,v1,2022-10-01T09:00:00
13900000002,v2,2022-10-01T10:00:00
""")
    counts = run(city, path)
    assert (counts.accepted, counts.rejected) == (1, 1)
    assert [r["person_id"] for r in stored(city)] == ["p1"]
    assert rejects(tmp_path / "rejects-b1.csv")[0]["reason"] == "phone names more than one person"


def test_the_rejects_file_holds_the_line_the_reason_and_the_original_cells(city: Settings, tmp_path: Path) -> None:
    # a quoted cell spanning two lines shifts the line numbers of the rows after it
    path = feed(tmp_path, 'person_id,venue_id,scanned_at,left_at\n'
                          'p1,"v1",2022-10-01T09:00:00,\n'
                          'p9,"v\n1",2022-10-01T09:00:00,\n'
                          '\n'
                          'p2,v1,yesterday,\n'
                          'p2,v1,2022-10-01T09:00:00,,extra\n')
    counts = run(city, path)
    assert counts == EventImportCounts(rows=4, accepted=1, rejected=3, duplicates=0)
    with open(tmp_path / "rejects-b1.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason", "person_id", "venue_id", "scanned_at", "left_at"]
    assert rows[1] == ["3", "unknown person", "p9", "v\n1", "2022-10-01T09:00:00", ""]
    assert rows[2] == ["6", "scanned_at is not an ISO 8601 time", "p2", "v1", "yesterday", ""]
    assert rows[3][:3] == ["7", "expected 4 fields, found 5", "p2"]


def test_no_rejects_file_is_written_when_every_row_is_valid(city: Settings, tmp_path: Path) -> None:
    path = feed(tmp_path, "person_id,venue_id,scanned_at\np1,v1,2022-10-01T09:00:00\n")
    assert run(city, path).rejected == 0
    assert not (tmp_path / "rejects-b1.csv").exists()


def test_parquet_feeds_are_read_like_csv(city: Settings, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "scans.parquet"
    pq.write_table(pa.table({
        "person_id": ["p1", "p2"], "venue_id": ["v1", "v9"],
        "scanned_at": pa.array([utc(2022, 10, 1, 1), utc(2022, 10, 1, 2)], pa.timestamp("us", tz="UTC")),
    }), path)
    counts = run(city, path)
    assert (counts.accepted, counts.rejected) == (1, 1)
    assert stored(city)[0]["scanned_at"] == utc(2022, 10, 1, 1)
    assert [(r["line"], r["reason"]) for r in rejects(tmp_path / "rejects-b1.csv")] == [("3", "unknown venue")]


def test_a_file_naming_people_two_ways_is_refused(city: Settings, tmp_path: Path) -> None:
    from ringfence.core.errors import RefusedFile

    path = feed(tmp_path, "person_id,phone,venue_id,scanned_at\np1,139,v1,2022-10-01T09:00:00\n")
    with pytest.raises(RefusedFile):
        run(city, path)
    assert stored(city) == []
