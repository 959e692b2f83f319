from __future__ import annotations

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.areas import service as areas_service
from ringfence.areas.models import AreaLevel
from ringfence.areas.schemas import AreaFilter, BuildingFilter
from ringfence.auth.rules import Role, Scope
from ringfence.core.errors import NotFound

DISTRICT_A = Scope(actor="a.staff", role=Role.district, subtree="/C/D1/")
WILDCARD = Scope(actor="w.staff", role=Role.district, subtree="/C/D_/")
CITY = Scope(actor="admin", role=Role.admin, subtree=None)


@pytest.fixture
def city(session):
    return build_small_city(session)


def area_ids(session, scope: Scope, **filters) -> list[str]:
    areas, _total = areas_service.get_all(session=session, scope=scope, filters=AreaFilter(**filters), size=100)
    return [a.area_id for a in areas]


def test_a_district_sees_its_own_subtree_of_areas(session, city) -> None:
    assert area_ids(session, DISTRICT_A) == ["D1", "S1", "M1"]


def test_an_underscore_in_the_root_is_not_a_wildcard(session, city) -> None:
    assert area_ids(session, WILDCARD) == ["D_", "M_"]


def test_areas_filter_by_level_and_parent(session, city) -> None:
    assert area_ids(session, CITY, level=AreaLevel.district) == ["D1", "D2", "D_"]
    assert area_ids(session, CITY, parent_id="S2") == ["M2"]


def test_an_area_outside_the_subtree_is_not_found(session, city) -> None:
    with pytest.raises(NotFound):
        areas_service.get(session=session, scope=DISTRICT_A, area_id="D2")
    with pytest.raises(NotFound):
        areas_service.get(session=session, scope=DISTRICT_A, area_id="C")


def test_children_are_the_direct_children_only(session, city) -> None:
    assert [a.area_id for a in areas_service.children(session=session, scope=CITY, area_id="C")] == ["D1", "D2", "D_"]


def test_a_district_sees_only_the_buildings_of_its_subtree(session, city) -> None:
    buildings, total = areas_service.get_all_buildings(session=session, scope=DISTRICT_A, filters=BuildingFilter())
    assert [b.building_id for b in buildings] == ["B1"] and total == 1
    with pytest.raises(NotFound):
        areas_service.get_building(session=session, scope=DISTRICT_A, building_id="B2")


def test_buildings_filter_by_area_subtree(session, city) -> None:
    buildings, _ = areas_service.get_all_buildings(session=session, scope=CITY, filters=BuildingFilter(area_id="D2"))
    assert [b.building_id for b in buildings] == ["B2"]
