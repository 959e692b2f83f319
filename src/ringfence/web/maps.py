"""The dashboard map's GeoJSON layers and its drill-down rows, for one area of the caller's jurisdiction.

Every layer comes from a domain service that scopes it: the area tree (areas), risk areas (zones),
active cases (cases, placed at their home building, no name on the map) and isolation sites (isolation).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ringfence.areas import service as areas_service
from ringfence.areas.models import Area, AreaLevel, Building
from ringfence.auth.rules import Permission, Scope
from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, CaseStatus
from ringfence.core.errors import NotFound
from ringfence.people.models import Person

ZONE_BUFFER_METRES = 60.0  # a building-level risk area is drawn as a small disc around the building
RECENT_DAYS = 7
ACTIVE_CASE_STATUSES = (CaseStatus.confirmed, CaseStatus.isolated)


@dataclass(frozen=True)
class DrillRow:
    """One child area under the map: what it holds of the situation."""

    area_id: str
    name: str
    level: str
    drillable: bool
    cases_7_days: int
    active_cases: int
    zones: int
    overdue_tasks: int


def root_area(*, session: Session, scope: Scope, area_id: str | None) -> Area:
    """The area asked for, or the top of the caller's jurisdiction (the city for city-wide roles)."""
    if area_id:
        return areas_service.get(session=session, scope=scope, area_id=area_id)
    if scope.subtree is not None:
        found = session.scalar(select(Area).where(Area.path == scope.subtree))
    else:
        found = session.scalar(select(Area).where(Area.level == AreaLevel.city).order_by(Area.path))
    if found is None:
        raise NotFound("no area registered yet")
    return found


def breadcrumbs(*, session: Session, scope: Scope, area: Area) -> list[Area]:
    """The visible ancestors of `area` from the top down, and `area` itself."""
    ids = [part for part in area.path.strip("/").split("/") if part]
    trail = [areas_service.find(session=session, scope=scope, area_id=i) for i in ids]
    return [a for a in trail if a is not None]


def _feature(geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _geometry(text: str | None) -> dict | None:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def area_layer(*, session: Session, scope: Scope, root: Area) -> dict:
    """The root's children as polygons (the base map), with the root's outline first."""
    features = [_feature(_geometry(root.geometry), {"area_id": root.area_id, "name": root.name,
                                                     "level": root.level.value, "root": True, "drillable": False})]
    for child in areas_service.children(session=session, scope=scope, area_id=root.area_id):
        features.append(_feature(_geometry(child.geometry), {
            "area_id": child.area_id, "name": child.name, "level": child.level.value, "root": False,
            "drillable": child.level is not AreaLevel.community,
        }))
    return {"type": "FeatureCollection", "features": [f for f in features if f["geometry"] is not None]}


def active_cases(*, session: Session, scope: Scope, root: Area) -> list[tuple[Case, str, float, float]]:
    """Active cases living under `root` (inside the jurisdiction): the case, community path, home position."""
    # aliases of their own: for territorial roles the scoped query has joined Person and Building already
    community = aliased(Area)
    home = aliased(Person)
    building = aliased(Building)
    query = (
        cases_service.in_scope(select(Case), scope)
        .join(home, home.person_id == Case.person_id)
        .join(building, building.building_id == home.building_id)
        .join(community, community.area_id == building.community_id)
        .where(Case.status.in_(ACTIVE_CASE_STATUSES), areas_service.in_subtree(community.path, root.path))
        .add_columns(community.path, building.lon, building.lat)
        .order_by(Case.case_id)
    )
    return [(case, path, lon, lat) for case, path, lon, lat in session.execute(query)]


def case_layer(cases: list[tuple[Case, str, float, float]], *, since: datetime) -> dict:
    return {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": [lon, lat]}, {
            "case_id": case.case_id, "classification": case.classification.value, "found_via": case.found_via.value,
            "confirmed": case.confirmed_at.date().isoformat(), "recent": _aware(case.confirmed_at) >= since,
        })
        for case, _, lon, lat in cases
    ]}


def _aware(at: datetime) -> datetime:
    """SQLite hands times back naive; they are UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def zone_layer(*, session: Session, scope: Scope) -> tuple[dict, list]:
    """The risk areas in force or proposed, inside the jurisdiction, as polygons; and the zones themselves."""
    if not scope.can(Permission.ZONE_READ):
        return {"type": "FeatureCollection", "features": []}, []
    from ringfence.zones import geojson
    from ringfence.zones import service as zones_service
    from ringfence.zones.schemas import ZoneFilter

    rows, _ = zones_service.get_all(session=session, scope=scope, filters=ZoneFilter(), page=1, size=10_000)
    collection = geojson.feature_collection(session=session, zones=rows, buffer_metres=ZONE_BUFFER_METRES)
    collection["features"] = [f for f in collection["features"] if f["geometry"] is not None]
    return collection, rows


def site_layer(*, session: Session, scope: Scope) -> dict:
    """Isolation facilities the caller may see, at their building, with beds, occupancy and waiting list."""
    if not scope.can(Permission.ISOLATION_READ):
        return {"type": "FeatureCollection", "features": []}
    from ringfence.isolation import occupancy

    shown = occupancy.facilities(session=session, scope=scope)
    ids = sorted({f.building_id for f in shown if f.building_id})
    where = {b: (lon, lat) for b, lon, lat in session.execute(
        select(Building.building_id, Building.lon, Building.lat).where(Building.building_id.in_(ids)))} if ids else {}
    return {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": list(where[f.building_id])}, {
            "facility_id": f.facility_id, "name": f.name, "beds": f.beds, "occupied": f.occupied, "waiting": f.waiting,
        })
        for f in shown if f.building_id in where
    ]}


def drilldown(
    *, session: Session, scope: Scope, root: Area, cases: list[tuple[Case, str, float, float]], zones: list,
    since: datetime, as_of: datetime,
) -> list[DrillRow]:
    """Per child of `root`: cases of the last days, active cases, risk areas and overdue tasks under it."""
    children = areas_service.children(session=session, scope=scope, area_id=root.area_id)
    if not children:
        return []

    def child_of(path: str | None) -> str | None:
        return next((c.area_id for c in children if path and path.startswith(c.path)), None)

    active = Counter(child_of(path) for _, path, _, _ in cases)
    recent = Counter(child_of(path) for case, path, _, _ in cases if _aware(case.confirmed_at) >= since)
    zone_paths = _paths(session, {z.area_id for z in zones if z.area_id})
    zoned = Counter(child_of(zone_paths.get(z.area_id)) for z in zones)
    overdue: Counter = Counter()
    if scope.can(Permission.TASK_READ):
        from ringfence.tasks import service as tasks_service

        late = tasks_service.get_all(session=session, scope=scope, overdue_at=as_of)
        task_paths = _paths(session, {t.area_id for t in late if t.area_id})
        overdue = Counter(child_of(task_paths.get(t.area_id)) for t in late)
    return [
        DrillRow(area_id=c.area_id, name=c.name, level=c.level.value, drillable=c.level is not AreaLevel.community,
                 cases_7_days=recent[c.area_id], active_cases=active[c.area_id], zones=zoned[c.area_id],
                 overdue_tasks=overdue[c.area_id])
        for c in children
    ]


def recent_since(as_of: datetime) -> datetime:
    return as_of - timedelta(days=RECENT_DAYS)


def _paths(session: Session, area_ids: set[str]) -> dict[str, str]:
    ids = sorted(area_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Area.area_id, Area.path).where(Area.area_id.in_(ids[start:start + 500])))
        found.update({area_id: path for area_id, path in rows})
    return found
