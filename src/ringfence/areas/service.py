"""The area tree and buildings, scoped to the caller's subtree (outside it: NotFound)."""

from __future__ import annotations

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.schemas import AreaFilter, BuildingFilter
from ringfence.auth.rules import Scope
from ringfence.core.errors import NotFound


def in_subtree(column, path: str):
    """`column` lies in the subtree whose root has `path` (LIKE wildcards in the path escaped)."""
    return column.startswith(path, autoescape=True)


def _areas_in_scope(query: Select, scope: Scope) -> Select:
    return query if scope.everywhere else query.where(in_subtree(Area.path, scope.subtree))


def find(*, session: Session, scope: Scope, area_id: str) -> Area | None:
    """The area if the caller may see it, else None."""
    return session.scalar(_areas_in_scope(select(Area), scope).where(Area.area_id == area_id))


def get(*, session: Session, scope: Scope, area_id: str) -> Area:
    area = find(session=session, scope=scope, area_id=area_id)
    if area is None:
        raise NotFound(f"no area {area_id!r}")
    return area


def _page(session: Session, query: Select, order_by, page: int, size: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(order_by).offset((page - 1) * size).limit(size)))
    return rows, total


def get_all(
    *, session: Session, scope: Scope, filters: AreaFilter, page: int = 1, size: int = 50
) -> tuple[list[Area], int]:
    """One page of the areas in the caller's subtree matching `filters`, by path, and the total."""
    query = _areas_in_scope(select(Area), scope)
    if filters.level is not None:
        query = query.where(Area.level == filters.level)
    if filters.parent_id is not None:
        query = query.where(Area.parent_id == filters.parent_id)
    return _page(session, query, Area.path, page, size)


def children(*, session: Session, scope: Scope, area_id: str) -> list[Area]:
    """The direct children of an area the caller may see."""
    get(session=session, scope=scope, area_id=area_id)
    query = _areas_in_scope(select(Area), scope).where(Area.parent_id == area_id).order_by(Area.name, Area.area_id)
    return list(session.scalars(query))


def _buildings_in_scope(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return query.join(Area, Area.area_id == Building.community_id).where(in_subtree(Area.path, scope.subtree))


def get_building(*, session: Session, scope: Scope, building_id: str) -> Building:
    building = session.scalar(_buildings_in_scope(select(Building), scope).where(Building.building_id == building_id))
    if building is None:
        raise NotFound(f"no building {building_id!r}")
    return building


def get_all_buildings(
    *, session: Session, scope: Scope, filters: BuildingFilter, page: int = 1, size: int = 50
) -> tuple[list[Building], int]:
    """One page of the buildings in the caller's subtree matching `filters`, and the total."""
    query = _buildings_in_scope(select(Building), scope)
    if filters.community_id is not None:
        query = query.where(Building.community_id == filters.community_id)
    if filters.area_id is not None:
        root = find(session=session, scope=scope, area_id=filters.area_id)
        if root is None:
            query = query.where(false())
        else:
            within = select(Area.area_id).where(in_subtree(Area.path, root.path))
            query = query.where(Building.community_id.in_(within))
    return _page(session, query, Building.building_id, page, size)
