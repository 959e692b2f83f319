"""Event feeds read and stored in chunks: line numbers, duplicates and atomicity across chunk boundaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.eventlog.worlds import home_settings, write_register

from ringfence.config import Settings
from ringfence.core.errors import RefusedFile
from ringfence.eventlog.store import open_store
from ringfence.imports import events, feed_chunks
from ringfence.imports.events import EventImportCounts, import_events
from ringfence.imports.schemas import FEEDS, FeedKind

HEADER = "person_id,venue_id,scanned_at\n"


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(events, "CHUNK_ROWS", 3)
    settings = home_settings(tmp_path)
    write_register(settings, "people", [{"person_id": f"p{i}"} for i in range(1, 10)])
    write_register(settings, "venues", [{"venue_id": "v1"}, {"venue_id": "v2"}])
    return settings


def scan(person: int, minute: int, venue: str = "v1") -> str:
    return f"p{person},{venue},2022-10-01T09:{minute:02d}:00\n"


def run(settings: Settings, tmp_path: Path, text: str, batch_id: str = "b1") -> EventImportCounts:
    path = tmp_path / "scans.csv"
    path.write_text(text, encoding="utf-8")
    return import_events(
        spec=FEEDS[FeedKind.scans], path=path, settings=settings, batch_id=batch_id,
        rejects_path=tmp_path / f"rejects-{batch_id}.csv", progress=False,
    )


def rejected(tmp_path: Path, batch_id: str = "b1") -> list[tuple[str, str, str]]:
    with open(tmp_path / f"rejects-{batch_id}.csv", encoding="utf-8", newline="") as handle:
        return [(row["line"], row["reason"], row["person_id"]) for row in csv.DictReader(handle)]


def stored(settings: Settings) -> list[tuple[str, str]]:
    with open_store(settings) as store:
        rows = store.query("SELECT person_id, strftime(scanned_at, '%M') AS minute FROM scans ORDER BY scanned_at")
    return [(r["person_id"], r["minute"]) for r in rows.to_pylist()]


def test_a_reject_on_the_last_line_of_a_chunk_keeps_its_line_number(city: Settings, tmp_path: Path) -> None:
    # chunks of 3 rows: lines 2-4, 5-7, 8; the last row of each chunk is refused
    text = HEADER + scan(1, 0) + scan(2, 1) + scan(99, 2) + scan(3, 3) + scan(4, 4) + scan(98, 5) + scan(5, 6)
    counts = run(city, tmp_path, text)
    assert counts == EventImportCounts(rows=7, accepted=5, rejected=2, duplicates=0)
    assert rejected(tmp_path) == [("4", "unknown person", "p99"), ("7", "unknown person", "p98")]
    assert [p for p, _ in stored(city)] == ["p1", "p2", "p3", "p4", "p5"]


def test_a_file_of_exactly_two_chunks_is_stored_whole(city: Settings, tmp_path: Path) -> None:
    text = HEADER + "".join(scan(i, i) for i in range(1, 7))
    assert run(city, tmp_path, text) == EventImportCounts(rows=6, accepted=6, rejected=0, duplicates=0)
    assert len(stored(city)) == 6
    assert not (tmp_path / "rejects-b1.csv").exists()


def test_a_row_repeated_in_a_later_chunk_is_stored_once(city: Settings, tmp_path: Path) -> None:
    text = HEADER + scan(1, 0) + scan(2, 1) + scan(3, 2) + scan(4, 3) + scan(1, 0) + scan(5, 4) + scan(2, 1)
    assert run(city, tmp_path, text) == EventImportCounts(rows=7, accepted=5, rejected=0, duplicates=2)
    assert run(city, tmp_path, text, "b2") == EventImportCounts(rows=7, accepted=0, rejected=0, duplicates=7)
    assert len(stored(city)) == 5


def test_line_numbers_stay_right_after_blank_quoted_and_ragged_lines_in_later_blocks(
    city: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_chunks, "BLOCK_BYTES", 64)  # a few rows a block: every kind of block is met
    text = (
        HEADER + scan(1, 0) + scan(2, 1) + scan(3, 2) + "\n" + scan(4, 3) + scan(99, 4)
        + "p5,v1,2022-10-01T09:05:00,extra\n" + scan(6, 6) + 'p7,"v\n1",2022-10-01T09:07:00\n' + scan(98, 8)
    )
    counts = run(city, tmp_path, text)
    assert (counts.rows, counts.rejected) == (9, 4)
    assert rejected(tmp_path) == [
        ("7", "unknown person", "p99"), ("8", "expected 3 fields, found 4", "p5"),
        ("10", "unknown venue", "p7"), ("12", "unknown person", "p98"),
    ]


def test_bad_bytes_in_a_later_chunk_refuse_the_file_and_leave_nothing(city: Settings, tmp_path: Path) -> None:
    path = tmp_path / "scans.csv"
    path.write_bytes((HEADER + "".join(scan(i, i) for i in range(1, 8))).encode() + "p9,金水,x\n".encode("gbk"))
    with pytest.raises(RefusedFile, match="not UTF-8"):
        import_events(
            spec=FEEDS[FeedKind.scans], path=path, settings=city, batch_id="b1",
            rejects_path=tmp_path / "rejects-b1.csv", progress=False,
        )
    assert stored(city) == []
    assert not list(city.events_dir.rglob("*.parquet"))
    assert not list(tmp_path.glob("rejects-b1.csv*"))


def test_a_header_only_file_stores_nothing(city: Settings, tmp_path: Path) -> None:
    assert run(city, tmp_path, HEADER) == EventImportCounts(rows=0, accepted=0, rejected=0, duplicates=0)
    assert stored(city) == []
