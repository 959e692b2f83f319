"""Screening's event-log queries at their boundaries, with the same answers on DuckDB and Spark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.eventlog.worlds import events, home_settings, scans, write_register

from ringfence.config import Settings
from ringfence.eventlog.duckdb_store import DuckDBEventStore
from ringfence.eventlog.store import EventStore
from ringfence.protocols.service import load
from ringfence.testing import routine, screening

PROTOCOL = load("covid19-cn-9")
AS_OF = datetime(2022, 10, 3, tzinfo=UTC)
SINCE = datetime(2022, 10, 2, 6, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2022, 10, day, hour, minute, second, tzinfo=UTC)


def build_screening_world(settings: Settings) -> None:
    """Two districts; pools positive, negative, invalid, contradicted and pending; key groups; key places."""
    write_register(settings, "areas", [
        {"area_id": "zz", "level": "city", "name": "City", "path": "/zz/"},
        {"area_id": "d1", "parent_id": "zz", "level": "district", "name": "D1", "path": "/zz/d1/"},
        {"area_id": "k1", "parent_id": "d1", "level": "community", "name": "K1", "path": "/zz/d1/k1/"},
        {"area_id": "k2", "parent_id": "d1", "level": "community", "name": "K2", "path": "/zz/d1/k2/"},
        {"area_id": "d2", "parent_id": "zz", "level": "district", "name": "D2", "path": "/zz/d2/"},
        {"area_id": "k3", "parent_id": "d2", "level": "community", "name": "K3", "path": "/zz/d2/k3/"},
    ])
    write_register(settings, "buildings", [
        {"building_id": "b1", "community_id": "k1", "address": "1 Road"},
        {"building_id": "b2", "community_id": "k2", "address": "2 Road"},
        {"building_id": "b3", "community_id": "k3", "address": "3 Road"},
    ])
    people = [{"person_id": p, "building_id": "b1"} for p in ("a1", "a2", "a3", "a4", "a5", "c1", "e1", "z1")]
    people += [{"person_id": p, "building_id": "b2"}
               for p in ("e2", "f1", "f2", "g1", "h1", "h2", "i1", "i2", "j1")]
    people += [{"person_id": "y1", "building_id": "b3"}]
    people += [
        {"person_id": "r1", "building_id": "b3", "key_group": "courier", "workplace_id": "exp1"},
        {"person_id": "r2", "building_id": "b3", "key_group": "courier", "workplace_id": "exp1"},
        {"person_id": "r3", "building_id": "b3", "key_group": "medical", "workplace_id": "v1"},
        {"person_id": "r4", "building_id": "b3", "key_group": "medical", "workplace_id": "v1"},
        {"person_id": "r5", "building_id": "b3", "workplace_id": "v1"},  # a hospital's staff: a key group
        {"person_id": "r6", "building_id": "b3", "key_group": "teacher"},  # no routine frequency
    ]
    write_register(settings, "people", people)
    write_register(settings, "venues", [
        {"venue_id": "v1", "name": "Hospital", "kind": "hospital", "building_id": "b3"},
        {"venue_id": "v2", "name": "School", "kind": "school", "building_id": "b3"},
        {"venue_id": "v3", "name": "Noodles", "kind": "restaurant", "building_id": "b3"},
    ])
    sample_rows = [
        ("a1", "T1", at(2, 8)), ("a2", "T1", at(2, 8)), ("a3", "T1", at(2, 8)), ("a4", "T1", at(2, 8)),
        ("a1", "S1", at(2, 12)),  # single tube after the pool: clears a1
        ("a2", "T2", at(2, 12)), ("a5", "T2", at(2, 12)),  # a later pooled negative clears nobody
        ("a3", "S3", at(2, 8)),  # single tube at the same instant: not after
        ("a4", "S4", at(2, 7)),  # single tube before the pool
        ("c1", "S5", at(2, 9)),  # a positive single tube: a case candidate
        ("e1", "T4", at(2, 9)), ("e2", "T4", at(2, 9)),  # read positive and negative
        ("f1", "T5", at(2, 9)), ("f2", "T5", at(2, 9)),  # invalid only: covers nobody
        ("g1", "T6", at(2, 9)),  # no result yet: covers
        ("h1", "T7", at(2, 5)), ("h2", "T7", at(2, 5)),  # before the round
        ("i1", "T8", at(2, 9)), ("i2", "T8", at(2, 9)),  # positive, but reported after AS_OF
        ("j1", "S9", SINCE),  # exactly at `since`: covers
        ("r1", "R1", at(1, 0)), ("r2", "R2", at(1, 0) - timedelta(seconds=1)), ("r4", "R4", at(2, 12)),
        ("r5", "R5", at(2, 10)),
        ("s1", "K1", at(1, 12)), ("s2", "K2", at(1, 11, 59, 59)), ("s3", "K3", at(2, 8)), ("s4", "K4", at(1, 0)),
        ("s6", "K6", at(2, 6)),
    ]
    result_rows = [
        ("T1", "positive", at(2, 10)), ("T2", "negative", at(2, 14)), ("S3", "negative", at(2, 10)),
        ("S4", "negative", at(2, 8)), ("S5", "positive", at(2, 11)), ("T4", "positive", at(2, 11)),
        ("T4", "negative", at(2, 12)), ("T5", "invalid", at(2, 11)), ("T7", "negative", at(2, 6)),
        ("T8", "positive", at(3, 1)), ("S9", "negative", at(2, 10)),
        ("R1", "negative", at(1, 6)), ("R2", "negative", at(1, 6)), ("R4", "invalid", at(2, 14)),
        ("K1", "negative", at(1, 14)), ("K2", "negative", at(1, 14)), ("K3", "negative", at(2, 13)),
        ("K4", "negative", at(1, 2)), ("K6", "positive", at(2, 8)), ("K6", "negative", at(2, 9)),
    ]
    with DuckDBEventStore(settings) as store:
        store.append("samples", events("samples", [
            {"sample_id": f"x{i}", "person_id": p, "tube_id": t, "collected_at": c}
            for i, (p, t, c) in enumerate(sample_rows)
        ]), batch_id="samples")
        store.append("tube_results", events("tube_results", [
            {"tube_id": t, "result": r, "reported_at": a, "ct": 28.0 if r == "positive" else None}
            for t, r, a in result_rows
        ]), batch_id="results")
        store.append("scans", scans(
            ("s1", "v1", at(2, 12)), ("s2", "v1", at(2, 12)), ("s3", "v1", at(2, 12)), ("s4", "v1", at(2, 12)),
            ("s4", "v2", at(2, 12)), ("s6", "v2", at(2, 12)), ("s5", "v3", at(2, 12)),
            ("s5", "v2", at(1, 23)),  # before the window
        ), batch_id="scans")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = home_settings(tmp_path_factory.mktemp("screening"))
    build_screening_world(settings)
    return settings


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def store(request: pytest.FixtureRequest, world: Settings) -> Iterator[EventStore]:
    if request.param == "spark":
        request.getfixturevalue("spark_engine")
        from ringfence.eventlog.spark_store import SparkEventStore

        yield SparkEventStore(world)
        return
    with DuckDBEventStore(world) as duck:
        yield duck


def test_members_of_positive_pools_without_a_later_single_tube_are_recalled(store: EventStore) -> None:
    rows = screening.recall(store, as_of=AS_OF).to_pylist()
    assert [(r["person_id"], r["tube_id"]) for r in rows] == [
        ("a2", "T1"), ("a3", "T1"), ("a4", "T1"), ("e1", "T4"), ("e2", "T4"),
    ]
    a2 = rows[0]
    assert (a2["collected_at"], a2["reported_at"], a2["building_id"], a2["community_id"]) == (
        at(2, 8), at(2, 10), "b1", "k1"
    )


def test_a_pool_result_reported_after_the_time_judged_recalls_no_one_yet(store: EventStore) -> None:
    before = screening.recall(store, as_of=at(2, 9, 59)).to_pylist()
    assert before == []
    later = screening.recall(store, as_of=at(3, 2)).to_pylist()
    assert {r["person_id"] for r in later if r["tube_id"] == "T8"} == {"i1", "i2"}


def test_a_positive_single_tube_makes_a_case_candidate_with_its_sample(store: EventStore) -> None:
    rows = screening.candidates(store, as_of=AS_OF).to_pylist()
    assert [(r["person_id"], r["tube_id"], r["collected_at"], r["reported_at"], r["ct"]) for r in rows] == [
        ("c1", "S5", at(2, 9), at(2, 11), 28.0),
        ("s6", "K6", at(2, 6), at(2, 8), 28.0),  # contradicted, still positive until the lab settles it
    ]


def test_a_tube_read_positive_and_negative_is_flagged(store: EventStore) -> None:
    rows = screening.conflicts(store, as_of=AS_OF).to_pylist()
    assert rows == [
        {"tube_id": "K6", "positive_at": at(2, 8), "negative_at": at(2, 9), "samples": 1},
        {"tube_id": "T4", "positive_at": at(2, 11), "negative_at": at(2, 12), "samples": 2},
    ]


def test_residents_without_a_covering_sample_are_uncovered_in_any_subtree(store: EventStore) -> None:
    district = screening.uncovered(store, root_path="/zz/d1/", since=SINCE, as_of=AS_OF).to_pylist()
    assert [(r["person_id"], r["building_id"]) for r in district] == [
        ("z1", "b1"), ("f1", "b2"), ("f2", "b2"), ("h1", "b2"), ("h2", "b2"),
    ]
    community = screening.uncovered(store, root_path="/zz/d1/k2/", since=SINCE, as_of=AS_OF).to_pylist()
    assert [r["person_id"] for r in community] == ["f1", "f2", "h1", "h2"]
    city = {r["person_id"] for r in screening.uncovered(store, root_path="/zz/", since=SINCE, as_of=AS_OF).to_pylist()}
    assert {"y1", "r3", "r6", "s1"} - city == {"s1"}  # s1 is no resident: not in the register


def test_a_sample_collected_exactly_at_since_covers_and_one_a_second_earlier_does_not(store: EventStore) -> None:
    later = screening.uncovered(store, root_path="/zz/d1/k2/", since=SINCE + timedelta(seconds=1), as_of=AS_OF)
    assert "j1" in later.column("person_id").to_pylist()
    exact = screening.uncovered(store, root_path="/zz/d1/k2/", since=SINCE, as_of=AS_OF)
    assert "j1" not in exact.column("person_id").to_pylist()


def test_coverage_counts_residents_and_sampled_people_per_community(store: EventStore) -> None:
    rows = screening.coverage_by_community(store, root_path="/zz/d1/", since=SINCE, as_of=AS_OF).to_pylist()
    assert rows == [
        {"community_id": "k1", "residents": 8, "sampled": 7},
        {"community_id": "k2", "residents": 9, "sampled": 5},
    ]


def test_the_round_tubes_are_counted_by_state(store: EventStore) -> None:
    figures = screening.round_tubes(store, root_path="/zz/d1/", since=SINCE, as_of=AS_OF)
    assert figures == screening.TubeFigures(
        tubes=11, pending=3, invalid=1, positive_pools=2, positive_singles=1, conflicts=1
    )


def test_tube_states_say_pending_positive_and_conflict(store: EventStore) -> None:
    rows = screening.tube_states(store, tube_ids=["T4", "T6", "T5", "nope"], as_of=AS_OF).to_pylist()
    assert rows == [
        {"tube_id": "T4", "samples": 2, "state": "positive", "conflict": True},
        {"tube_id": "T5", "samples": 2, "state": "invalid", "conflict": False},
        {"tube_id": "T6", "samples": 1, "state": "pending", "conflict": False},
    ]


def test_key_group_members_are_overdue_once_past_their_group_frequency(store: EventStore) -> None:
    rows = routine.routine_members(
        store, rules=PROTOCOL.screening, key_places=PROTOCOL.key_places, as_of=AS_OF
    ).to_pylist()
    judged = {r["person_id"]: (r["key_group"], r["workplace_id"], r["overdue"]) for r in rows}
    assert judged == {
        "r1": ("courier", "exp1", False),  # sampled exactly 48 h before
        "r2": ("courier", "exp1", True),  # a second more
        "r3": ("medical", "v1", True),  # never sampled
        "r4": ("medical", "v1", True),  # only an invalid tube
        "r5": ("key_place_staff", "v1", False),  # a hospital's staff, sampled, result pending
    }
    r1 = next(r for r in rows if r["person_id"] == "r1")
    assert (r1["last_sampled_at"], r1["due_at"], r1["hours"]) == (at(1, 0), AS_OF, 48)


def test_check_ins_at_key_places_without_a_recent_known_negative_are_violations(store: EventStore) -> None:
    rows = routine.venue_check_violations(
        store, key_places=PROTOCOL.key_places, start=at(2, 0), end=AS_OF, as_of=AS_OF
    ).to_pylist()
    assert [(r["venue_id"], r["person_id"], r["hours"], r["last_negative_at"]) for r in rows] == [
        ("v1", "s2", 24, at(1, 11, 59, 59)),  # a second too old for a hospital
        ("v1", "s3", 24, None),  # negative taken in time, but reported after the scan
        ("v1", "s4", 24, at(1, 0)),  # 36 h: enough for a school, not for a hospital
        ("v2", "s6", 48, None),  # a tube read positive and negative is no negative
    ]
    assert {r["day"] for r in rows} == {date(2022, 10, 2)}


def test_key_place_check_ins_are_counted_per_venue_and_day(store: EventStore) -> None:
    rows = routine.key_place_checkins(
        store, key_places=PROTOCOL.key_places, start=at(2, 0), end=AS_OF, as_of=AS_OF
    ).to_pylist()
    assert [(r["venue_id"], r["kind"], r["day"], r["checkins"]) for r in rows] == [
        ("v1", "hospital", date(2022, 10, 2), 4), ("v2", "school", date(2022, 10, 2), 2),
    ]


def test_samples_of_named_people_leave_out_invalid_tubes(store: EventStore) -> None:
    rows = routine.samples_of(
        store, person_ids=["r4", "r5", "f1", "g1"], start=at(2, 0), end=AS_OF, as_of=AS_OF
    ).to_pylist()
    assert [(r["person_id"], r["collected_at"]) for r in rows] == [("g1", at(2, 9)), ("r5", at(2, 10))]
