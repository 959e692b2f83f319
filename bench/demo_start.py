"""Benchmark: how long `ringfence demo` takes to start serving (issue #3 target: < 60 s on an idle 2-core machine).

    .venv/bin/python bench/demo_start.py                         # the demo's default size
    .venv/bin/python bench/demo_start.py --people 10000 --days 14
    .venv/bin/python bench/demo_start.py --profile /tmp/demo.txt    # and a pyinstrument report (.html or text)

Runs what `ringfence demo --no-serve` runs (simulate, init, registers, each day's feeds and
respond steps, demo users) in a fresh data home and prints the breakdown: wall and CPU seconds per
part, each respond step summed over the days, each day's import and respond, the input size
(people, days, rows, cases, contacts, tasks) and the load average. On a shared machine the wall
time says little; CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def demo_defaults() -> tuple[int, int]:
    """The size `ringfence demo` simulates when not told (the defaults of its options)."""
    import inspect

    from ringfence.cli import demo as demo_command

    parameters = inspect.signature(demo_command).parameters
    return parameters["people"].default, parameters["days"].default


def store_counts(settings) -> dict[str, int]:
    """What the demo left in the store: the size of the world the respond steps worked on."""
    from sqlalchemy import func, select

    from ringfence.cases.models import Case
    from ringfence.core.db import make_engine
    from ringfence.core.timeline import TimelineEntry
    from ringfence.tasks.models import Task, TaskStatus
    from ringfence.tracing.models import ContactRecord
    from ringfence.zones.models import Zone

    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            def count(model, *where) -> int:
                return conn.scalar(select(func.count()).select_from(model).where(*where))

            return {
                "cases": count(Case),
                "contacts": count(ContactRecord),
                "zones": count(Zone),
                "tasks": count(Task),
                "tasks_open": count(Task, Task.status == TaskStatus.open),
                "tasks_escalated": count(Task, Task.escalation_level > 0),
                "timeline_entries": count(TimelineEntry),
            }
    finally:
        engine.dispose()


def print_table(title: str, rows: list[tuple[str, float, float]]) -> None:
    print(title)
    for name, wall, cpu in rows:
        print(f"  {name:<34} {wall:>8.1f} s wall {cpu:>8.1f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=None, help="default: the demo's")
    parser.add_argument("--days", type=int, default=None, help="default: the demo's")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, default=None, help="data home to (re)create (default: a temp dir)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a pyinstrument report here (HTML for .html, else text; pip install pyinstrument)")
    parser.add_argument("--json", action="store_true", help="one JSON line instead of the table")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="ringfence-demo-bench-")) / "home"
    os.environ["RINGFENCE_HOME"] = str(home)
    os.environ.setdefault("RINGFENCE_ADMIN_PASSWORD", "bench-password")
    from ringfence import demo
    from ringfence.config import get_settings
    from ringfence.respond import Stopwatch

    get_settings.cache_clear()
    people, days = demo_defaults()
    people, days = args.people or people, args.days or days
    profiler = None
    if args.profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    stopwatch = Stopwatch()
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = demo.run(
        people=people, days=days, seed=args.seed, start=date(2022, 10, 1), actor="bench", say=lambda _t: None,
        stopwatch=stopwatch,
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    load_after = os.getloadavg()
    if profiler is not None:
        profiler.stop()
        report = profiler.output_html() if args.profile.suffix == ".html" else profiler.output_text(color=False)
        args.profile.write_text(report, encoding="utf-8")

    stored = store_counts(get_settings())
    parts = {n: (stopwatch.wall[n], stopwatch.cpu[n]) for n in stopwatch.wall if not n.startswith("day.")}
    daily = {n: (stopwatch.wall[n], stopwatch.cpu[n]) for n in stopwatch.wall if n.startswith("day.")}
    figures = {
        "people": people, "days": days, "seed": args.seed, "imported": outcome["imported"], **stored,
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
        "cores": os.cpu_count(),
        "parts": {n: [round(w, 2), round(c, 2)] for n, (w, c) in parts.items()},
        "daily": {n: [round(w, 2), round(c, 2)] for n, (w, c) in daily.items()},
    }
    if args.json:
        sys.stdout.write(json.dumps(figures) + "\n")
        return
    print(f"demo start: {people:,} people x {days} days (seed {args.seed}) in {home}")
    print("  imported: " + ", ".join(f"{k} {v:,}" for k, v in outcome["imported"].items()))
    print("  store: " + ", ".join(f"{k} {stored[k]:,}" for k in stored))
    respond_rows = sorted(((n, w, c) for n, (w, c) in parts.items() if n.startswith("respond.")), key=lambda r: -r[2])
    other_rows = [(n, w, c) for n, (w, c) in parts.items() if not n.startswith("respond.")]
    print_table("parts (imports summed over the days):", other_rows)
    print_table("respond steps (summed over the days, by CPU):", respond_rows)
    print_table("each day:", [(n.removeprefix("day."), w, c) for n, (w, c) in daily.items()])
    print(f"total {wall:.1f} s wall, {cpu:.1f} s CPU (this process, all threads)")
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(1-minute; 5-minute {load_after[1]:.2f}) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
