"""Who was exposed to a batch of cases: the event-log queries of `queries.py` turned into contacts.

Knows the event log and the protocol, not the relational store: the same batch gives the same
contacts on DuckDB and on Spark. A batch of a thousand cases costs about as many queries as one case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import pyarrow as pa
import pyarrow.compute as pc

from ringfence.eventlog import people_index
from ringfence.eventlog.kinds import UTC_TIME, RegisterName
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.tracing import queries, rules
from ringfence.tracing.rules import Contact, ContactCategory, ExposureVia, Interval


@dataclass(frozen=True)
class CaseWindow:
    """A case to trace: its person and its infectious window."""

    person_id: str
    window: Interval


@dataclass
class BatchTrace:
    """The contacts of every case of a batch (strongest category, once per person), and what was left out."""

    contacts: dict[str, list[Contact]]
    unregistered_companion_phones: int = 0  # phones met in the grid that name no one (or several people)
    queries: int = 0  # event-log queries run (register lookups go through the people index)
    stays: int = 0  # the cases' stays long enough to make a contact


def trace_batch(store: EventStore, cases: Sequence[CaseWindow], protocol: Protocol, *, tz: tzinfo) -> BatchTrace:
    """Every case's contacts, found with one pass of each query over the whole batch."""
    result = BatchTrace(contacts={c.person_id: [] for c in cases})
    if not cases:
        return result
    windows = {c.person_id: c.window for c in cases}
    facts = _people_of(store, windows)  # the people index, not an engine query
    found: dict[str, list[Contact]] = defaultdict(list)

    members = _household_members(store, {h for h, _ in facts.values() if h})
    for case_person, (household, _phone) in facts.items():
        for member in members.get(household, []) if household else []:
            found[case_person].append(
                Contact(member, ContactCategory.close, ExposureVia.household, last_exposure=windows[case_person].end)
            )

    stays = _case_stays(store, windows, protocol, tz)
    result.queries += 1
    result.stays = sum(len(v) for v in stays.values())
    if stays:
        for case_person, contact in _venue_contacts(store, stays, protocol, tz):
            found[case_person].append(contact)
        result.queries += 1

    close_people = {c.person_id for contacts in found.values() for c in contacts}
    contact_facts = _people_of(store, close_people) if close_people else {}
    households = _household_members(store, {h for h, _ in contact_facts.values() if h}) if contact_facts else {}
    household_of = {p: h for p, (h, _) in contact_facts.items()}
    for case_person in windows:
        close = [c for c in found[case_person] if c.category is ContactCategory.close]
        excluded = {c.person_id for c in close} | {case_person}
        found[case_person].extend(rules.secondary_contacts(close, households, household_of, excluded=excluded))

    phones = {p: phone for p, (_, phone) in facts.items() if phone}
    if phones:
        companions, unregistered = _companions(store, windows, phones, protocol, tz)
        result.queries += 3  # the grid origin, the cases' own positions, the phones in their cells
        result.unregistered_companion_phones = unregistered
        for case_person, contact in companions:
            found[case_person].append(contact)

    for case_person in windows:
        result.contacts[case_person] = rules.strongest(found[case_person], case_person_id=case_person)
    return result


# ---- the queries ------------------------------------------------------------------------------


def _people_of(store: EventStore, people: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """(household_id, phone) of each named person found in the people snapshot."""
    return _people_index(store).facts(people)


def _household_members(store: EventStore, households: set[str]) -> dict[str, list[str]]:
    return _people_index(store).members_of(households) if households else {}


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
) -> list[tuple[str, Contact]]:
    intervals = [interval for case_stays in stays.values() for _, interval in case_stays]
    earliest = min(i.start for i in intervals) - rules.MAX_STAY
    latest = max(i.end for i in intervals)
    first_day, last_day = _days([Interval(earliest, latest)], tz)
    stay_rows = [(case, venue, i) for case, case_stays in stays.items() for venue, i in case_stays]
    case_stays = pa.table({
        "case_person": pa.array([r[0] for r in stay_rows], pa.string()),
        "venue_id": pa.array([r[1] for r in stay_rows], pa.string()),
        "start_at": pa.array([r[2].start for r in stay_rows], UTC_TIME),
        "end_at": pa.array([r[2].end for r in stay_rows], UTC_TIME),
    })
    params = {
        "first_day": first_day, "last_day": last_day, "earliest": earliest, "latest": latest,
        "default_dwell": protocol.contact.default_dwell_minutes,
        "min_overlap_seconds": protocol.contact.venue_min_overlap_minutes * 60,
    }
    table = store.query(
        queries.VENUE_CONTACTS, params, tables={"case_stays": case_stays, "dwell_by_kind": _dwell_table(protocol)}
    )
    # a thousand cases make a million rows: columns, and each distinct exposure end made into a datetime once
    ends = _instants(table.column("last_exposure"))
    return [
        (case_person, Contact(person_id, ContactCategory.close, ExposureVia.venue, venue_id=venue_id,
                              last_exposure=end, overlap_minutes=rules.whole_minutes(seconds)))
        for case_person, person_id, venue_id, end, seconds in zip(
            table.column("case_person").to_pylist(), table.column("person_id").to_pylist(),
            table.column("venue_id").to_pylist(), ends, table.column("overlap_seconds").to_pylist(),
        )
    ]


