"""Importing samples, tube results, phone locations and sentinel reports into the event log."""

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
        {"person_id": "p1", "id_number": "410101199001010011", "phone": "13900000001"},
        {"person_id": "p2", "id_number": "410101199002020022", "phone": "13900000002"},
    ])
    return settings


def run(settings: Settings, kind: FeedKind, tmp_path: Path, text: str, batch_id: str = "b1") -> EventImportCounts:
    path = tmp_path / f"{kind.value}-{batch_id}.csv"
    path.write_text(text.lstrip(), encoding="utf-8")
    return import_events(
        spec=FEEDS[kind], path=path, settings=settings, batch_id=batch_id,
        rejects_path=tmp_path / f"rejects-{batch_id}.csv", progress=False,
    )


def reasons(tmp_path: Path, batch_id: str = "b1") -> list[tuple[str, str]]:
    with open(tmp_path / f"rejects-{batch_id}.csv", encoding="utf-8", newline="") as handle:
        return [(row["line"], row["reason"]) for row in csv.DictReader(handle)]


def query(settings: Settings, sql: str) -> list[dict]:
    with open_store(settings) as store:
        return store.query(sql).to_pylist()


SAMPLES = """
sample_id,person_id,tube_id,collected_at,site_id,round_id
s1,p1,t1,2022-10-01T08:00:00,site1,r1
s2,p2,t1,2022-10-01T08:01:00,site1,r1
s3,p9,t2,2022-10-01T08:02:00,site1,r1
s4,p2,,2022-10-01T08:03:00,site1,r1
"""


def test_samples_are_kept_before_their_tube_has_a_result(city: Settings, tmp_path: Path) -> None:
    counts = run(city, FeedKind.samples, tmp_path, SAMPLES)
    assert counts == EventImportCounts(rows=4, accepted=2, rejected=2, duplicates=0)
    assert reasons(tmp_path) == [("4", "unknown person"), ("5", "missing tube_id")]
    rows = query(city, "SELECT sample_id, person_id, collected_at, round_id FROM samples ORDER BY sample_id")
    assert rows[0] == {"sample_id": "s1", "person_id": "p1", "collected_at": utc(2022, 10, 1, 0), "round_id": "r1"}


def test_a_sample_sent_twice_is_one_sample(city: Settings, tmp_path: Path) -> None:
    run(city, FeedKind.samples, tmp_path, SAMPLES, "b1")
    again = run(city, FeedKind.samples, tmp_path, "sample_id,person_id,tube_id,collected_at\ns1,p1,t1,2022-10-01T08:00:00\n", "b2")
    assert (again.accepted, again.duplicates) == (0, 1)


def test_a_tube_result_for_a_tube_with_no_samples_is_rejected(city: Settings, tmp_path: Path) -> None:
    run(city, FeedKind.samples, tmp_path, SAMPLES, "samples")
    counts = run(city, FeedKind.tube_results, tmp_path, """
tube_id,result,reported_at,lab_id,ct
t1,positive,2022-10-01T20:00:00+08:00,lab1,24.5
t7,negative,2022-10-01T20:00:00+08:00,lab1,
t1,Positive,2022-10-01T20:00:00+08:00,lab1,
t1,invalid,2022-10-01T21:00:00+08:00,lab1,high
t1,negative,2022-10-01T22:00:00+08:00,lab1,
""")
    assert counts == EventImportCounts(rows=5, accepted=2, rejected=3, duplicates=0)
    assert reasons(tmp_path) == [
        ("3", "tube has no samples"),
        ("4", "result must be one of negative/positive/invalid"),
        ("5", "ct is not a number"),
    ]
    rows = query(city, "SELECT tube_id, result, reported_at, ct FROM tube_results ORDER BY reported_at")
    assert rows[0] == {"tube_id": "t1", "result": "positive", "reported_at": utc(2022, 10, 1, 12), "ct": 24.5}


def test_locations_need_coordinates_in_range_and_a_stay_that_ends_after_it_starts(
    city: Settings, tmp_path: Path
) -> None:
    counts = run(city, FeedKind.locations, tmp_path, """
phone,lon,lat,start_at,end_at
13900000001,113.65,34.75,2022-10-01T08:00:00,2022-10-01T08:30:00
13900000001,213.65,34.75,2022-10-01T09:00:00,2022-10-01T09:30:00
13900000001,east,34.75,2022-10-01T09:00:00,2022-10-01T09:30:00
13900000001,113.65,34.75,2022-10-01T10:00:00,2022-10-01T10:00:00
,113.65,34.75,2022-10-01T10:00:00,2022-10-01T11:00:00
""")
    assert (counts.accepted, counts.rejected) == (1, 4)
    assert reasons(tmp_path) == [
        ("3", "lon is outside -180..180"), ("4", "lon is not a number"),
        ("5", "end_at is not after start_at"), ("6", "missing phone"),
    ]


def test_sentinel_reports_may_name_no_one_but_not_someone_unknown(city: Settings, tmp_path: Path) -> None:
    counts = run(city, FeedKind.sentinel, tmp_path, """
site_id,site_kind,occurred_at,category,phone,count
ph1,pharmacy,2022-10-01T10:00:00,antipyretic,13900000001,2
ph1,pharmacy,2022-10-01T10:05:00,antitussive,,1
fc1,fever_clinic,2022-10-01T10:10:00,fever,13999999999,1
ph1,drugstore,2022-10-01T10:15:00,antipyretic,,1
ph1,pharmacy,2022-10-01T10:20:00,antipyretic,,1.5
""")
    assert (counts.accepted, counts.rejected) == (2, 3)
    assert reasons(tmp_path) == [
        ("4", "unknown person"), ("5", "site_kind must be one of pharmacy/fever_clinic"),
        ("6", "count is not a whole number"),
    ]
    rows = query(city, "SELECT person_id, category, \"count\" FROM sentinel ORDER BY occurred_at")
    assert rows == [
        {"person_id": "p1", "category": "antipyretic", "count": 2},
        {"person_id": None, "category": "antitussive", "count": 1},
    ]


def test_sentinel_files_without_a_person_column_are_accepted(city: Settings, tmp_path: Path) -> None:
    counts = run(city, FeedKind.sentinel, tmp_path, """
site_id,site_kind,occurred_at,category
ph1,pharmacy,2022-10-01T10:00:00,antipyretic
""")
    assert counts.accepted == 1
    assert query(city, "SELECT person_id, \"count\" FROM sentinel") == [{"person_id": None, "count": None}]
