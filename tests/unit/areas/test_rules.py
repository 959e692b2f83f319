from __future__ import annotations

import json

import pytest

from ringfence.areas import rules
from ringfence.areas.models import AreaLevel
from ringfence.core.errors import InvalidInput

CITY = rules.PlacedArea("zz", AreaLevel.city, "/zz/")


def draft(ref: int, area_id: str, parent_id: str | None, level: str) -> rules.AreaDraft:
    return rules.AreaDraft(ref, area_id, parent_id, AreaLevel(level))


def test_parents_are_placed_before_children_whatever_the_order() -> None:
    drafts = [
        draft(2, "k1", "s1", "community"),
        draft(3, "s1", "d1", "subdistrict"),
        draft(4, "d1", "zz", "district"),
    ]
    ordered, reasons = rules.place_areas(drafts, {"zz": CITY})
    assert reasons == {}
    assert [(d.area_id, path) for d, path in ordered] == [
        ("d1", "/zz/d1/"), ("s1", "/zz/d1/s1/"), ("k1", "/zz/d1/s1/k1/"),
    ]


def test_a_new_city_is_a_root() -> None:
    ordered, reasons = rules.place_areas([draft(2, "zz", None, "city")], {})
    assert (ordered[0][1], reasons) == ("/zz/", {})


def test_an_unknown_parent_and_a_cycle_are_told_apart() -> None:
    drafts = [
        draft(2, "s1", "ghost", "subdistrict"),
        draft(3, "a", "b", "district"),
        draft(4, "b", "a", "district"),
    ]
    ordered, reasons = rules.place_areas(drafts, {"zz": CITY})
    assert ordered == []
    assert reasons[2] == "unknown parent area ghost"
    assert "not rooted" in reasons[3] and "not rooted" in reasons[4]


def test_a_level_that_does_not_step_down_rejects_the_row_and_its_subtree() -> None:
    drafts = [draft(2, "k1", "zz", "community"), draft(3, "b", "k1", "community")]
    ordered, reasons = rules.place_areas(drafts, {"zz": CITY})
    assert ordered == []
    assert reasons[2] == "parent zz is a city: below it comes a district, not a community"
    assert reasons[3] == "parent area k1 was rejected"


def test_nothing_hangs_below_a_community() -> None:
    community = rules.PlacedArea("k1", AreaLevel.community, "/zz/d/s/k1/")
    with pytest.raises(InvalidInput, match="a community is the lowest area"):
        rules.check_step(community, AreaLevel.community)


@pytest.mark.parametrize(
    ("level", "parent", "message"),
    [(AreaLevel.city, "zz", "a city has no parent"), (AreaLevel.district, None, "a district needs a parent_id")],
)
def test_only_a_city_is_without_parent(level: AreaLevel, parent: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        rules.check_parent(level, parent)


@pytest.mark.parametrize("area_id", ["a/b", "a b"])
def test_an_area_id_cannot_break_the_path(area_id: str) -> None:
    with pytest.raises(InvalidInput):
        rules.check_area_id(area_id)


def test_geometry_is_kept_as_compact_geojson() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert json.loads(rules.parse_geometry(json.dumps(square, indent=2))) == square


@pytest.mark.parametrize(
    "text",
    ["POLYGON((0 0,1 0,1 1,0 0))", '{"type": "Feature", "geometry": null}', '{"type": "Polygon", "coordinates": 3}'],
)
def test_geometry_that_is_not_a_geojson_geometry_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="geometry"):
        rules.parse_geometry(text)


@pytest.mark.parametrize(("lon", "lat"), [(181.0, 0.0), (0.0, -90.5), (float("nan"), 0.0)])
def test_coordinates_must_be_on_the_globe(lon: float, lat: float) -> None:
    with pytest.raises(InvalidInput):
        rules.check_coordinates(lon, lat)
