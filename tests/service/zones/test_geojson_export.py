"""Zones exported as GeoJSON: valid RFC 7946 shapes, buffers R metres wide on the ground."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod
from shapely.geometry import shape
from sqlalchemy import select
from tests.service.zones.zone_city import build, confirm, delineate, local

from ringfence.zones import geojson, service
from ringfence.zones.models import Zone

GEOD = Geod(ellps="WGS84")
B1 = (113.60, 34.75)  # the building of P1 in the small city


@pytest.fixture
def zones(session, settings) -> list[Zone]:
    """P1 confirmed: a high zone for building B1, a low zone for district D1 (which has no polygon)."""
    build(session, settings)
    confirm(session, "P1", local(3))
    service.sync(session=session, states=delineate(session, settings, local(3, 12)), as_of=local(3, 12),
                 actor="respond", auto_approve=False)
    session.commit()
    return list(session.scalars(select(Zone).order_by(Zone.zone_id)))


def exported(session, zones: list[Zone], buffer_metres: float | None) -> dict[str, dict]:
    collection = json.loads(json.dumps(geojson.feature_collection(session=session, zones=zones,
                                                                  buffer_metres=buffer_metres)))
    assert collection["type"] == "FeatureCollection"
    return {f["properties"]["unit_id"]: f["geometry"] for f in collection["features"]}


def assert_valid_polygon(geometry: dict) -> None:
    assert geometry["type"] == "Polygon"
    for ring in geometry["coordinates"]:
        assert len(ring) >= 4 and ring[0] == ring[-1]  # closed
        assert all(113 < lon < 114 and 34 < lat < 35 for lon, lat in ring)  # lon/lat order, in Zhengzhou
    polygon = shape(geometry)
    assert polygon.is_valid and polygon.exterior.is_ccw


def test_a_building_buffer_has_its_vertices_r_metres_from_the_building(session, zones) -> None:
    by_unit = exported(session, zones, buffer_metres=40.0)
    assert_valid_polygon(by_unit["B1"])
    ring = by_unit["B1"]["coordinates"][0]
    distances = [GEOD.inv(B1[0], B1[1], lon, lat)[2] for lon, lat in ring]
    assert distances == pytest.approx([40.0] * len(ring), rel=0.005)


def test_a_district_without_a_polygon_is_its_buildings_grown_by_the_margin(session, zones) -> None:
    by_unit = exported(session, zones, buffer_metres=None)
    assert by_unit["B1"] == {"type": "Point", "coordinates": list(B1)}
    assert_valid_polygon(by_unit["D1"])  # D1 holds one building, B1: a disc around it
    distances = [GEOD.inv(B1[0], B1[1], lon, lat)[2] for lon, lat in by_unit["D1"]["coordinates"][0]]
    assert distances == pytest.approx([geojson.HULL_MARGIN_METRES] * len(distances), rel=0.005)
