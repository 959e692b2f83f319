"""Bulk reads and writes in the store's fastest form: what makes 12.6 M people take minutes.

PostgreSQL gets one array parameter for a key lookup (`= ANY(:keys)`: one parameter to plan,
not thousands) and COPY for inserts; SQLite gets one JSON parameter (`IN (SELECT value FROM
json_each(:keys))`) and executemany. Values pass
through each column type's own bind conversion either way, so both stores hold the same.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column` is one of `values`."""
    if session.get_bind().dialect.name == "postgresql":
        keys = bindparam(None, value=list(values), type_=ARRAY(column.type))
        return column == any_(keys)
    if len(values) > 100 and all(isinstance(value, str) for value in values):
        # one JSON parameter instead of thousands: SQLite reads the list in C and still searches the index
        listed = select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(list(values)))))
        return column.in_(listed)
    return column.in_(values)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a bulk import runs.

    An import builds millions of short-lived, acyclic containers (rows, their cells, their values):
    each collection would walk all of them again, a third of a people import's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, in the same order) in one go."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        session.execute(insert(table), list(rows))
        return
    # COPY and the driver's executemany skip Python-side column defaults (a case's status): add them
    defaults = {
        c.name: c.default.arg for c in table.columns
        if c.name not in rows[0] and c.default is not None and c.default.is_scalar
    }
    columns = [*rows[0], *defaults]
    # the same conversions an INSERT would make (enums to text, aware times to UTC, dates to ISO text)
    convert = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(c) for c in columns)
    cursor = connection.connection.driver_connection.cursor()
    if dialect.name == "sqlite":
        # plain tuples straight to the driver: SQLAlchemy's per-row parameter building costs more than SQLite's insert
        statement = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        try:
            cursor.executemany(statement, _tuples(rows, columns, convert, defaults))
        finally:
            cursor.close()
        return
    with cursor.copy(f"COPY {quote.format_table(table)} ({names}) FROM STDIN") as copy:
        for row in _tuples(rows, columns, convert, defaults):
            copy.write_row(row)


def _tuples(rows: Sequence[dict[str, Any]], columns: list[str], convert: list, defaults: dict[str, Any]):
    """Each row as a tuple of driver values, in `columns` order.

    Built a column at a time: one list comprehension per column, a conversion only for the columns
    whose type has one (enums, dates), NULLs passed as they are.
    """
    lists = []
    for column, processor in zip(columns, convert, strict=True):
        if column in defaults:
            values = [defaults[column]] * len(rows)
        else:
            values = [row[column] for row in rows]
        if processor is not None:
            values = [None if value is None else processor(value) for value in values]
        lists.append(values)
    return zip(*lists, strict=True)
