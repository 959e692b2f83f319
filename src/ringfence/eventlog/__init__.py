"""The event log: immutable Parquet files of high-volume events, queried with one SQL on DuckDB or Spark.

Entry points: `store.open_store(settings)` -> `EventStore` (append, query, compact, recover).
"""
