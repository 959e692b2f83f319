"""The event log read by Apache Spark (PySpark, an optional extra): the same SQL, transpiled.

Queries are written in DuckDB's dialect and turned into Spark SQL by SQLGlot; parameters stay
parameters (`$name` becomes `:name`, `?` stays `?`) and go to Spark's parameterized `spark.sql(args=…)`,
so no value is ever pasted into the text. Writes (append, compaction, recovery) are the shared Parquet
writer's: the files are the contract, whichever engine reads them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ringfence.core.errors import InvalidInput
from ringfence.eventlog.kinds import REGISTER_SCHEMAS, EventKind
from ringfence.eventlog.parquet_log import SECOND_ORDER
from ringfence.eventlog.store import BY_PERSON_VIEW, BY_PLACE_VIEW, EventStore, Lookups, Params, Tables
from ringfence.eventlog.views import event_view_schema, second_order_view_schema, spark_ddl

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


_session_lock = threading.Lock()
_query_lock = threading.Lock()  # temp views are per session: one query binds and runs at a time
_session: SparkSession | None = None


def spark_session() -> SparkSession:
    """The process's Spark session, made on first use and reused: local[2] unless SPARK_MASTER says."""
    global _session
    with _session_lock:
        if _session is None or _session.sparkContext._jsc is None:  # stopped sessions are replaced
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise InvalidInput("the spark engine needs PySpark: pip install 'ringfence[spark]'") from None
            _session = (
                SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
                .appName("ringfence")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.sources.partitionColumnTypeInference.enabled", "true")
                .getOrCreate()
            )
            _session.sparkContext.setLogLevel("ERROR")
        return _session


def stop_spark_session() -> None:
    """Stop the shared session (tests and shutdown); the next query starts a new one."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.stop()
            _session = None


def to_spark_sql(sql: str) -> str:
    """DuckDB SQL as Spark SQL; DuckDB's `$name` parameters become Spark's `:name`."""
    return _transpiled(sql)[0]


@lru_cache(maxsize=256)
def _transpiled(sql: str) -> tuple[str, frozenset[str]]:
    """The Spark SQL, and the names of the tables it reads (only those views need binding)."""
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise InvalidInput(f"event query does not parse: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1 or statements[0] is None:
        raise InvalidInput("an event query is one SELECT statement")
    tables = frozenset(table.name.lower() for table in statements[0].find_all(exp.Table))
    return statements[0].sql(dialect="spark"), tables


class SparkEventStore(EventStore):
    """Queries run on the shared Spark session over the same Parquet files as DuckDB's."""

    engine_name = "spark"

    def query(self, sql: str, params: Params = None, *, tables: Tables = None, lookups: Lookups = None) -> pa.Table:
        """Run one DuckDB-dialect SELECT, transpiled to Spark SQL, with its parameters bound by Spark (which
        prunes by the query's own filters: `lookups` are not needed)."""
        spark_sql, read = _transpiled(sql)
        spark = spark_session()
        with _query_lock, self.log.reading():
            self._bind_views(spark, read)
            for name, table in (tables or {}).items():
                _bind_table(spark, name, table)
            try:
                frame = spark.sql(spark_sql, args=_as_args(params))
                return _collect(frame)
            except Exception as exc:
                if exc.__class__.__module__.startswith(("pyspark", "py4j")):
                    raise InvalidInput(f"event query failed on Spark: {str(exc).splitlines()[0]}") from None
                raise

    def _bind_views(self, spark: SparkSession, tables: frozenset[str]) -> None:
        """Point the views the query reads at the files there are now (a kind with none reads as empty)."""
        for kind, files in self.event_sources().items():
            if kind.value not in tables:
                continue
            if files:
                frame = spark.read.option("basePath", str(self.log.kind_dir(kind))).parquet(*map(str, files))
            else:
                frame = spark.createDataFrame([], spark_ddl(event_view_schema(kind)))
            frame.createOrReplaceTempView(kind.value)
        if BY_PERSON_VIEW in tables:
            self._bind_copies(spark, EventKind.scans, self.by_person_sources(), BY_PERSON_VIEW)
        if BY_PLACE_VIEW in tables:
            self._bind_copies(spark, EventKind.locations, self.by_place_sources(), BY_PLACE_VIEW)
        for name, path in self.register_sources().items():
            if name.value not in tables:
                continue
            if path is not None:
                frame = spark.read.parquet(str(path))
            else:
                frame = spark.createDataFrame([], spark_ddl(REGISTER_SCHEMAS[name]))
            frame.createOrReplaceTempView(name.value)


    def _bind_copies(self, spark: SparkSession, kind: EventKind, files: list[Path], view_name: str) -> None:
        """A second-order view (`scans_by_person`, `locations_by_place`): the copies (under their own root)
        and the files not yet copied, as one view."""
        from pyspark.sql.functions import expr

        second = SECOND_ORDER[kind]
        derived = second.derived
        copies, originals = self.log.split_second_order(kind, files)
        frames = []
        if copies:
            root = self.log.root / second.root / kind.value
            frames.append(spark.read.option("basePath", str(root)).parquet(*map(str, copies)))
        if originals:  # not copied yet: their derived columns are computed as they are read
            frame = spark.read.option("basePath", str(self.log.kind_dir(kind))).parquet(*map(str, originals))
            frames.append(frame.withColumns({name: expr(sql) for name, sql in derived}))
        if not frames:
            frames = [spark.createDataFrame([], spark_ddl(second_order_view_schema(kind, tuple(n for n, _ in derived))))]
        view = frames[0]
        for frame in frames[1:]:
            view = view.unionByName(frame)
        view.createOrReplaceTempView(view_name)


def _bind_table(spark: SparkSession, name: str, table: pa.Table) -> None:
    """A caller's Arrow table as a temp view (an empty one keeps its columns)."""
    if table.num_rows:
        frame = spark.createDataFrame(table)
    else:
        frame = spark.createDataFrame([], spark_ddl(table.schema))
    frame.createOrReplaceTempView(name)


def _as_args(params: Params) -> dict[str, Any] | list[Any] | None:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return dict(params)
    return list(params)


def _collect(frame: DataFrame) -> pa.Table:
    if hasattr(frame, "toArrow"):  # PySpark >= 4
        return frame.toArrow()
    batches = frame._collect_as_arrow()  # PySpark 3.5
    if batches:
        return pa.Table.from_batches(batches)
    return pa.Table.from_pandas(frame.limit(0).toPandas(), preserve_index=False)