def companion_grid(store: EventStore, protocol: Protocol) -> rules.Grid:
    """The grid around the mean position of the buildings snapshot (see `rules.grid_origin`)."""
    centre = store.query(queries.BUILDINGS_CENTRE).to_pylist()
    lon0, lat0 = rules.grid_origin(centre[0]["lon"], centre[0]["lat"]) if centre else (0.0, 0.0)
    return rules.Grid(lon0, lat0, protocol.companion.grid_metres)


MAX_CELL_BRANCHES = 48  # more cells than this are read in one pass joined with them (no per-cell pruning)
_CELL_MARGIN = 1e-6  # degrees (~0.1 m) each side of a cell's box: a point on its edge is read, then placed exactly


def _companions(
    store: EventStore, windows: dict[str, Interval], phones: dict[str, str], protocol: Protocol, tz: tzinfo
) -> tuple[list[tuple[str, Contact]], int]:
    """Companions of the cases that have a phone; and how many qualifying phones name no one.

    Two passes: the cases' own positions (by phone), then the phones in the cells the cases were in
    during their windows (by place, each cell's box read on its own).
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
    own = store.query(queries.CASE_LOCATIONS, params, tables={"case_windows": _windows_table(traced, phones, protocol)})
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
        return [], 0

    cells = sorted({(cx, cy) for _, _, cx, cy, _, _ in presence})
    case_cells = sorted({(case, cx, cy) for case, _, cx, cy, _, _ in presence})
    bound = {
        "case_presence": pa.table({
            "case_person": _strings([r[0] for r in presence]), "phone": _strings([r[1] for r in presence]),
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
    branches = len(cells) if len(cells) <= MAX_CELL_BRANCHES else 0
    if branches:
        # the other party's history matters only in cells where some case present did not itself stay long
        del params["first_day"]  # each branch has its own
        present = defaultdict(set)
        for case, cx, cy in case_cells:
            present[(cx, cy)].add(case)
        for i, (cx, cy) in enumerate(cells):
            cases_here = present[(cx, cy)]
            if all(rules.dwelt_long(mine[(case, cx, cy)], companion) for case in cases_here):
                from_day = _days([traced[case] for case in cases_here], tz, before=timedelta(days=1))[0]
            else:
                from_day = first_day
            (lon_lo, lat_lo), (lon_hi, lat_hi) = grid.corner(cx, cy), grid.corner(cx + 1, cy + 1)
            params |= {f"from_day_{i}": from_day, f"cx_{i}": cx, f"cy_{i}": cy, f"lon_lo_{i}": lon_lo - _CELL_MARGIN,
                       f"lon_hi_{i}": lon_hi + _CELL_MARGIN, f"lat_lo_{i}": lat_lo - _CELL_MARGIN,
                       f"lat_hi_{i}": lat_hi + _CELL_MARGIN}
    else:
        bound["wanted_cells"] = pa.table({"cx": pa.array([c[0] for c in cells], pa.int64()),
                                          "cy": pa.array([c[1] for c in cells], pa.int64())})
    params["min_together_seconds"] = companion.min_minutes * 60
    params["long_seconds"] = timedelta(hours=companion.cumulative_hours).total_seconds()
    table = store.query(queries.companions(branches), params, tables=bound)

    # a thousand cases meet millions of phones: name their holders and make the contacts column-wise
    phones = table.column("phone").combine_chunks()
    holders = _people_index(store).holders_of(phones)
    registered = pc.is_valid(holders)
    unregistered = pc.count_distinct(phones.filter(pc.invert(registered))).as_py()
    table = table.filter(registered).append_column("person_id", holders.filter(registered))
    table = table.sort_by([("case_person", "ascending"), ("person_id", "ascending")])
    ends = _instants(table.column("last_exposure"))
    return [
        (case, Contact(person_id, ContactCategory.companion, ExposureVia.grid, last_exposure=end,
                       overlap_minutes=rules.whole_minutes(seconds)))
        for case, person_id, end, seconds in zip(
            table.column("case_person").to_pylist(), table.column("person_id").to_pylist(), ends,
            table.column("together_seconds").to_pylist(),
        )
    ], unregistered


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


def _instants(column: pa.ChunkedArray) -> list[datetime]:
    """A timestamp column as aware UTC datetimes, converting each distinct value once."""
    micros = column.cast(pa.timestamp("us")).cast(pa.int64()).to_pylist()
    made: dict[int, datetime] = {}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [made.get(m) or made.setdefault(m, epoch + timedelta(microseconds=m)) for m in micros]


def _utc(value: datetime) -> datetime:
    """Engines give instants back aware (DuckDB) or naive in the session zone, UTC (Spark)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
