"""Companions (DESIGN.md section 3): the phones that shared a grid cell with a case's phone long enough.

Two queries over the event log: the cases' own positions (the locations by phone), then the phones in the
cells the cases were in (the by-place copy, read by the tiles those cells touch).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo

import pyarrow as pa
import pyarrow.compute as pc

from ringfence.eventlog.kinds import UTC_TIME
from ringfence.eventlog.store import BY_PLACE_VIEW, EventStore, KeyLookup
from ringfence.eventlog.views import phone_key, phone_of_key, tiles_covering
from ringfence.protocols.models import Protocol
from ringfence.tracing import bound, queries, rules
from ringfence.tracing.rules import Interval

# one row per (case, person): exposed last at `last_exposure`, together `together_seconds` in that cell (as the
# engine sums them: a float on DuckDB)
COMPANIONS = pa.schema([
    ("case_person", pa.string()), ("person_id", pa.string()), ("last_exposure", UTC_TIME),
    ("together_seconds", pa.float64()),
])


def companion_grid(store: EventStore, protocol: Protocol) -> rules.Grid:
    """The grid around the mean position of the buildings snapshot (see `rules.grid_origin`)."""
    centre = store.query(queries.BUILDINGS_CENTRE).to_pylist()
    lon0, lat0 = rules.grid_origin(centre[0]["lon"], centre[0]["lat"]) if centre else (0.0, 0.0)
    return rules.Grid(lon0, lat0, protocol.companion.grid_metres)


_CELL_MARGIN = 1e-6  # degrees (~0.1 m) each side of a cell: a point on its edge is read, then placed exactly


def companions_of(
    store: EventStore, windows: dict[str, Interval], phones: dict[str, str], protocol: Protocol, tz: tzinfo
) -> tuple[pa.Table, frozenset[int]]:
    """Companions of the cases that have a phone (`COMPANIONS`: one row per case and person); and the
    qualifying phones that name no one (their keys). The module's two queries, over the whole batch.
    """
    companion = protocol.companion
    history = timedelta(days=companion.history_days)
    traced = {p: w for p, w in windows.items() if p in phones}
    history_from = {p: w.end - history for p, w in traced.items()}
    # a location row may start the evening before the day it is filed under: one day of slack
    first_day, last_day = bound.days([Interval(min(history_from.values()), max(w.end for w in traced.values()))], tz,
                                     before=timedelta(days=1))
    grid = companion_grid(store, protocol)
    params = {
        "first_day": first_day, "last_day": last_day, "lon0": grid.lon0, "lat0": grid.lat0,
        "cells_per_lon": grid.cells_per_degree_lon, "cells_per_lat": grid.cells_per_degree_lat,
    }
    own = store.query(
        queries.CASE_LOCATIONS, params, tables={"case_windows": bound.windows_table(traced, phones, protocol)},
        lookups={"locations": KeyLookup.every_day(
            "phone", sorted({phones[p] for p in traced}), bound.each_day(first_day, last_day), pa.string())},
    )
    presence: list[tuple[str, str, int, int, datetime, datetime]] = []
    mine: dict[tuple[str, int, int], float] = defaultdict(float)  # the case's own seconds in a cell over the history
    for row in own.to_pylist():
        case, cell = row["case_person"], (row["cx"], row["cy"])
        stay = Interval(bound.utc(row["start_at"]), bound.utc(row["end_at"]))
        if (kept := stay.clip(Interval(history_from[case], traced[case].end))) is not None:
            mine[(case, *cell)] += (kept.end - kept.start).total_seconds()
        if (inside := stay.clip(traced[case])) is not None:
            presence.append((case, phones[case], *cell, inside.start, inside.end))
    if not presence:
        return COMPANIONS.empty_table(), frozenset()

    cells = sorted({(cx, cy) for _, _, cx, cy, _, _ in presence})
    case_cells = sorted({(case, cx, cy) for case, _, cx, cy, _, _ in presence})
    tables = {
        "case_presence": pa.table({
            "case_person": _strings([r[0] for r in presence]),
            "phone_key": pa.array([phone_key(r[1]) or -1 for r in presence], pa.int64()),  # -1: none, no one's
            "cx": pa.array([r[2] for r in presence], pa.int64()), "cy": pa.array([r[3] for r in presence], pa.int64()),
            "start_at": _times([r[4] for r in presence]), "end_at": _times([r[5] for r in presence]),
        }),
        "case_cells": pa.table({
            "case_person": _strings([c[0] for c in case_cells]),
            "cx": pa.array([c[1] for c in case_cells], pa.int64()), "cy": pa.array([c[2] for c in case_cells], pa.int64()),
            "history_from": _times([history_from[c[0]] for c in case_cells]),
            "end_at": _times([traced[c[0]].end for c in case_cells]),
            "mine_seconds": pa.array([mine[c] for c in case_cells], pa.float64()),
        }),
    }
    # each cell from its first day: the other party's history matters only where some case present did not
    # itself stay long; the tiles it touches, from the earliest first day of their cells
    present = defaultdict(set)
    for case, cx, cy in case_cells:
        present[(cx, cy)].add(case)
    from_days: list[date] = []
    tiles: dict[int, date] = {}
    for cell in cells:
        cases_here = present[cell]
        from_day = first_day
        if all(rules.dwelt_long(mine[(case, *cell)], companion) for case in cases_here):
            from_day = bound.days([traced[case] for case in cases_here], tz, before=timedelta(days=1))[0]
        from_days.append(from_day)
        for tile in cell_tiles(grid, cell):
            tiles[tile] = min(tiles.get(tile, from_day), from_day)
    tables["wanted_cells"] = pa.table({
        "cx": pa.array([c[0] for c in cells], pa.int64()), "cy": pa.array([c[1] for c in cells], pa.int64()),
        "from_day": pa.array(from_days, pa.date32()),
    })
    tables["wanted_tiles"] = pa.table({"tile": pa.array(list(tiles), pa.int64()),
                                      "from_day": pa.array(list(tiles.values()), pa.date32())})
    params |= {"lowest_tile": min(tiles), "highest_tile": max(tiles)}
    params["min_together_seconds"] = companion.min_minutes * 60
    params["long_seconds"] = timedelta(hours=companion.cumulative_hours).total_seconds()
    # each tile's rows from its first day on, read by their row groups where they are few (a case's cells
    # are a few dozen tiles of the city's thousands a day)
    tile_days = [(tile, day) for tile, from_day in tiles.items() for day in bound.each_day(from_day, last_day)]
    by_place = KeyLookup("tile", pa.table({"key": pa.array([t for t, _ in tile_days], pa.int64()),
                                           "day": pa.array([d for _, d in tile_days], pa.date32())}),
                         reads=queries.CELL_COLUMNS)  # not the phones' text, a third of the read
    table = store.query(queries.COMPANIONS, params, tables=tables, lookups={BY_PLACE_VIEW: by_place})

    # a thousand cases meet millions of phones, many of them again and again: each distinct one is named once
    keys = table.column("phone_key").combine_chunks().dictionary_encode()
    holders = bound.people_index_of(store).holders_of(pa.DictionaryArray.from_arrays(keys.indices, phone_of_key(keys.dictionary)))
    registered = pc.is_valid(holders)
    unregistered = frozenset(keys.dictionary.take(pc.unique(keys.indices.filter(pc.invert(registered)))).to_pylist())
    table = table.filter(registered)
    return pa.table({
        "case_person": table.column("case_person"), "person_id": holders.filter(registered),
        "last_exposure": table.column("last_exposure"), "together_seconds": table.column("together_seconds"),
    }), unregistered


def cell_tiles(grid: rules.Grid, cell: tuple[int, int]) -> list[int]:
    """The place tiles (`views.PLACE_TILE`) a point of the cell can lie in: its box, a hair wider each side."""
    (lon_lo, lat_lo), (lon_hi, lat_hi) = grid.corner(*cell), grid.corner(cell[0] + 1, cell[1] + 1)
    return tiles_covering(lon_lo - _CELL_MARGIN, lat_lo - _CELL_MARGIN, lon_hi + _CELL_MARGIN, lat_hi + _CELL_MARGIN)


def _strings(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def _times(values: list[datetime]) -> pa.Array:
    return pa.array(values, UTC_TIME)
