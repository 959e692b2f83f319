"""Who was exposed to a batch of cases: the event-log queries of `queries.py` turned into contacts.

Knows the event log and the protocol, not the relational store: the same batch gives the same
contacts on DuckDB and on Spark. A batch of a thousand cases costs about as many queries as one case;
a day's cases go in passes that each fit in memory (`trace_in_passes`). The companions' queries are
`companions.py`'s, the tables and days all the queries share `bound.py`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.eventlog import people_index
from ringfence.eventlog.kinds import UTC_TIME
from ringfence.eventlog.store import BY_PERSON_VIEW, EventStore, KeyLookup
from ringfence.protocols.models import Protocol
from ringfence.tracing import bound, companions, queries, rules
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
    index = bound.people_index_of(store)  # the register's lookups, not engine queries
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
        met, result.unregistered_phones = companions.companions_of(store, windows, phones, protocol, tz)
        result.queries += 3  # the grid origin, the cases' own positions, the phones in their cells
        found.append(_contacts(
            met.column("case_person"), met.column("person_id"), ContactCategory.companion, ExposureVia.grid,
            last_exposure=met.column("last_exposure"), overlap_seconds=met.column("together_seconds"),
        ))
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

    A pass's memory grows with its contacts: a thousand cases of a 12.6 M city have ~80 million, ~30 GiB in one
    pass (34 million took 12 GiB at 1 M people), more than the machine holds. Each pass is sized from the
    contacts per case the passes before it found (the first has `FIRST_PASS` cases), and at most four times
    the one before.
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


def _instants(column: pa.ChunkedArray) -> list[datetime]:
    """A timestamp column as aware UTC datetimes (None where null), converting each distinct value once."""
    micros = column.cast(pa.timestamp("us")).cast(pa.int64()).to_pylist()
    made: dict[int | None, datetime | None] = {None: None}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [made[m] if m in made else made.setdefault(m, epoch + timedelta(microseconds=m)) for m in micros]


# ---- the queries ------------------------------------------------------------------------------


def _case_stays(
    store: EventStore, windows: dict[str, Interval], protocol: Protocol, tz: tzinfo
) -> dict[str, list[tuple[str, Interval]]]:
    """Each case's stays clipped to its window, the ones long enough to make a contact."""
    first_day, last_day = bound.days(windows.values(), tz, before=rules.MAX_STAY)
    table = store.query(
        queries.CASE_STAYS,
        {"first_day": first_day, "last_day": last_day, "default_dwell": protocol.contact.default_dwell_minutes},
        tables={"case_windows": bound.windows_table(windows, {}, protocol), "dwell_by_kind": _dwell_table(protocol)},
        lookups={BY_PERSON_VIEW: KeyLookup.every_day("person_id", sorted(windows), bound.each_day(first_day, last_day), pa.string())},
    )
    shortest = timedelta(minutes=protocol.contact.venue_min_overlap_minutes)
    stays: dict[str, list[tuple[str, Interval]]] = defaultdict(list)
    for row in table.to_pylist():
        clipped = Interval(bound.utc(row["start_at"]), bound.utc(row["end_at"])).clip(windows[row["case_person"]])
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
                        for day in bound.each_day(*bound.days([i], tz, before=rules.MAX_STAY))})
    days = sorted({day for _, day in stay_days})
    params = {
        "earliest": earliest, "latest": latest, **{f"day_{n}": day for n, day in enumerate(days)},
        "default_dwell": protocol.contact.default_dwell_minutes,
        "min_overlap_seconds": protocol.contact.venue_min_overlap_minutes * 60,
    }
    tables = {
        "case_stays": case_stays, "dwell_by_kind": _dwell_table(protocol),
        "stay_days": pa.table({"venue_id": pa.array([v for v, _ in stay_days], pa.string()),
                               "day": pa.array([d for _, d in stay_days], pa.date32())}),
    }
    stay_days_keys = tables["stay_days"].rename_columns(["key", "day"])
    table = store.query(queries.venue_contacts(len(days)), params, tables=tables,
                        lookups={"scans": KeyLookup("venue_id", stay_days_keys)})
    return _contacts(
        table.column("case_person"), table.column("person_id"), ContactCategory.close, ExposureVia.venue,
        venue_id=table.column("venue_id"), last_exposure=table.column("last_exposure"),
        overlap_seconds=table.column("overlap_seconds"),
    )


def _dwell_table(protocol: Protocol) -> pa.Table:
    kinds = sorted(protocol.contact.dwell_minutes_by_kind.items())
    return pa.table({
        "kind": pa.array([k for k, _ in kinds], pa.string()),
        "minutes": pa.array([m for _, m in kinds], pa.int64()),
    })
