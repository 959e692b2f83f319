"""Who was exposed to a batch of cases: the event-log queries of `queries.py` turned into contacts.

Knows the event log and the protocol, not the relational store: the same batch gives the same
contacts on DuckDB and on Spark. A batch of a thousand cases costs about as many queries as one case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.eventlog import people_index
from ringfence.eventlog.kinds import UTC_TIME, RegisterName
from ringfence.eventlog.store import BY_PERSON_VIEW, BY_PLACE_VIEW, EventStore, KeyLookup
from ringfence.eventlog.views import phone_key, phone_of_key, tiles_covering
from ringfence.protocols.models import Protocol
from ringfence.tracing import queries, rules
from ringfence.tracing.rules import Contact, ContactCategory, ExposureVia, Interval


@dataclass(frozen=True)
class CaseWindow:
    """A case to trace: its person and its infectious window."""

    person_id: str
    window: Interval


# A batch's contacts, one row each: a thousand cases meet tens of millions of people, kept column-wise
CONTACTS = pa.schema([
    ("case_person", pa.string()), ("person_id", pa.string()), ("category", pa.string()), ("via", pa.string()),
    ("through", pa.string()), ("venue_id", pa.string()), ("last_exposure", UTC_TIME), ("overlap_minutes", pa.int64()),
])


@dataclass
class BatchTrace:
    """The contacts of every case of a batch, and what was left out.

    `contacts` (schema `CONTACTS`) holds one row per (case, person) in the strongest category, ordered by
    case, then strongest category first, then person; `contacts_of` makes one case's rows into objects.
    """

    contacts: pa.Table = field(default_factory=CONTACTS.empty_table)
    cases: tuple[str, ...] = ()  # the cases traced (their person ids), in the order given
    # phones met in the grid that name no one (or several people), among those written as the register writes
    # phones (digits, or + and digits: `views.PHONE_KEY`), by their key; a phone written otherwise is no one's
    unregistered_phones: frozenset[int] = frozenset()
    queries: int = 0  # event-log queries run (register lookups go through the people index)
    stays: int = 0  # the cases' stays long enough to make a contact
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # case person -> (first row, rows)

    @property
    def unregistered_companion_phones(self) -> int:
        return len(self.unregistered_phones)

    def contacts_of(self, case_person: str) -> list[Contact]:
        start, rows = self.spans.get(case_person, (0, 0))
        return _contact_objects(self.contacts.slice(start, rows))


def trace_batch(store: EventStore, cases: Sequence[CaseWindow], protocol: Protocol, *, tz: tzinfo) -> BatchTrace:
    """Every case's contacts, found with one pass of each query over the whole batch."""
    result = BatchTrace(cases=tuple(c.person_id for c in cases))
    if not cases:
        return result
    windows = {c.person_id: c.window for c in cases}
    index = _people_index(store)  # the register's lookups, not engine queries
    found = [_household_contacts(index, windows)]

    stays = _case_stays(store, windows, protocol, tz)
    result.queries += 1
    result.stays = sum(len(v) for v in stays.values())
    if stays:
        found.append(_venue_contacts(store, stays, protocol, tz))
        result.queries += 1
    found.append(_secondary_contacts(index, pa.concat_tables(found)))

    phones = {p: phone for p, (_, phone) in index.facts(windows).items() if phone}
    if phones:
        companions, result.unregistered_phones = _companions(store, windows, phones, protocol, tz)
        result.queries += 3  # the grid origin, the cases' own positions, the phones in their cells
        found.append(companions)
    result.contacts, result.spans = _strongest(pa.concat_tables(found, promote_options="default"))
    return result


FIRST_PASS = 16  # cases: the first pass learns how many contacts a case has here
MOST_CONTACTS = 4_000_000  # a pass's aim: a pass holds ~0.4 GiB a million contacts (DuckDB's joins, then the rows)


