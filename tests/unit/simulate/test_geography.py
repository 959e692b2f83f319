from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from ringfence.simulate.geography import build_geography


@pytest.mark.parametrize("people", [3000, 2_000_000])
def test_every_area_lies_inside_its_parent_and_parents_come_first(people: int) -> None:
    geo = build_geography(people, np.random.default_rng(1))
    rows = geo.areas.to_pylist()
    seen: dict[str, object] = {}
    for row in rows:
        shape = shapely.from_geojson(row["geometry"])
        if row["parent_id"] is None:
            assert row["level"] == "city"
        else:
            assert row["parent_id"] in seen, "a parent must be written before its children"
            assert seen[row["parent_id"]].buffer(1e-9).contains(shape)
            assert row["area_id"].startswith(row["parent_id"]) or row["level"] == "district"
        seen[row["area_id"]] = shape
    levels = [row["level"] for row in rows]
    assert {"city", "district", "subdistrict", "community"} == set(levels)
    assert json.loads(rows[0]["geometry"])["type"] == "Polygon"


def test_the_city_is_centred_on_zhengzhou() -> None:
    geo = build_geography(12_600_000, np.random.default_rng(1))
    city = shapely.from_geojson(geo.areas["geometry"][0].as_py())
    assert city.centroid.x == pytest.approx(113.65, abs=0.01)
    assert city.centroid.y == pytest.approx(34.76, abs=0.01)
    assert geo.areas.num_rows > 1000
