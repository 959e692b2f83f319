"""Zones as GeoJSON (RFC 7946: WGS84 lon/lat, closed rings, exteriors counter-clockwise): buildings as
points (or small buffers), communities and districts as their polygons — or, where the register has
none, a buffer around their buildings' convex hull.

Buffers are drawn in metres on a local azimuthal-equidistant projection (pyproj, WGS84 ellipsoid) and
transformed back, so a buffer of R metres has its vertices R metres (geodesic) from the point."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.zones.kinds import ZoneUnit
from ringfence.zones.models import Zone

HULL_MARGIN_METRES = 50.0  # around a community's or district's buildings when it has no polygon
# Projection centres are rounded to this many degrees (about 11 km) so a city needs few transformers
# (each takes milliseconds to build): 10 km from its centre, an azimuthal-equidistant projection's
# scale is off by under 1e-6, far below a building's size.
CENTRE_STEP_DEGREES = 0.1
WGS84 = CRS.from_epsg(4326)


@lru_cache(maxsize=256)
def _local_projection(lon0: float, lat0: float) -> tuple[Transformer, Transformer]:
    """WGS84 lon/lat → metres on an azimuthal-equidistant plane centred at (lon0, lat0), and back."""
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs")
    return (Transformer.from_crs(WGS84, local, always_xy=True), Transformer.from_crs(local, WGS84, always_xy=True))


def buffered(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    """`geometry` (lon/lat) grown by `metres`, drawn in metres on a local projection; exteriors counter-clockwise."""
    centre = geometry.centroid
    forward, back = _local_projection(_rounded(centre.x), _rounded(centre.y))
    in_metres = shapely.transform(geometry, _through(forward))
    grown = shapely.transform(in_metres.buffer(metres, quad_segs=8), _through(back))
    return orient(grown, sign=1.0) if isinstance(grown, Polygon) else grown


def _through(transformer: Transformer) -> Callable[[np.ndarray], np.ndarray]:
    """An (n, 2) coordinate array through `transformer`, as `shapely.transform` calls it (one call per geometry)."""
    return lambda coords: np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))


def _rounded(degrees: float) -> float:
    return round(round(degrees / CENTRE_STEP_DEGREES) * CENTRE_STEP_DEGREES, 6)


def feature_collection(*, session: Session, zones: Sequence[Zone], buffer_metres: float | None = None) -> dict:
    """A FeatureCollection of `zones` with properties zone_id, level, unit, unit_id, since, residents, status."""
    by_unit: dict[ZoneUnit, set[str]] = defaultdict(set)
    for zone in zones:
        by_unit[zone.unit].add(zone.unit_id)
    points = _building_points(session, by_unit[ZoneUnit.building])
    areas = {a.area_id: a for a in _areas(session, by_unit[ZoneUnit.community] | by_unit[ZoneUnit.district])}
    features = []
    for zone in zones:
        geometry = _geometry(session, zone, points, areas, buffer_metres)
        features.append({
            "type": "Feature",
            "geometry": mapping(geometry) if geometry is not None else None,
            "properties": {
                "zone_id": zone.zone_id, "level": zone.level.value, "unit": zone.unit.value, "unit_id": zone.unit_id,
                "since": zone.since.isoformat(), "residents": zone.residents, "status": zone.status.value,
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _geometry(session: Session, zone: Zone, points: dict[str, Point], areas: dict[str, Area],
              buffer_metres: float | None) -> BaseGeometry | None:
    if zone.unit is ZoneUnit.building:
        point = points.get(zone.unit_id)
        if point is None or not buffer_metres:
            return point
        return buffered(point, buffer_metres)
    area = areas.get(zone.unit_id)
    polygon = _polygon(area.geometry) if area is not None else None
    if polygon is not None:
        return polygon
    inside = _buildings_under(session, area) if area is not None else []
    if not inside:
        return None
    return buffered(MultiPoint(inside).convex_hull, buffer_metres or HULL_MARGIN_METRES)


def _polygon(text: str | None) -> BaseGeometry | None:
    """The area's GeoJSON geometry, or None when it has none (or shapely cannot read it)."""
    if not text:
        return None
    try:
        geometry = shape(json.loads(text))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return None if geometry.is_empty else geometry


def _building_points(session: Session, building_ids: set[str]) -> dict[str, Point]:
    ids = sorted(building_ids)
    found = {}
    for start in range(0, len(ids), 500):
        query = select(Building.building_id, Building.lon, Building.lat).where(Building.building_id.in_(ids[start:start + 500]))
        found.update({b: Point(lon, lat) for b, lon, lat in session.execute(query)})
    return found


def _areas(session: Session, area_ids: set[str]) -> list[Area]:
    ids = sorted(area_ids)
    return [a for start in range(0, len(ids), 500)
            for a in session.scalars(select(Area).where(Area.area_id.in_(ids[start:start + 500])))]


def _buildings_under(session: Session, area: Area) -> list[tuple[float, float]]:
    query = (select(Building.lon, Building.lat).join(Area, Area.area_id == Building.community_id)
             .where(in_subtree(Area.path, area.path)))
    return [(lon, lat) for lon, lat in session.execute(query)]
