"""Tracing one case and 1,000 cases against 14 days of check-ins (targets: < 1 s and < 10 s at ~1 B rows).

Simulates a city with `ringfence simulate` (or reuses `--data`), loads its scans into a fresh event
log day by day (one batch per day), compacts it (venue order, plus the by-person copies), writes the
people/venues/buildings snapshots, then times `tracing.exposures.trace_batch` on DuckDB and/or Spark
for cases drawn among the people who checked in during the last days. Windows are the protocol's
4 days plus the day of confirmation (the last simulated day).

    .venv/bin/python bench/trace_cases.py --people 1000000 --days 14 --engine both --repeat 3

DuckDB runs in a forked process per repeat (peak RSS of that process), forked from this one after its
imports (as a serving process has them) and after the people index is built (as the register import
does), twice: `cold`, the first query of that process (it parses every Parquet footer it reads), and
`serving`, after the process traced another draw of as many cases (as a server has answered earlier
requests: footers cached, other cases, so no result is reused). Spark runs in this process on its warm
session (time of the call; peak RSS of the JVM and of this process).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_load, median_run, report

from ringfence.config import Settings
from ringfence.eventlog import people_index, row_groups
from ringfence.eventlog.kinds import REGISTER_SCHEMAS, EventKind, RegisterName
from ringfence.eventlog.parquet_log import ParquetLog
from ringfence.eventlog.store import open_store, register_path
from ringfence.protocols import service as protocols
from ringfence.tracing import exposures
from ringfence.tracing.exposures import CaseWindow, trace_in_passes
from ringfence.tracing.rules import Interval

PROTOCOL = protocols.load("covid19-cn-9")
ROOT = Path(__file__).resolve().parent.parent


def simulate(data: Path, people: int, days: int, seed: int) -> None:
    if (data / "scans.parquet").exists():
        return
    subprocess.run(
        [str(ROOT / ".venv/bin/ringfence"), "simulate", "--people", str(people), "--days", str(days), "--seed",
         str(seed), "--out", str(data), "--format", "parquet", "--json"],
        check=True, stdout=subprocess.DEVNULL,
    )


def _load_kind(log: ParquetLog, kind: EventKind, source: Path, time_column: str, columns: str) -> None:
    """Append a simulated feed to the log one day per batch, then compact each day (the import's path)."""
    with log.connection() as con:
        con.execute("SET memory_limit = '6GB'")  # a 12.6 M city's day is ~40 M rows: spill rather than swell
        days = [r[0] for r in con.execute(
            f"SELECT DISTINCT CAST({time_column} AS DATE) FROM read_parquet(?) ORDER BY 1", [str(source)]).fetchall()]
        for day in days:
            # a range on the time column: the file's row groups are in day order and the rest are skipped
            start = datetime(day.year, day.month, day.day, tzinfo=log.tz)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE day_rows AS SELECT {columns}, row_number() OVER () AS _ord "
                f"FROM read_parquet(?) WHERE {time_column} >= ? AND {time_column} < ?",
                [str(source), start, start + timedelta(days=1)],
            )
            log.append_select(con, kind, "SELECT * FROM day_rows", batch_id=f"bench-{day}")
    for day in log.days(kind):
        log.compact(kind, day)


def load(data: Path, home: Path, *, locations: bool) -> tuple[Settings, int, datetime]:
    """The event log (scans, and phone locations if asked) and snapshots of the simulated city in `home`;
    (settings, scan rows, last scan)."""
    settings = Settings(home=home)
    for name in (RegisterName.people, RegisterName.venues, RegisterName.buildings):
        schema = REGISTER_SCHEMAS[name]
        table = _read_register(data, name.value)
        arrays = [
            table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema
        ]
        target = register_path(settings, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), target)
    log = ParquetLog(settings.events_dir, settings.tz)
    _load_kind(log, EventKind.scans, data / "scans.parquet", "scanned_at",
               "person_id, venue_id, CAST(scanned_at AS TIMESTAMPTZ) AS scanned_at, "
               "CAST(left_at AS TIMESTAMPTZ) AS left_at")
    if locations:
        _load_kind(log, EventKind.locations, data / "locations.parquet", "start_at",
                   "phone, lon, lat, CAST(start_at AS TIMESTAMPTZ) AS start_at, CAST(end_at AS TIMESTAMPTZ) AS end_at")
    return (settings, *_size(settings))


def _read_register(data: Path, name: str) -> pa.Table:
    """A register the simulator wrote, as Parquet or (a large city, `--format auto`) as CSV."""
    if (data / f"{name}.parquet").is_file():
        return pq.read_table(data / f"{name}.parquet")
    with duckdb.connect() as con:
        return con.sql("SELECT * FROM read_csv($path, all_varchar = true)",
                       params={"path": str(data / f"{name}.csv")}).to_arrow_table()


def draw_cases(settings: Settings, last: datetime, count: int, seed: int, spread_hours: int = 0) -> list[CaseWindow]:
    """`count` people who checked in during the window; each window closes at the last simulated hour, or
    (`spread_hours`) a whole number of minutes up to that many hours before it, drawn for each case."""
    end = last.replace(minute=0, second=0, microsecond=0)
    window = Interval(end - timedelta(days=PROTOCOL.contact.lookback_days + 1), end)
    with open_store(settings) as store:
        people = store.query(
            "SELECT DISTINCT person_id FROM scans WHERE scanned_at >= $start ORDER BY person_id",
            {"start": window.start}).column("person_id").to_pylist()
    draw = random.Random(seed)
    chosen = draw.sample(people, min(count, len(people)))
    closes = [end - timedelta(minutes=draw.randrange(spread_hours * 60)) if spread_hours else end for _ in chosen]
    return [CaseWindow(p, Interval(window.start, close)) for p, close in zip(chosen, closes)]


