"""The place tiles of the by-place copy: a cell's tiles, computed in Python, hold every point of the cell
as the engines place it (`views.PLACE_TILE`), edges and corners included."""

from __future__ import annotations

import random

import duckdb
import pytest

from ringfence.eventlog.views import PLACE_TILE, tiles_covering
from ringfence.tracing import companions
from ringfence.tracing.rules import Grid


def engine_tiles(points: list[tuple[float, float]]) -> list[int]:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE p (lon DOUBLE, lat DOUBLE)")
        con.executemany("INSERT INTO p VALUES (?, ?)", points)
        return [row[0] for row in con.sql(f"SELECT {PLACE_TILE} FROM p").fetchall()]


def test_tiles_are_0_01_degree_squares_numbered_by_latitude_band_then_longitude() -> None:
    assert tiles_covering(113.655, 34.745, 113.665, 34.749) == [
        (3474 + 9000) * 100000 + 11365 + 18000, (3474 + 9000) * 100000 + 11366 + 18000]
    assert engine_tiles([(113.655, 34.745), (-0.005, -0.005)]) == [
        (3474 + 9000) * 100000 + 11365 + 18000, (-1 + 9000) * 100000 - 1 + 18000]


@pytest.mark.parametrize("origin", [(113.7, 34.8), (121.5, 31.2), (-0.1, 51.5)])
def test_every_point_of_a_cell_lies_in_one_of_the_cells_tiles(origin: tuple[float, float]) -> None:
    grid, draw = Grid(*origin, 800), random.Random(11)
    for cx, cy in [(0, 0), (-14, 3), (7, -9), (12, 12)]:
        (lon_lo, lat_lo), (lon_hi, lat_hi) = grid.corner(cx, cy), grid.corner(cx + 1, cy + 1)
        edges = [(lon_lo, lat_lo), (lon_lo, lat_hi), (lon_hi, lat_lo), (lon_hi, lat_hi)]
        inside = [(draw.uniform(lon_lo, lon_hi), draw.uniform(lat_lo, lat_hi)) for _ in range(200)]
        tiles = set(companions.cell_tiles(grid, (cx, cy)))
        assert set(engine_tiles(edges + inside)) <= tiles
        assert 1 <= len(tiles) <= 9  # a cell touches a handful of tiles, never a city's worth
