from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from tests.service.imports.feeds import AREAS, count, feed, rejects, run, seed_city

from ringfence.areas.models import Building
from ringfence.enterprises.models import Enterprise
from ringfence.imports.snapshots import snapshot_path
from ringfence.isolation.models import Facility, Room
from ringfence.venues.models import Venue


def reasons_by_line(result) -> dict[int, str]:
    return {int(r["line"]): r["reason"] for r in rejects(result)}


def test_buildings_need_a_stored_community_and_coordinates_in_range(settings, engine, tmp_path) -> None:
    feed(settings, tmp_path, "areas", AREAS)
    base = {"address": "x", "lon": "113.7", "lat": "34.7"}
    rows = [
        {**base, "building_id": "b1", "community_id": "k1"},
        {**base, "building_id": "b2", "community_id": "k9"},
        {**base, "building_id": "b3", "community_id": "fengchan"},
        {**base, "building_id": "b4", "community_id": "k1", "lon": "east"},
        {**base, "building_id": "b5", "community_id": "k1", "lat": "95"},
        {**base, "building_id": "", "community_id": "k1"},
    ]
    result = feed(settings, tmp_path, "buildings", rows)
    assert (result.rows, result.accepted, result.rejected) == (6, 1, 5)
    reasons = reasons_by_line(result)
    assert reasons[3] == "unknown community k9"
    assert reasons[4] == "area fengchan is a subdistrict, not a community"
    assert reasons[5] == "lon 'east' is not a number"
    assert "not a latitude" in reasons[6]
    assert reasons[7] == "building_id is empty"
    assert count(engine, Building) == 1


def test_the_rejects_file_keeps_the_original_row_after_line_and_reason(settings, tmp_path) -> None:
    feed(settings, tmp_path, "areas", AREAS)
    result = feed(
        settings, tmp_path, "buildings",
        [{"building_id": "b1", "community_id": "k9", "address": " 1 Road ", "lon": "113.7", "lat": "34.7"}],
    )
    with open(result.rejects_path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines == [
        "line,reason,building_id,community_id,address,lon,lat",
        "2,unknown community k9,b1,k9, 1 Road ,113.7,34.7",
    ]


def test_a_changed_register_row_updates_and_an_identical_one_is_a_duplicate(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [
        {"building_id": "b1", "community_id": "k1", "address": "1 Weilai Road", "lon": "113.70", "lat": "34.78"},
        {"building_id": "b2", "community_id": "k1", "address": "2 Weilai Road", "lon": "113.71", "lat": "34.79"},
    ]
    result = feed(settings, tmp_path, "buildings", rows)
    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, 0)
    with engine.connect() as conn:
        assert conn.execute(select(Building.community_id).where(Building.building_id == "b2")).scalar_one() == "k1"
    snapshot = pq.read_table(snapshot_path(settings, "buildings")).to_pylist()
    assert {r["building_id"]: r["community_id"] for r in snapshot} == {"b1": "k1", "b2": "k1"}


def test_a_key_repeated_in_one_file_counts_once_and_the_later_row_wins(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    venue = {"venue_id": "v1", "name": "Market", "kind": "market", "lon": "113.7", "lat": "34.7"}
    result = feed(settings, tmp_path, "venues", [venue, venue, {**venue, "name": "Big Market"}])
    assert (result.rows, result.accepted, result.duplicates) == (3, 2, 1)
    with engine.connect() as conn:
        assert conn.execute(select(Venue.name)).scalars().all() == ["Big Market"]


def test_venues_take_an_optional_building_that_must_exist_and_a_positive_dwell(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    base = {"name": "Shop", "kind": "shop", "lon": "113.7", "lat": "34.7", "building_id": "", "dwell_minutes": ""}
    rows = [
        {**base, "venue_id": "v1"},
        {**base, "venue_id": "v2", "building_id": "b1", "dwell_minutes": "45"},
        {**base, "venue_id": "v3", "building_id": "b404"},
        {**base, "venue_id": "v4", "dwell_minutes": "0"},
        {**base, "venue_id": "v5", "dwell_minutes": "12.5"},
    ]
    result = feed(settings, tmp_path, "venues", rows)
    assert (result.accepted, result.rejected) == (2, 3)
    reasons = reasons_by_line(result)
    assert reasons[4] == "unknown building b404"
    assert "positive whole number" in reasons[5] and "positive whole number" in reasons[6]
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Venue.venue_id, Venue.dwell_minutes)).all())
    assert stored == {"v1": None, "v2": 45}
    snapshot = pq.read_table(snapshot_path(settings, "venues"))
    assert snapshot.column_names == ["venue_id", "name", "kind", "lon", "lat", "building_id", "dwell_minutes"]
    assert snapshot.schema.field("dwell_minutes").type == pa.int64()


