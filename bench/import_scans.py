"""Import throughput of venue check-ins (target: ≥ 1 M rows/s end to end on 2 cores).

Generates N synthetic scans naming people by person_id (plus the people and venues snapshots they
refer to), then times `import_events` — read, validate, resolve, deduplicate, sort, write — on a
fresh event log, and again re-importing the same file (every row a duplicate). Each run is a forked
process of its own; the data is generated in another process, so the runs' peak RSS is the
import's (plus the interpreter's, shown as `start RSS MiB`). The file is read in chunks of
`--chunk-rows` rows: memory is bounded by the chunk, not the file (try `--rows 20000000`).

    .venv/bin/python bench/import_scans.py --rows 5000000 --repeat 3
    .venv/bin/python bench/import_scans.py --rows 20000000 --repeat 1 --no-reimport
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_load, median_run, report

from ringfence.config import Settings
from ringfence.eventlog.store import register_path
from ringfence.imports import events
from ringfence.imports.events import import_events
from ringfence.imports.schemas import FEEDS, FeedKind

FIRST_DAY = np.datetime64("2022-10-01T00:00:00")


def ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill(numbers.astype(str), 8)))


def make_world(home: Path, *, rows: int, people: int, venues: int, days: int, offsets: bool, seed: int) -> Path:
    """Write the people and venues snapshots and a scans CSV; its path."""
    rng = np.random.default_rng(seed)
    (home / "registers").mkdir(parents=True)
    person_ids = ids("P", np.arange(people))
    pq.write_table(
        pa.table({
            "person_id": person_ids, "id_number": ids("4101", np.arange(people)), "phone": ids("139", np.arange(people)),
            "building_id": ids("B", rng.integers(0, people // 50 + 1, people)),
            "household_id": pa.nulls(people, pa.string()), "workplace_id": pa.nulls(people, pa.string()),
            "key_group": pa.nulls(people, pa.string()),
        }),
        register_path(Settings(home=home), "people"),
    )
    pq.write_table(
        pa.table({
            "venue_id": ids("V", np.arange(venues)), "name": ids("venue ", np.arange(venues)),
            "kind": pa.array(["shop"] * venues), "lon": rng.uniform(113.5, 113.9, venues),
            "lat": rng.uniform(34.6, 34.9, venues), "building_id": pa.nulls(venues, pa.string()),
            "dwell_minutes": pa.nulls(venues, pa.int64()),
        }),
        register_path(Settings(home=home), "venues"),
    )
    scanned = FIRST_DAY + rng.integers(0, days * 86_400, rows).astype("timedelta64[s]")
    stay = rng.integers(5 * 60, 3 * 3600, rows).astype("timedelta64[s]")
    suffix = "+08:00" if offsets else ""
    scanned_text = np.char.add(np.datetime_as_string(scanned, unit="s").astype(str), suffix)
    left_text = np.char.add(np.datetime_as_string(scanned + stay, unit="s").astype(str), suffix)
    left_text[rng.random(rows) < 0.5] = ""  # half the check-ins have no check-out
    table = pa.table({
        "person_id": pa.array(person_ids.to_numpy(zero_copy_only=False)[rng.integers(0, people, rows)]),
        "venue_id": ids("V", rng.integers(0, venues, rows)),
        "scanned_at": pa.array(scanned_text), "left_at": pa.array(left_text),
    })
    path = home.parent / "scans.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return path


def rss_mib() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def in_another_process(function, **arguments):
    """Run `function(**arguments)` in a child process: its memory is not inherited by the timed runs."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(function, kwds=arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="scan rows in the file")
    parser.add_argument("--people", type=int, default=1_000_000, help="people in the register snapshot")
    parser.add_argument("--venues", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=1, help="local days the scans spread over")
    parser.add_argument("--offsets", action="store_true", help="write times with +08:00 instead of local")
    parser.add_argument("--chunk-rows", type=int, default=events.CHUNK_ROWS, help="rows checked and staged together")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-reimport", action="store_true", help="time the first import only")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    events.CHUNK_ROWS = args.chunk_rows

    work = Path(tempfile.mkdtemp(prefix="ringfence-bench-"))
    try:
        home = work / "home"
        source = in_another_process(
            make_world, home=home, rows=args.rows, people=args.people, venues=args.venues, days=args.days,
            offsets=args.offsets, seed=args.seed,
        )
        settings = Settings(home=home)
        load_before = machine_load()

        def fresh_import():
            shutil.rmtree(settings.events_dir, ignore_errors=True)
            return one_import("first")

        def one_import(batch_id: str):
            start_rss = rss_mib()
            before = resource.getrusage(resource.RUSAGE_SELF)
            counts = import_events(
                spec=FEEDS[FeedKind.scans], path=source, settings=settings, batch_id=batch_id,
                rejects_path=work / "rejects.csv", progress=False,
            )
            after = resource.getrusage(resource.RUSAGE_SELF)
            return counts, start_rss, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime

        runs = [("first import", median_run(fresh_import, args.repeat))]
        if not args.no_reimport:
            runs.append(("re-import (all duplicates)", median_run(lambda: one_import("again"), args.repeat)))
        size_mib = source.stat().st_size / 2**20
        for title, run in runs:
            counts, start_rss, user, system = run["outcome"]
            report(f"scans {title}", {
                "rows": counts.rows, "file MiB": size_mib, "people": args.people, "venues": args.venues,
                "days": args.days, "times": "with +08:00" if args.offsets else "local, no offset",
                "chunk rows": args.chunk_rows,
                "accepted": counts.accepted, "duplicates": counts.duplicates, "rejected": counts.rejected,
                "seconds (median)": run["seconds"], "rows/s": counts.rows / run["seconds"],
                "CPU seconds (median)": run["cpu_seconds"],
                "CPU s per M rows": run["cpu_seconds"] / (counts.rows / 1e6),
                "last run user/sys s": f"{user:.2f} / {system:.2f}",
                "peak RSS MiB": run["peak_rss_mib"], "start RSS MiB": start_rss, "repeat": args.repeat,
                "load average": f"{load_before} before, {machine_load()} after",
            }, args.json)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
