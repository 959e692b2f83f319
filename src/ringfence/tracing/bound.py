"""What tracing's event-log queries share: the tables bound to them, the days they read, the register index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

import pyarrow as pa

from ringfence.eventlog import people_index
from ringfence.eventlog.kinds import UTC_TIME, RegisterName
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.tracing.rules import Interval


def people_index_of(store: EventStore) -> people_index.PeopleIndex:
    return people_index.open_index(store.register_sources()[RegisterName.people])


def windows_table(windows: dict[str, Interval], phones: dict[str, str], protocol: Protocol) -> pa.Table:
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


def days(intervals: Iterable[Interval], tz: tzinfo, *, before: timedelta = timedelta(0)) -> tuple[date, date]:
    """The local days (the event log's partitions) from the earliest start − `before` to the latest end."""
    spans = list(intervals)
    first = min(i.start for i in spans) - before
    last = max(i.end for i in spans)
    return first.astimezone(tz).date(), last.astimezone(tz).date()


def each_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def utc(value: datetime) -> datetime:
    """Engines give instants back aware (DuckDB) or naive in the session zone, UTC (Spark)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
