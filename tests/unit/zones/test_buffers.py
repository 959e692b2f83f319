"""Zone buffers are drawn in metres on a local projection: R metres is R metres on the ground."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiPoint, Point

from ringfence.zones.geojson import buffered

GEOD = Geod(ellps="WGS84")
ZHENGZHOU = (113.65, 34.76)


def geodesic_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("metres", [30.0, 500.0, 5000.0])
def test_a_buffer_around_a_point_has_its_vertices_r_metres_away_on_the_ground(metres: float) -> None:
    ring = buffered(Point(*ZHENGZHOU), metres).exterior.coords
    distances = [geodesic_metres(ZHENGZHOU, vertex) for vertex in ring]
    assert len(distances) >= 32
    assert distances == pytest.approx([metres] * len(distances), rel=0.005)


def test_the_buffer_is_in_lon_lat_order_with_a_closed_counter_clockwise_ring() -> None:
    polygon = buffered(Point(*ZHENGZHOU), 100.0)
    ring = polygon.exterior
    assert ring.coords[0] == ring.coords[-1]
    assert ring.is_ccw
    lons, lats = zip(*ring.coords, strict=True)
    assert 113.64 < min(lons) < 113.65 < max(lons) < 113.66
    assert 34.75 < min(lats) < 34.76 < max(lats) < 34.77
    # a metre is fewer degrees of latitude than of longitude at 34.76° N: the circle is taller in degrees
    assert (max(lats) - min(lats)) < (max(lons) - min(lons))


def test_a_hull_of_buildings_is_grown_by_the_margin_on_every_side() -> None:
    west, east = (113.640, 34.760), (113.660, 34.760)
    grown = buffered(MultiPoint([west, east]).convex_hull, 50.0)
    assert isinstance(MultiPoint([west, east]).convex_hull, LineString)
    lons, lats = zip(*grown.exterior.coords, strict=True)
    assert geodesic_metres(west, (min(lons), west[1])) == pytest.approx(50.0, rel=0.005)
    assert geodesic_metres(east, (max(lons), east[1])) == pytest.approx(50.0, rel=0.005)
    assert geodesic_metres((113.65, 34.76), (113.65, max(lats))) == pytest.approx(50.0, rel=0.005)
