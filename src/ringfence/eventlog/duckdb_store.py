"""The event log read by DuckDB, in process: the default engine."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from ringfence.core.errors import InvalidInput
from ringfence.eventlog import row_groups
from ringfence.eventlog.kinds import REGISTER_SCHEMAS, EventKind
from ringfence.eventlog.parquet_log import SECOND_ORDER
from ringfence.eventlog.row_groups import KeyLookup
from ringfence.eventlog.store import BY_PERSON_VIEW, BY_PLACE_VIEW, EventStore, Lookups, Params, Tables
from ringfence.eventlog.views import duckdb_empty_select, event_view_schema, second_order_view_schema

if TYPE_CHECKING:
    from ringfence.config import Settings


class DuckDBEventStore(EventStore):
    """Queries run on one in-memory DuckDB connection (session zone UTC) over the Parquet files."""

    engine_name = "duckdb"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._guard = threading.Lock()  # a DuckDB connection serves one query at a time

    def query(self, sql: str, params: Params = None, *, tables: Tables = None, lookups: Lookups = None) -> pa.Table:
        """Run one DuckDB SELECT over the views of the files published right now (and the caller's `tables`);
        a view with a `lookups` hint is bound to its keys' row groups only, where they are few."""
        with self._guard, self.log.reading():
            con = self._connect()
            bound = dict(tables or {})
            bound |= self._bind_views(con, _words(sql), lookups or {})
            for name, table in (tables or {}).items():
                con.register(name, table)
            try:
                relation = con.sql(sql, params=_as_params(params))
                if relation is None:
                    raise InvalidInput("an event query must be a SELECT")
                return to_arrow(relation)
            except duckdb.Error as exc:
                raise InvalidInput(f"event query failed: {str(exc).splitlines()[0]}") from None
            finally:
                for name in bound:
                    con.unregister(name)

    def close(self) -> None:
        with self._guard:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self._connection = _database(self.log.root).cursor()
            self._connection.execute("SET TimeZone = 'UTC'")
            # a join with a batch's few thousand keys (people, venues) prunes row groups by the keys
            # themselves, not only by their min and max (DuckDB's default stops at 50 keys)
            self._connection.execute(f"SET dynamic_or_filter_threshold = {DYNAMIC_KEYS}")
        return self._connection

    def _bind_views(
        self, con: duckdb.DuckDBPyConnection, words: frozenset[str], lookups: Mapping[str, KeyLookup]
    ) -> dict[str, pa.Table]:
        """Point each view the query may read (its name is one of the query's `words`) at the files there are
        now (a kind with none reads as empty); the views are this connection's own (registered, not in the
        shared catalog), like the caller's bound tables. Binding a view costs a listing of its files.

        A view with a lookup reads the rows of its keys' row groups (`row_groups.narrowed`), bound as a table
        of its own, and the files that cannot be narrowed as usual; the tables bound so are returned."""
        held: dict[str, pa.Table] = {}
        for kind in EventKind:
            if kind.value not in words:
                continue
            schema = event_view_schema(kind)
            files = self.log.files(kind)
            rows = self._narrowed(files, lookups.get(kind.value), schema)
            if rows is not None:
                relation = _hold(con, held, kind.value, rows)
            elif files:
                relation = con.read_parquet([str(p) for p in files], hive_partitioning=True)
            else:
                relation = con.sql(duckdb_empty_select(schema))
            con.register(kind.value, relation)
        for view, kind in ((BY_PERSON_VIEW, EventKind.scans), (BY_PLACE_VIEW, EventKind.locations)):
            if view not in words:
                continue
            files = self.log.files_in_second_order(kind)
            copies, originals = self.log.split_second_order(kind, files)
            # the copies are sorted by the key; the files not yet copied are read as usual
            rows = self._narrowed(copies, lookups.get(view), _second_order_schema(kind))
            if rows is None:
                con.register(view, self._second_order_relation(con, kind, files))
                continue
            relation = _hold(con, held, view, rows)
            if originals:
                relation = relation.union(self._second_order_relation(con, kind, originals))
            con.register(view, relation)
        for name, path in self.register_sources().items():
            if name.value not in words:
                continue
            if path is not None:
                relation = con.read_parquet(str(path), hive_partitioning=False)
            else:
                relation = con.sql(duckdb_empty_select(REGISTER_SCHEMAS[name]))
            con.register(name.value, relation)
        return held

    def _narrowed(self, files: list[Path], lookup: KeyLookup | None, schema: pa.Schema) -> pa.Table | None:
        """The lookup's rows of those of `files` filed under its days (None: no lookup, or not narrowed)."""
        if lookup is None:
            return None
        days = set(lookup.days())
        dated = [(path, day) for path in files if (day := self.log.day_of(path)) in days]
        return row_groups.narrowed(dated, lookup, schema)

    def _second_order_relation(
        self, con: duckdb.DuckDBPyConnection, kind: EventKind, files: list[Path]
    ) -> duckdb.DuckDBPyRelation:
        """The copies, with their stored derived columns (filters on those prune them), and the files not yet
        copied, deriving those columns as they are read."""
        derived = dict(SECOND_ORDER[kind].derived)
        schema = _second_order_schema(kind)
        parts = []
        for stored, paths in zip((True, False), self.log.split_second_order(kind, files)):
            if paths:
                columns = ", ".join(
                    f'{derived[f.name]} AS "{f.name}"' if f.name in derived and not stored else f'"{f.name}"'
                    for f in schema)
                parts.append(con.read_parquet([str(p) for p in paths], hive_partitioning=True).project(columns))
        if not parts:
            return con.sql(duckdb_empty_select(schema))
        return parts[0].union(parts[1]) if len(parts) > 1 else parts[0]


def _second_order_schema(kind: EventKind) -> pa.Schema:
    return second_order_view_schema(kind, tuple(name for name, _ in SECOND_ORDER[kind].derived))


def _hold(con: duckdb.DuckDBPyConnection, held: dict[str, pa.Table], view: str, rows: pa.Table) -> duckdb.DuckDBPyRelation:
    """`rows` bound for this query under a name of its own (unbound with the caller's tables)."""
    name = f"_{view}_rows"
    held[name] = rows
    con.register(name, rows)
    return con.table(name)


def _words(sql: str) -> frozenset[str]:
    """The words of a query's text, among them the names of the views it reads."""
    return frozenset(re.findall(r"[a-z_][a-z0-9_]*", sql.lower()))


DYNAMIC_KEYS = 4096
_KEPT_DATABASES = 8
_databases: dict[str, duckdb.DuckDBPyConnection] = {}
_databases_guard = threading.Lock()
_inherited: list[duckdb.DuckDBPyConnection] = []  # a forked child's copies of its parent's: never touched


def _forget_databases() -> None:
    """In a forked child: the parent's databases lost their worker threads in the fork (using one hangs,
    closing one may too), so the child keeps them unused and opens its own."""
    global _databases_guard
    _databases_guard = threading.Lock()
    _inherited.extend(_databases.values())
    _databases.clear()


os.register_at_fork(after_in_child=_forget_databases)


def _database(root: Path) -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB database for one event log; each store queries on its own connection.

    Shared so that the Parquet footers it has parsed serve every later query, request after request: the
    log's files are immutable (each write publishes new names) and DuckDB re-reads a footer whose file's
    modification time changed (or is under 10 s old), as a rewritten register's is. The last few logs
    used are kept; an older one lives on while a store still has a connection to it.
    """
    key = str(root.resolve())
    with _databases_guard:
        database = _databases.pop(key, None)
        if database is None:
            database = duckdb.connect()
            database.execute("SET GLOBAL parquet_metadata_cache = true")
        _databases[key] = database  # the most recently used last
        while len(_databases) > _KEPT_DATABASES:
            del _databases[next(iter(_databases))]
        return database


def to_arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    """A relation's rows as one Arrow table, on DuckDB 1.x and 2.x alike."""
    if hasattr(relation, "to_arrow_table"):
        return relation.to_arrow_table()
    return relation.arrow()  # DuckDB < 1.4 returns a Table here


def _as_params(params: Params) -> dict | list | None:
    if params is None:
        return None
    if isinstance(params, dict):
        return dict(params)
    if isinstance(params, (list, tuple)):
        return list(params)
    return dict(params)
