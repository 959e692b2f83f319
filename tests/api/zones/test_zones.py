"""`/api/zones…`: lists scoped to the caller, approval within one's jurisdiction, GeoJSON, clocks."""

from __future__ import annotations

import pytest
from tests.service.zones.zone_city import TZ, confirm, local

from ringfence.imports import snapshots
from ringfence.zones import service


@pytest.fixture
def zones(world, session, settings):
    """P1 (B1, district D1) and P3 (B2, district D2) confirmed; the zones stored as proposals."""
    snapshots.refresh(session=session, settings=settings, names=["areas", "buildings", "people", "venues"])
    confirm(session, "P1", local(3))
    confirm(session, "P3", local(3))
    from ringfence.eventlog.store import open_store
    from ringfence.protocols.service import load

    with open_store(settings) as store:
        states = service.delineate(session=session, store=store, protocol=load("covid19-cn-9"), as_of=local(3, 12), tz=TZ)
    service.sync(session=session, states=states, as_of=local(3, 12), actor="respond", auto_approve=False)
    session.commit()
    listed = world.get("/api/zones", "commander", size=50).json()["items"]
    return {(z["level"], z["unit_id"]): z["zone_id"] for z in listed}


def test_a_district_lists_only_the_zones_of_its_subtree(world, zones):
    response = world.get("/api/zones", "district_a")

    assert response.status_code == 200
    assert sorted(z["unit_id"] for z in response.json()["items"]) == ["B1", "D1"]
    assert world.get(f"/api/zones/{zones[('high', 'B2')]}", "district_a").status_code == 404


def test_a_district_approves_its_own_zone_and_is_refused_anothers(world, zones):
    own = world.client.post(f"/api/zones/{zones[('high', 'B1')]}/approve", headers=world.headers("district_a"))
    other = world.client.post(f"/api/zones/{zones[('high', 'B2')]}/approve", headers=world.headers("district_a"))

    assert own.status_code == 200
    assert (own.json()["status"], own.json()["approved_by"]) == ("approved", "district_a")
    assert other.status_code == 403
    assert "outside your jurisdiction" in other.json()["detail"]


def test_roles_without_the_permission_cannot_approve(world, zones):
    assert world.client.post(f"/api/zones/{zones[('high', 'B1')]}/approve", headers=world.headers("analyst")).status_code == 403
    assert world.client.post(f"/api/zones/{zones[('high', 'B1')]}/approve").status_code == 401
    assert world.client.post(f"/api/zones/{zones[('high', 'B1')]}/approve", headers=world.headers("commander")).status_code == 200


def test_the_geojson_has_building_points_or_buffers_and_district_shapes(world, zones):
    points = world.get("/api/zones.geojson", "commander").json()
    buffers = world.get("/api/zones.geojson", "commander", buffer_metres=30).json()

    by_unit = {f["properties"]["unit_id"]: f for f in points["features"]}
    assert points["type"] == "FeatureCollection"
    assert by_unit["B1"]["geometry"] == {"type": "Point", "coordinates": [113.60, 34.75]}
    assert by_unit["B1"]["properties"]["level"] == "high" and by_unit["B1"]["properties"]["status"] == "proposed"
    assert by_unit["D1"]["geometry"]["type"] == "Polygon"  # no district polygon: a buffer around its buildings
    buffered = {f["properties"]["unit_id"]: f for f in buffers["features"]}["B1"]["geometry"]
    assert buffered["type"] == "Polygon"
    lons = [lon for lon, _ in buffered["coordinates"][0]]
    # 30 m at latitude 34.75° is about 0.00033° of longitude on each side
    assert max(lons) - 113.60 == pytest.approx(30 / (111_195 * 0.8216), rel=0.02)


def test_the_status_endpoint_gives_each_zone_its_clock(world, zones):
    response = world.get("/api/zones/status", "district_b", as_of="2022-10-04T12:00:00+08:00")

    assert response.status_code == 200
    rows = response.json()["zones"]
    assert [(r["level"], r["unit_id"], r["zone_id"], r["status"]) for r in rows] == [
        ("high", "B2", zones[("high", "B2")], "proposed"), ("low", "D2", zones[("low", "D2")], "proposed"),
    ]
    assert rows[0]["next_change"] == "2022-10-10"


def test_the_delineation_endpoint_gives_the_cli_document(world, zones):
    response = world.get("/api/zones/delineation", "commander", as_of="2022-10-04T12:00:00+08:00")

    assert response.status_code == 200
    assert [set(z) for z in response.json()["zones"]] == [{"level", "unit", "unit_id", "since", "residents"}] * 4