def trace_in_passes(
    store: EventStore, cases: Sequence[CaseWindow], protocol: Protocol, *, tz: tzinfo,
    most_contacts: int | None = None,
) -> Iterator[BatchTrace]:
    """Every case's contacts, a pass (`trace_batch`) of as many cases as make about `most_contacts` (by default
    `MOST_CONTACTS`) at a time.

    A pass's memory grows with its contacts: a thousand cases of a dense city meet a hundred million people,
    more than the machine holds at once. Each pass is sized from the contacts per case the passes before it
    found (the first has `FIRST_PASS` cases), and at most four times the one before.
    """
    aim = most_contacts or MOST_CONTACTS
    done, found, size = 0, 0, FIRST_PASS
    while done < len(cases):
        batch = trace_batch(store, cases[done:done + size], protocol, tz=tz)
        done += size
        found += batch.contacts.num_rows
        yield batch
        size = min(4 * size, max(1, aim * done // found) if found else len(cases))


# ---- the batch's contacts, column-wise --------------------------------------------------------


def _contacts(
    case_person: pa.Array, person_id: pa.Array, category: ContactCategory, via: ExposureVia, *,
    last_exposure: pa.Array, through: pa.Array | None = None, venue_id: pa.Array | None = None,
    overlap_seconds: pa.Array | None = None,
) -> pa.Table:
    """Rows of one route, with that route's ranks (`queries.STRONGEST` orders by them)."""
    rows = len(person_id)
    minutes = rules.whole_minutes(overlap_seconds) if overlap_seconds is not None else pa.nulls(rows, pa.int64())
    return pa.table({
        "case_person": case_person, "person_id": person_id,
        "category": pa.repeat(pa.scalar(category.value), rows), "via": pa.repeat(pa.scalar(via.value), rows),
        "through": through if through is not None else pa.nulls(rows, pa.string()),
        "venue_id": venue_id if venue_id is not None else pa.nulls(rows, pa.string()),
        "last_exposure": last_exposure.cast(UTC_TIME), "overlap_minutes": minutes,
        "category_rank": pa.repeat(pa.scalar(rules.CATEGORY_STRENGTH[category], pa.int8()), rows),
        "via_rank": pa.repeat(pa.scalar(rules.VIA_STRENGTH[via], pa.int8()), rows),
    })


def _household_contacts(index: people_index.PeopleIndex, windows: dict[str, Interval]) -> pa.Table:
    """Everyone sharing a case's household is a close contact, exposed until the window closes."""
    cases = sorted(windows)
    at, members = index.housemates(pa.array(cases, pa.string()))
    take = pa.array(at, pa.int64())
    return _contacts(
        pa.array(cases, pa.string()).take(take), members, ContactCategory.close, ExposureVia.household,
        last_exposure=pa.array([windows[c].end for c in cases], UTC_TIME).take(take),
    )


def _secondary_contacts(index: people_index.PeopleIndex, close: pa.Table) -> pa.Table:
    """The household members of each close contact, linked `through` them and exposed when they last were
    (`queries.STRONGEST` keeps, per person, the close contact exposed last, then the smallest id; and drops
    whoever is a close contact of the case, or the case itself)."""
    at, members = index.housemates(close.column("person_id").combine_chunks())
    take = pa.array(at, pa.int64())
    return _contacts(
        close.column("case_person").take(take), members, ContactCategory.secondary, ExposureVia.household,
        last_exposure=close.column("last_exposure").take(take), through=close.column("person_id").take(take),
    )


def _strongest(found: pa.Table) -> tuple[pa.Table, dict[str, tuple[int, int]]]:
    """One row per (case, person) in the strongest category (`queries.STRONGEST`), and each case's rows."""
    found = found.append_column("seq", pa.array(np.arange(found.num_rows, dtype=np.int64)))
    with duckdb.connect() as con:
        con.register("found", found)
        table = con.sql(queries.STRONGEST).to_arrow_table().cast(CONTACTS)
    counts = pc.value_counts(table.column("case_person"))  # in order of first appearance: the cases' order
    sizes = counts.field("counts").to_numpy()
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return table, dict(zip(counts.field("values").to_pylist(), zip(starts.tolist(), sizes.tolist())))


def _contact_objects(table: pa.Table) -> list[Contact]:
    categories, vias = {c.value: c for c in ContactCategory}, {v.value: v for v in ExposureVia}
    return [
        Contact(person_id, categories[category], vias[via], through, venue_id, end, minutes)
        for person_id, category, via, through, venue_id, end, minutes in zip(
            *(table.column(name).to_pylist() for name in ("person_id", "category", "via", "through", "venue_id")),
            _instants(table.column("last_exposure")), table.column("overlap_minutes").to_pylist(),
        )
    ]


# ---- the queries ------------------------------------------------------------------------------


def _people_index(store: EventStore) -> people_index.PeopleIndex:
    return people_index.open_index(store.register_sources()[RegisterName.people])


def _case_stays(
    store: EventStore, windows: dict[str, Interval], protocol: Protocol, tz: tzinfo
) -> dict[str, list[tuple[str, Interval]]]:
    """Each case's stays clipped to its window, the ones long enough to make a contact."""
    first_day, last_day = _days(windows.values(), tz, before=rules.MAX_STAY)
    table = store.query(
        queries.CASE_STAYS,
        {"first_day": first_day, "last_day": last_day, "default_dwell": protocol.contact.default_dwell_minutes},
        tables={"case_windows": _windows_table(windows, {}, protocol), "dwell_by_kind": _dwell_table(protocol)},
        lookups={BY_PERSON_VIEW: KeyLookup.every_day("person_id", sorted(windows), _each_day(first_day, last_day), pa.string())},
    )
    shortest = timedelta(minutes=protocol.contact.venue_min_overlap_minutes)
    stays: dict[str, list[tuple[str, Interval]]] = defaultdict(list)
    for row in table.to_pylist():
        clipped = Interval(_utc(row["start_at"]), _utc(row["end_at"])).clip(windows[row["case_person"]])
        if clipped is not None and clipped.end - clipped.start >= shortest:
            stays[row["case_person"]].append((row["venue_id"], clipped))
    return stays


def _venue_contacts(
    store: EventStore, stays: dict[str, list[tuple[str, Interval]]], protocol: Protocol, tz: tzinfo
) -> pa.Table:
    intervals = [interval for case_stays in stays.values() for _, interval in case_stays]
    earliest = min(i.start for i in intervals) - rules.MAX_STAY
    latest = max(i.end for i in intervals)
    stay_rows = [(case, venue, i) for case, case_stays in stays.items() for venue, i in case_stays]
    case_stays = pa.table({
        "case_person": pa.array([r[0] for r in stay_rows], pa.string()),
        "venue_id": pa.array([r[1] for r in stay_rows], pa.string()),
        "start_at": pa.array([r[2].start for r in stay_rows], UTC_TIME),
        "end_at": pa.array([r[2].end for r in stay_rows], UTC_TIME),
    })
    # a scan overlapping a stay was made at most MAX_STAY before it began: it is filed under one of these days
    stay_days = sorted({(venue, day) for _, venue, i in stay_rows
                        for day in _each_day(*_days([i], tz, before=rules.MAX_STAY))})
    days = sorted({day for _, day in stay_days})
    params = {
        "earliest": earliest, "latest": latest, **{f"day_{n}": day for n, day in enumerate(days)},
        "default_dwell": protocol.contact.default_dwell_minutes,
        "min_overlap_seconds": protocol.contact.venue_min_overlap_minutes * 60,
    }
    bound = {
        "case_stays": case_stays, "dwell_by_kind": _dwell_table(protocol),
        "stay_days": pa.table({"venue_id": pa.array([v for v, _ in stay_days], pa.string()),
                               "day": pa.array([d for _, d in stay_days], pa.date32())}),
    }
    stay_days_keys = bound["stay_days"].rename_columns(["key", "day"])
    table = store.query(queries.venue_contacts(len(days)), params, tables=bound,
                        lookups={"scans": KeyLookup("venue_id", stay_days_keys)})
    return _contacts(
        table.column("case_person"), table.column("person_id"), ContactCategory.close, ExposureVia.venue,
        venue_id=table.column("venue_id"), last_exposure=table.column("last_exposure"),
        overlap_seconds=table.column("overlap_seconds"),
    )


def companion_grid(store: EventStore, protocol: Protocol) -> rules.Grid:
    """The grid around the mean position of the buildings snapshot (see `rules.grid_origin`)."""
    centre = store.query(queries.BUILDINGS_CENTRE).to_pylist()
    lon0, lat0 = rules.grid_origin(centre[0]["lon"], centre[0]["lat"]) if centre else (0.0, 0.0)
    return rules.Grid(lon0, lat0, protocol.companion.grid_metres)


_CELL_MARGIN = 1e-6  # degrees (~0.1 m) each side of a cell: a point on its edge is read, then placed exactly


def _companions(
    store: EventStore, windows: dict[str, Interval], phones: dict[str, str], protocol: Protocol, tz: tzinfo
) -> tuple[pa.Table, frozenset[int]]:
    """Companions of the cases that have a phone; and the qualifying phones that name no one (their keys).

    Two passes: the cases' own positions (by phone), then the phones in the cells the cases were in
    during their windows (by place: the tiles those cells touch).
    """
    companion = protocol.companion
    history = timedelta(days=companion.history_days)
    traced = {p: w for p, w in windows.items() if p in phones}
    history_from = {p: w.end - history for p, w in traced.items()}
    # a location row may start the evening before the day it is filed under: one day of slack
    first_day, last_day = _days([Interval(min(history_from.values()), max(w.end for w in traced.values()))], tz,
                                before=timedelta(days=1))
    grid = companion_grid(store, protocol)
    params = {
        "first_day": first_day, "last_day": last_day, "lon0": grid.lon0, "lat0": grid.lat0,
        "cells_per_lon": grid.cells_per_degree_lon, "cells_per_lat": grid.cells_per_degree_lat,
    }
    own = store.query(
        queries.CASE_LOCATIONS, params, tables={"case_windows": _windows_table(traced, phones, protocol)},
        lookups={"locations": KeyLookup.every_day(
            "phone", sorted({phones[p] for p in traced}), _each_day(first_day, last_day), pa.string())},
    )
    presence: list[tuple[str, str, int, int, datetime, datetime]] = []
    mine: dict[tuple[str, int, int], float] = defaultdict(float)  # the case's own seconds in a cell over the history
    for row in own.to_pylist():
        case, cell = row["case_person"], (row["cx"], row["cy"])
        stay = Interval(_utc(row["start_at"]), _utc(row["end_at"]))
        if (kept := stay.clip(Interval(history_from[case], traced[case].end))) is not None:
            mine[(case, *cell)] += (kept.end - kept.start).total_seconds()
        if (inside := stay.clip(traced[case])) is not None:
            presence.append((case, phones[case], *cell, inside.start, inside.end))
    if not presence:
        return CONTACTS.empty_table(), frozenset()

    cells = sorted({(cx, cy) for _, _, cx, cy, _, _ in presence})
    case_cells = sorted({(case, cx, cy) for case, _, cx, cy, _, _ in presence})
    bound = {
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
            from_day = _days([traced[case] for case in cases_here], tz, before=timedelta(days=1))[0]
        from_days.append(from_day)
        for tile in _tiles(grid, cell):
            tiles[tile] = min(tiles.get(tile, from_day), from_day)
    bound["wanted_cells"] = pa.table({
        "cx": pa.array([c[0] for c in cells], pa.int64()), "cy": pa.array([c[1] for c in cells], pa.int64()),
        "from_day": pa.array(from_days, pa.date32()),
    })
    bound["wanted_tiles"] = pa.table({"tile": pa.array(list(tiles), pa.int64()),
                                      "from_day": pa.array(list(tiles.values()), pa.date32())})
    params |= {"lowest_tile": min(tiles), "highest_tile": max(tiles)}
    params["min_together_seconds"] = companion.min_minutes * 60
    params["long_seconds"] = timedelta(hours=companion.cumulative_hours).total_seconds()
    # each tile's rows from its first day on, read by their row groups where they are few (a case's cells
    # are a few dozen tiles of the city's thousands a day)
    tile_days = [(tile, day) for tile, from_day in tiles.items() for day in _each_day(from_day, last_day)]
    by_place = KeyLookup("tile", pa.table({"key": pa.array([t for t, _ in tile_days], pa.int64()),
                                           "day": pa.array([d for _, d in tile_days], pa.date32())}),
                         reads=queries.CELL_COLUMNS)  # not the phones' text, a third of the read
    table = store.query(queries.COMPANIONS, params, tables=bound, lookups={BY_PLACE_VIEW: by_place})

    # a thousand cases meet millions of phones, many of them again and again: each distinct one is named once
    keys = table.column("phone_key").combine_chunks().dictionary_encode()
    holders = _people_index(store).holders_of(pa.DictionaryArray.from_arrays(keys.indices, phone_of_key(keys.dictionary)))
    registered = pc.is_valid(holders)
    unregistered = frozenset(keys.dictionary.take(pc.unique(keys.indices.filter(pc.invert(registered)))).to_pylist())
    table = table.filter(registered)
    return _contacts(
        table.column("case_person"), holders.filter(registered), ContactCategory.companion, ExposureVia.grid,
        last_exposure=table.column("last_exposure"), overlap_seconds=table.column("together_seconds"),
    ), unregistered


def _tiles(grid: rules.Grid, cell: tuple[int, int]) -> list[int]:
    """The place tiles (`views.PLACE_TILE`) a point of the cell can lie in: its box, a hair wider each side."""
    (lon_lo, lat_lo), (lon_hi, lat_hi) = grid.corner(*cell), grid.corner(cell[0] + 1, cell[1] + 1)
    return tiles_covering(lon_lo - _CELL_MARGIN, lat_lo - _CELL_MARGIN, lon_hi + _CELL_MARGIN, lat_hi + _CELL_MARGIN)


# ---- bound tables and days --------------------------------------------------------------------


def _windows_table(windows: dict[str, Interval], phones: dict[str, str], protocol: Protocol) -> pa.Table:
    """`case_windows`: the companion history is the `history_days` before the window closes."""
    history = timedelta(days=protocol.companion.history_days)
    people = sorted(windows)
    return pa.table({
        "case_person": pa.array(people, pa.string()),
        "phone": pa.array([phones.get(p) for p in people], pa.string()),
        "start_at": pa.array([windows[p].start for p in people], UTC_TIME),
        "end_at": pa.array([windows[p].end for p in people], UTC_TIME),
        "history_from": pa.array([windows[p].end - history for p in people], UTC_TIME),
    })


def _strings(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def _times(values: list[datetime]) -> pa.Array:
    return pa.array(values, UTC_TIME)


def _dwell_table(protocol: Protocol) -> pa.Table:
    kinds = sorted(protocol.contact.dwell_minutes_by_kind.items())
    return pa.table({
        "kind": pa.array([k for k, _ in kinds], pa.string()),
        "minutes": pa.array([m for _, m in kinds], pa.int64()),
    })


def _days(intervals: Iterable[Interval], tz: tzinfo, *, before: timedelta = timedelta(0)) -> tuple[date, date]:
    """The local days (the event log's partitions) from the earliest start − `before` to the latest end."""
    spans = list(intervals)
    first = min(i.start for i in spans) - before
    last = max(i.end for i in spans)
    return first.astimezone(tz).date(), last.astimezone(tz).date()


def _each_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _instants(column: pa.ChunkedArray) -> list[datetime]:
    """A timestamp column as aware UTC datetimes (None where null), converting each distinct value once."""
    micros = column.cast(pa.timestamp("us")).cast(pa.int64()).to_pylist()
    made: dict[int | None, datetime | None] = {None: None}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [made[m] if m in made else made.setdefault(m, epoch + timedelta(microseconds=m)) for m in micros]


def _utc(value: datetime) -> datetime:
    """Engines give instants back aware (DuckDB) or naive in the session zone, UTC (Spark)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
