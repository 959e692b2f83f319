"""The event-log queries of delineation give the same facts on DuckDB and on Spark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.eventlog.worlds import events, home_settings, scans, write_register
from tests.support import require_spark

from ringfence.eventlog.store import open_store
from ringfence.protocols.service import load
from ringfence.tracing.rules import CaseFacts
from ringfence.zones import facts
from ringfence.zones.kinds import Hit, UnitKey, ZoneLevel, ZoneUnit

PROTOCOL = load("covid19-cn-9")
CONFIRMED = datetime(2022, 10, 5, 2, tzinfo=UTC)
AS_OF = datetime(2022, 10, 12, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def spark() -> Iterator[None]:
    require_spark()
    from ringfence.eventlog.spark_store import spark_session, stop_spark_session

    spark_session()
    yield
    stop_spark_session()


def _world(tmp_path, engine: str):
    settings = home_settings(tmp_path, event_engine=engine)
    write_register(settings, "areas", [
        {"area_id": "C", "level": "city", "path": "/C/"},
        {"area_id": "D1", "parent_id": "C", "level": "district", "path": "/C/D1/"},
        {"area_id": "M1", "parent_id": "D1", "level": "community", "path": "/C/D1/M1/"},
    ])
    write_register(settings, "buildings", [{"building_id": b, "community_id": "M1"} for b in ("B1", "B2", "B3")])
    write_register(settings, "people", [
        {"person_id": "P1", "building_id": "B1"}, {"person_id": "P2", "building_id": "B1"},
        {"person_id": "P3", "building_id": "B1"}, {"person_id": "P4", "building_id": "B2"},
    ])
    write_register(settings, "venues", [
        {"venue_id": "V2", "kind": "market", "building_id": "B2"}, {"venue_id": "V0", "kind": "market"},
        {"venue_id": "V3", "kind": "shop", "building_id": "B3", "dwell_minutes": 45},
    ])
    with open_store(settings) as store:
        store.append("scans", scans(
            ("P1", "V2", datetime(2022, 10, 4, 3, tzinfo=UTC), datetime(2022, 10, 4, 3, 35, tzinfo=UTC)),
            ("P1", "V2", datetime(2022, 10, 4, 5, tzinfo=UTC), datetime(2022, 10, 4, 5, 20, tzinfo=UTC)),
            ("P1", "V0", datetime(2022, 10, 4, 6, tzinfo=UTC)),
            ("P1", "V3", datetime(2022, 10, 4, 8, tzinfo=UTC)),  # the venue's own 45 minutes
            ("P1", "V2", datetime(2022, 10, 5, 1, 50, tzinfo=UTC)),  # 10 of its 40 minutes before confirmation
        ), batch_id="scans")
        store.append("samples", events("samples", [
            {"sample_id": f"S{p}", "person_id": p, "tube_id": t, "collected_at": datetime(2022, 10, 12, 1, tzinfo=UTC)}
            for p, t in (("P1", "T1"), ("P2", "T2"), ("P3", "T3"), ("P4", "T4"))
        ]), batch_id="samples")
        store.append("tube_results", events("tube_results", [
            {"tube_id": "T1", "result": "positive", "reported_at": datetime(2022, 10, 12, 5, tzinfo=UTC)},
            {"tube_id": "T2", "result": "negative", "reported_at": datetime(2022, 10, 12, 5, tzinfo=UTC)},
            {"tube_id": "T4", "result": "invalid", "reported_at": datetime(2022, 10, 12, 5, tzinfo=UTC)},
        ]), batch_id="results")
    return settings


def _facts(settings) -> tuple:
    tz = settings.tz
    hits = {UnitKey(ZoneUnit.building, "B1"): [Hit(CONFIRMED, ZoneLevel.high, "P1")],
            UnitKey(ZoneUnit.building, "B2"): [Hit(CONFIRMED, ZoneLevel.medium, "P1")]}
    with open_store(settings) as store:
        stays = facts.long_stays(store, [CaseFacts("P1", CONFIRMED)], PROTOCOL, as_of=AS_OF, tz=tz)
        city = facts.city_map(store, [*hits, UnitKey(ZoneUnit.building, "B3")])
        verdicts = facts.round_verdicts(store, hits, city, cases=["P1"], as_of=AS_OF, tz=tz)
    return (
        sorted((s.building_id, round(s.minutes)) for s in stays),
        dict(city.residents), city.community_district,
        {unit.unit_id: {d.isoformat(): (v.negative, v.pending, v.positive) for d, v in days.items()}
         for unit, days in verdicts.items()},
    )


def _expected() -> tuple:
    return (
        [("B2", 35), ("B3", 45)],
        {UnitKey(ZoneUnit.building, "B1"): 3, UnitKey(ZoneUnit.building, "B2"): 1, UnitKey(ZoneUnit.building, "B3"): 0,
         UnitKey(ZoneUnit.community, "M1"): 4, UnitKey(ZoneUnit.district, "D1"): 4},
        {"M1": "D1", "D1": "D1"},
        # P1 is the case (left out); P2 negative; P3's tube has no result; P4's only result is invalid
        {"B1": {"2022-10-12": (1, 1, 0)}, "B2": {"2022-10-12": (0, 0, 0)}},
    )


def test_the_queries_give_the_expected_facts_on_duckdb(tmp_path):
    assert _facts(_world(tmp_path, "duckdb")) == _expected()


def test_the_queries_give_the_same_facts_on_spark(tmp_path, spark):
    assert _facts(_world(tmp_path, "spark")) == _expected()
