"""What every bench script shares: timing a run in a fresh process, its peak memory, printing figures."""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _child(work: Callable[[], Any], queue: multiprocessing.Queue, prepare: Callable[[], Any] | None) -> None:
    if prepare is not None:
        prepare()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = work()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    queue.put((elapsed, after.ru_maxrss, cpu, outcome))


def run_isolated(
    work: Callable[[], Any], prepare: Callable[[], Any] | None = None
) -> tuple[float, int, float, Any]:
    """Run `work` in a forked process: (seconds, peak RSS in bytes, CPU seconds, what it returned).

    `prepare`, untimed, runs first in that process (a serving process's earlier requests, say); the peak RSS
    includes it."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(work, queue, prepare))
    process.start()
    elapsed, peak_kib, cpu, outcome = queue.get()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"benchmark run failed with exit code {process.exitcode}")
    return elapsed, peak_kib * 1024, cpu, outcome


def median_run(work: Callable[[], Any], repeat: int, prepare: Callable[[], Any] | None = None) -> dict[str, Any]:
    """The median time (and CPU time) of `repeat` isolated runs, the highest peak RSS, the last outcome.

    CPU seconds matter on a shared machine: other work stretches the wall clock, not the CPU time.
    """
    runs = [run_isolated(work, prepare) for _ in range(repeat)]
    return {
        "seconds": statistics.median(r[0] for r in runs),
        "peak_rss_mib": max(r[1] for r in runs) / 2**20,
        "cpu_seconds": statistics.median(r[2] for r in runs),
        "outcome": runs[-1][3],
    }


def machine_load() -> str:
    """The 1-minute load average against the cores: figures taken under load are not the machine's best."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def report(title: str, figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"bench": title, **figures}, default=str) + "\n")
        return
    print(f"{title}:")
    for name, value in figures.items():
        print(f"  {name:>18}: {value:,.2f}" if isinstance(value, float) else f"  {name:>18}: {value}")
