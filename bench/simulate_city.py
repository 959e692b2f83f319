"""Benchmark: simulate a city (DESIGN.md target: 12.6 M people x 14 days in < 15 min).

    .venv/bin/python bench/simulate_city.py                      # 1 M people x 3 days
    .venv/bin/python bench/simulate_city.py --people 12600000 --days 14   # the target size

Prints people, days, rows per file, seconds (wall and CPU), peak RSS, the output size and the
machine's load average: on a busy machine the wall time says little, the CPU time more.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from ringfence.simulate.engine import run
from ringfence.simulate.parameters import OutputFormat, SimulationConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="ringfence-sim-"))
    config = SimulationConfig(people=args.people, days=args.days, seed=args.seed, out=out, format=OutputFormat.auto)
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    day_marks: list[float] = []
    manifest = run(config, progress=lambda day: day_marks.append(time.perf_counter() - started))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in out.iterdir())

    print(f"people {args.people:,}  days {args.days}  seed {args.seed}")
    for name, rows in manifest["rows"].items():
        print(f"  {name:<16} {rows:>14,}")
    per_day = [round(b - a, 1) for a, b in zip([0.0] + day_marks, day_marks)]
    print(f"seconds {seconds:.1f}  (per day, the first includes building the city: {per_day})")
    print(f"CPU seconds {cpu_seconds:.1f} (all threads)  load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} cores")
    print(f"peak RSS {peak_mib:,.0f} MiB  output {size / 2**20:,.0f} MiB in {out}")
    scans = manifest["rows"]["scans"]
    print(f"scans per second {scans / seconds:,.0f}")
    if args.out is None:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