def trace(settings: Settings, cases: list[CaseWindow]) -> dict:
    with open_store(settings) as store:
        return trace_all(store, settings, cases)


def trace_all(store, settings: Settings, cases: list[CaseWindow]) -> dict:
    """The batch in passes (`exposures.trace_in_passes`), as the daily step traces a day's cases: each pass's
    contacts are counted and let go."""
    outcome = {"contacts": 0, "stays": 0, "passes": 0}
    for batch in trace_in_passes(store, cases, PROTOCOL, tz=settings.tz):
        outcome["contacts"] += batch.contacts.num_rows
        outcome["stays"] += batch.stays
        outcome["passes"] += 1
    return outcome


def spark_run(settings: Settings, cases: list[CaseWindow], repeat: int) -> dict:
    from ringfence.eventlog.spark_store import SparkEventStore, spark_session

    session = spark_session()
    store = SparkEventStore(settings)
    trace_all(store, settings, cases)  # warm: the first query plans and loads classes
    times, cpu, outcome = [], [], None
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = trace_all(store, settings, cases)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    jvm = session.sparkContext._gateway.proc.pid
    return {"seconds": statistics.median(times), "peak_rss_mib": _peak_mib(jvm) + _peak_mib("self"),
            "cpu_seconds (driver)": statistics.median(cpu), "outcome": outcome}


def _peak_mib(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="residents of the simulated city")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--cases", type=int, default=1000, help="cases of the batch run")
    parser.add_argument("--engine", choices=["duckdb", "spark", "both"], default="duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="a simulation directory to reuse (made if missing, unless --home is loaded)")
    parser.add_argument("--home", type=Path, help="a loaded data home to reuse (made if missing)")
    parser.add_argument("--no-locations", action="store_true",
                        help="load check-ins only: companions (phone locations) are then not traced")
    parser.add_argument("--load-only", action="store_true", help="simulate and load into --home, trace nothing")
    parser.add_argument("--narrow-at-most", type=float, default=row_groups.AT_MOST,
                        help="DuckDB reads a lookup's row groups itself up to this share of a day's groups "
                             "(row_groups.AT_MOST; 0: never, the engine's own scan)")
    parser.add_argument("--spread-hours", type=int, default=0,
                        help="close each case's window up to this many hours before the last simulated hour "
                             "(0: every window closes then), as a day's cases are confirmed through the day")
    parser.add_argument("--most-contacts", type=int, default=exposures.MOST_CONTACTS,
                        help="trace the batch in passes of about this many contacts (exposures.MOST_CONTACTS; "
                             "0: one pass)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    row_groups.AT_MOST = args.narrow_at_most  # set before the runs fork
    exposures.MOST_CONTACTS = args.most_contacts or sys.maxsize
    if not args.most_contacts:
        exposures.FIRST_PASS = sys.maxsize

    with tempfile.TemporaryDirectory(prefix="ringfence-trace-") as scratch:
        data = args.data or Path(scratch) / "simulation"
        home = args.home or Path(scratch) / "home"
        loaded_before = args.home is not None and (home / "events").is_dir()  # then no simulation is needed
        started = time.perf_counter()
        if not loaded_before:
            simulate(data, args.people, args.days, args.seed)
        simulated = time.perf_counter() - started
        started = time.perf_counter()
        if loaded_before:
            settings = Settings(home=home)
            rows, last = _size(settings)
        else:
            settings, rows, last = load(data, home, locations=not args.no_locations)
        loaded = time.perf_counter() - started
        if args.load_only:
            print(f"loaded {rows:,} scan rows into {home} in {loaded:.0f} s")
            return
        # a serving process has its libraries loaded (pyarrow imports pandas on its first list conversion)
        # and the people index the register import builds
        pa.array(["warm"])
        people_index.open_index(register_path(settings, RegisterName.people))
        engines = ["duckdb", "spark"] if args.engine == "both" else [args.engine]
        for count in dict.fromkeys((1, args.cases)):  # --cases 1: the one-case runs once
            cases = draw_cases(settings, last, count, args.seed, args.spread_hours)
            for engine in engines:
                if engine == "duckdb":
                    others = draw_cases(settings, last, count, args.seed + 1, args.spread_hours)
                    runs = {
                        "duckdb, cold": median_run(lambda cases=cases: trace(settings, cases), args.repeat),
                        "duckdb, serving": median_run(lambda cases=cases: trace(settings, cases), args.repeat,
                                                      prepare=lambda others=others: trace(settings, others)),
                    }
                else:
                    runs = {"spark": spark_run(settings, cases, args.repeat)}
                for label, run in runs.items():
                    report(f"trace {count} case(s) on {label}", {
                        "people": args.people, "days": args.days, "scan rows": rows, "cases": len(cases),
                        **{k: v for k, v in run.items() if k != "outcome"}, **run["outcome"],
                        "narrow at most": row_groups.AT_MOST, "most contacts a pass": args.most_contacts,
                        "simulate s": simulated, "load+compact s": loaded,
                        "load": machine_load(),
                    }, args.json)


def _size(settings: Settings) -> tuple[int, datetime]:
    log = ParquetLog(settings.events_dir, settings.tz)
    with duckdb.connect() as con:
        rows, last = con.execute(
            "SELECT count(*), max(scanned_at) FROM read_parquet(?)",
            [[str(p) for p in log.files(EventKind.scans)]]).fetchone()
    return rows, last.astimezone(UTC)


if __name__ == "__main__":
    main()