def test_an_optional_column_the_file_lacks_leaves_stored_values_alone(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    venue = {"venue_id": "v1", "name": "Market", "kind": "market", "lon": "113.7", "lat": "34.7"}
    feed(settings, tmp_path, "venues", [{**venue, "building_id": "b1", "dwell_minutes": "60"}], name="full.csv")
    result = feed(settings, tmp_path, "venues", [venue], name="short.csv")
    assert result.duplicates == 1
    with engine.connect() as conn:
        assert conn.execute(select(Venue.building_id, Venue.dwell_minutes)).one() == ("b1", 60)


def test_rooms_need_a_stored_facility_and_a_positive_capacity(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    facilities = [
        {"facility_id": "f1", "name": "Hotel", "kind": "hotel", "building_id": "b1"},
        {"facility_id": "f2", "name": "Cabin", "kind": "fangcang", "building_id": "b9"},
    ]
    assert feed(settings, tmp_path, "facilities", facilities).rejected == 1
    rooms = [
        {"facility_id": "f1", "room_id": "101", "capacity": "1"},
        {"facility_id": "f1", "room_id": "102", "capacity": "2"},
        {"facility_id": "f2", "room_id": "101", "capacity": "1"},
        {"facility_id": "f1", "room_id": "103", "capacity": "-1"},
        {"facility_id": "f1", "room_id": "104", "capacity": "two"},
    ]
    result = feed(settings, tmp_path, "rooms", rooms)
    assert (result.accepted, result.rejected) == (2, 3)
    assert reasons_by_line(result)[4] == "unknown facility f2"
    again = feed(settings, tmp_path, "rooms", rooms[:2], name="rooms-again.csv")
    assert (again.accepted, again.duplicates) == (0, 2)
    assert count(engine, Room) == 2 and count(engine, Facility) == 1


def test_enterprise_flags_read_true_false_one_zero_yes_no(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    base = {"name": "Foxconn", "building_id": "b1", "industry": "electronics"}
    rows = [
        {**base, "enterprise_id": "e1", "whitelisted": "yes", "closed_loop": "1"},
        {**base, "enterprise_id": "e2", "whitelisted": "FALSE", "closed_loop": "no"},
        {**base, "enterprise_id": "e3", "whitelisted": "", "closed_loop": "true"},
        {**base, "enterprise_id": "e4", "whitelisted": "maybe", "closed_loop": "0"},
        {**base, "enterprise_id": "e5", "building_id": "", "whitelisted": "1", "closed_loop": "1"},
    ]
    result = feed(settings, tmp_path, "enterprises", rows)
    assert (result.accepted, result.rejected) == (3, 2)
    reasons = reasons_by_line(result)
    assert "whitelisted 'maybe' is not true/false" in reasons[5]
    assert reasons[6] == "building_id is empty"
    with engine.connect() as conn:
        flags = {r.enterprise_id: (r.whitelisted, r.closed_loop) for r in conn.execute(select(Enterprise))}
    assert flags == {"e1": (True, True), "e2": (False, False), "e3": (False, True)}


def test_it_reads_parquet_with_typed_columns(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    table = pa.table({
        "venue_id": ["v1", "v2", "v3"],
        "name": ["Market", "Mall", "Nowhere"],
        "kind": ["market", "mall", "mall"],
        "lon": [113.7, 113.71, None],
        "lat": [34.7, 34.71, 34.7],
        "dwell_minutes": pa.array([30, None, 20], type=pa.int32()),
    })
    path = tmp_path / "venues.parquet"
    pq.write_table(table, path)
    result = run(settings, "venues", path)
    assert (result.rows, result.accepted, result.rejected) == (3, 2, 1)
    assert rejects(result)[0]["line"] == "4" and rejects(result)[0]["reason"] == "lon is empty"
    with engine.connect() as conn:
        stored = {r.venue_id: (r.lon, r.dwell_minutes) for r in conn.execute(select(Venue))}
    assert stored == {"v1": (113.7, 30), "v2": (113.71, None)}
    again = run(settings, "venues", path)
    assert (again.accepted, again.duplicates) == (0, 2)
