from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from ringfence.protocols import service as protocols
from ringfence.tracing.rules import ContactCategory, ExposureVia, Grid, dwelt_long, grid_origin, whole_minutes
from ringfence.tracing.transmission import CaseNode, Exposure, transmission_graph

P = protocols.load("covid19-cn-9")


def test_cells_are_800_metres_on_both_axes_around_the_origin() -> None:
    grid = Grid(113.6, 34.7, 800)
    assert grid.cell(113.6, 34.7) == (0, 0)
    metre_lat = 1 / (grid.cells_per_degree_lat * 800)
    metre_lon = 1 / (grid.cells_per_degree_lon * 800)
    assert grid.cell(113.6, 34.7 + 799 * metre_lat) == (0, 0)
    assert grid.cell(113.6, 34.7 + 801 * metre_lat) == (0, 1)
    assert grid.cell(113.6 + 801 * metre_lon, 34.7) == (1, 0)
    assert grid.cell(113.6 - 1 * metre_lon, 34.7) == (-1, 0)
    assert 1.2 < metre_lon / metre_lat < 1.22  # 1 / cos(34.7°): a degree of longitude is shorter


def test_the_grid_origin_is_the_buildings_centre_rounded_to_a_tenth_of_a_degree() -> None:
    assert grid_origin(113.6543, 34.7468) == (113.7, 34.7)
    assert grid_origin(None, None) == (0.0, 0.0)


def test_a_stay_in_a_cell_makes_companions_only_beyond_thirty_hours() -> None:
    hours30 = 30 * 3600
    assert dwelt_long(hours30 + 1, P.companion)
    assert not dwelt_long(hours30, P.companion)


def test_overlaps_are_printed_in_whole_minutes_rounded_down() -> None:
    assert whole_minutes(pa.array([899.0, 900.0, 959.9, 0.0])).to_pylist() == [14, 15, 15, 0]


def case(person: str, day: int, case_id: int) -> CaseNode:
    return CaseNode(person, case_id, datetime(2022, 10, day, tzinfo=UTC))


def test_a_contact_confirmed_later_makes_a_transmission_and_joins_the_cluster() -> None:
    graph = transmission_graph(
        [case("A", 1, 1), case("B", 3, 2), case("C", 2, 3), case("D", 5, 4)],
        [
            Exposure("A", "B", ContactCategory.close, ExposureVia.venue),
            Exposure("B", "C", ContactCategory.close, ExposureVia.household),  # C was confirmed before B
            Exposure("B", "X", ContactCategory.secondary, ExposureVia.household),
            Exposure("C", "D", ContactCategory.companion, ExposureVia.grid),
        ],
    )
    assert [(e.source, e.target, e.transmission) for e in graph.edges] == [
        ("A", "B", True), ("B", "C", False), ("B", "X", False), ("C", "D", True)]
    assert graph.clusters == [["A", "B"], ["C", "D"]]
    assert graph.cluster_of == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert graph.contacts == ["X"]


def test_a_case_nobody_links_is_a_cluster_of_its_own() -> None:
    graph = transmission_graph([case("A", 1, 1), case("B", 2, 2)], [])
    assert graph.clusters == [["A"], ["B"]]
