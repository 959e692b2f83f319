"""`/api/areas` and `/api/buildings`: the administrative tree inside the caller's subtree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.areas import service as areas_service
from ringfence.areas.schemas import AreaFilter, AreaRead, BuildingFilter, BuildingRead
from ringfence.auth.rules import Permission, Scope

router = APIRouter(prefix="/areas", tags=["areas"])
buildings_router = APIRouter(prefix="/buildings", tags=["areas"])

Reader = Annotated[Scope, Depends(scoped(Permission.AREA_READ))]


@router.get("", response_model=Page[AreaRead])
def list_areas(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[AreaFilter, Query()]
) -> Page[AreaRead]:
    areas, total = areas_service.get_all(
        session=session, scope=scope, filters=filters, page=paging.page, size=paging.size
    )
    return Page.of([AreaRead.model_validate(a) for a in areas], total, paging)


@router.get("/{area_id}", response_model=AreaRead)
def get_area(area_id: PathId, session: DbSession, scope: Reader) -> AreaRead:
    return AreaRead.model_validate(areas_service.get(session=session, scope=scope, area_id=area_id))


@router.get("/{area_id}/children", response_model=list[AreaRead])
def list_children(area_id: PathId, session: DbSession, scope: Reader) -> list[AreaRead]:
    return [AreaRead.model_validate(a) for a in areas_service.children(session=session, scope=scope, area_id=area_id)]


@buildings_router.get("", response_model=Page[BuildingRead])
def list_buildings(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[BuildingFilter, Query()]
) -> Page[BuildingRead]:
    buildings, total = areas_service.get_all_buildings(
        session=session, scope=scope, filters=filters, page=paging.page, size=paging.size
    )
    return Page.of([BuildingRead.model_validate(b) for b in buildings], total, paging)


@buildings_router.get("/{building_id}", response_model=BuildingRead)
def get_building(building_id: PathId, session: DbSession, scope: Reader) -> BuildingRead:
    return BuildingRead.model_validate(
        areas_service.get_building(session=session, scope=scope, building_id=building_id)
    )
