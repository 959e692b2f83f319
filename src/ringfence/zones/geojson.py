"""Zones as GeoJSON: buildings as points (or small buffers), communities and districts as their
polygons — or, where the register has none, a buffer around their buildings' convex hull.

Buffers are drawn in metres on a local equirectangular projection centred on the shape (no pyproj:
across a city the error is far below a building's size)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.zones.kinds import ZoneUnit
from ringfence.zones.models import Zone

EARTH_RADIUS_METRES = 6_371_008.8
HULL_MARGIN_METRES = 50.0  # around a community's or district's buildings when it has no polygon


def buffered(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    """`geometry` grown by `metres`, computed on a local metric projection around its centre."""
    centre = geometry.centroid
    lon0, lat0 = centre.x, centre.y
    scale_x = EARTH_RADIUS_METRES * math.radians(1) * math.cos(math.radians(lat0))
    scale_y = EARTH_RADIUS_METRES * math.radians(1)

    def to_metres(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([(coords[:, 0] - lon0) * scale_x, (coords[:, 1] - lat0) * scale_y])

    def to_degrees(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 0] / scale_x + lon0, coords[:, 1] / scale_y + lat0])

    return shapely.transform(shapely.transform(geometry, to_metres).buffer(metres, quad_segs=8), to_degrees)


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
