"""The city's map: districts > subdistricts > communities as nested polygons, and buildings.

Districts tile a box around the city centre (sized to the population), subdistricts tile their
district and communities their subdistrict, so every child lies inside its parent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ringfence.simulate.parameters import CENTRE_LAT, CENTRE_LON, CITY_PEOPLE

CITY_ID = "410100"
CITY_NAME = "郑州市"
DISTRICTS = [  # real county-level codes of Zhengzhou
    ("410102", "中原区"), ("410103", "二七区"), ("410104", "管城回族区"), ("410105", "金水区"),
    ("410106", "上街区"), ("410108", "惠济区"), ("410122", "中牟县"), ("410181", "巩义市"),
    ("410182", "荥阳市"), ("410183", "新密市"), ("410184", "新郑市"), ("410185", "登封市"),
]
PLACE_WORDS = list("建设人民解放花园文化东风南阳嵩山经纬农业金水未来丰产杜岭航海淮河陇海桐柏秦岭长江黄河嵩岳郑东龙湖祥和福华")


@dataclass
class Geography:
    areas: pa.Table
    district_codes: np.ndarray  # int64 6-digit code per district
    community_district: np.ndarray  # district index of each community
    community_subdistrict: np.ndarray  # subdistrict index (global) of each community
    community_box: np.ndarray  # (n, 4) minx, miny, maxx, maxy
    community_names: pa.Array
    community_ids: pa.Array


def _tile(box: tuple[float, float, float, float], k: int) -> list[tuple[float, float, float, float]]:
    """k boxes tiling `box`: rows of equal columns, the last row stretched to fill the width."""
    minx, miny, maxx, maxy = box
    cols = math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    cells = []
    for r in range(rows):
        in_row = cols if r < rows - 1 else k - cols * (rows - 1)
        y0 = miny + (maxy - miny) * r / rows
        y1 = miny + (maxy - miny) * (r + 1) / rows
        for c in range(in_row):
            cells.append((minx + (maxx - minx) * c / in_row, y0, minx + (maxx - minx) * (c + 1) / in_row, y1))
    return cells


def _place_name(rng: np.random.Generator, suffix: str) -> str:
    a, b = rng.choice(len(PLACE_WORDS), 2, replace=False)
    return f"{PLACE_WORDS[a]}{PLACE_WORDS[b]}{suffix}"


def area_counts(people: int) -> tuple[int, int, int]:
    """How many districts, subdistricts per district and communities per subdistrict."""
    districts = int(np.clip(round(people / 1_050_000), 2, len(DISTRICTS)))
    per_district = people / districts
    subdistricts = int(np.clip(round(per_district / 65_000), 2, 16))
    communities = int(np.clip(round(per_district / subdistricts / 5_000), 2, 16))
    return districts, subdistricts, communities


def build_geography(people: int, rng: np.random.Generator) -> Geography:
    """Nested polygons for the area tree, parents before children, with GeoJSON geometry."""
    scale = max(math.sqrt(people / CITY_PEOPLE), 0.04)
    half_w, half_h = 0.30 * scale, 0.24 * scale
    city_box = (CENTRE_LON - half_w, CENTRE_LAT - half_h, CENTRE_LON + half_w, CENTRE_LAT + half_h)
    n_d, n_s, n_c = area_counts(people)

    ids, parents, levels, names, boxes = [CITY_ID], [None], ["city"], [CITY_NAME], [city_box]
    d_boxes = _tile(city_box, n_d)
    sub_rows: list[tuple[str, str, str, tuple]] = []
    com_rows: list[tuple[str, str, str, tuple, int]] = []
    for d, d_box in enumerate(d_boxes):
        code, d_name = DISTRICTS[d]
        ids.append(code), parents.append(CITY_ID), levels.append("district"), names.append(d_name)
        boxes.append(d_box)
        for s, s_box in enumerate(_tile(d_box, n_s), start=1):
            s_id = f"{code}{s:03d}"
            sub_rows.append((s_id, code, _place_name(rng, "街道"), s_box))
            for c, c_box in enumerate(_tile(s_box, n_c), start=1):
                com_rows.append((f"{s_id}{c:03d}", s_id, _place_name(rng, "社区"), c_box, d))
    for s_id, parent, name, box in sub_rows:
        ids.append(s_id), parents.append(parent), levels.append("subdistrict"), names.append(name)
        boxes.append(box)
    for c_id, parent, name, box, _ in com_rows:
        ids.append(c_id), parents.append(parent), levels.append("community"), names.append(name)
        boxes.append(box)

    box_array = np.round(np.array(boxes, dtype=np.float64), 6)
    polygons = shapely.box(box_array[:, 0], box_array[:, 1], box_array[:, 2], box_array[:, 3], ccw=True)
    areas = pa.table(
        {
            "area_id": pa.array(ids, pa.string()),
            "parent_id": pa.array(parents, pa.string()),
            "level": pa.array(levels, pa.string()),
            "name": pa.array(names, pa.string()),
            "geometry": pa.array(shapely.to_geojson(polygons).tolist(), pa.string()),
        }
    )
    return Geography(
        areas=areas,
        district_codes=np.array([int(DISTRICTS[d][0]) for d in range(n_d)], dtype=np.int64),
        community_district=np.array([row[4] for row in com_rows], dtype=np.int64),
        community_subdistrict=np.arange(len(com_rows)) // n_c,
        community_box=np.array([row[3] for row in com_rows], dtype=np.float64),
        community_names=pa.array([row[2] for row in com_rows], pa.string()),
        community_ids=pa.array([row[0] for row in com_rows], pa.string()),
    )


def points_in_communities(
    rng: np.random.Generator, geography: Geography, community: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Random points strictly inside each given community's polygon (lon, lat rounded to 1e-6)."""
    box = geography.community_box[community]
    margin_x = (box[:, 2] - box[:, 0]) * 0.05
    margin_y = (box[:, 3] - box[:, 1]) * 0.05
    lon = box[:, 0] + margin_x + rng.random(len(community)) * (box[:, 2] - box[:, 0] - 2 * margin_x)
    lat = box[:, 1] + margin_y + rng.random(len(community)) * (box[:, 3] - box[:, 1] - 2 * margin_y)
    return np.round(lon, 6), np.round(lat, 6)


def addresses(geography: Geography, community: np.ndarray, numbers: np.ndarray, suffix: str) -> pa.Array:
    """Addresses like 建设花园社区12号楼."""
    name = geography.community_names.take(pa.array(community))
    number = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(name, number, suffix, "")
