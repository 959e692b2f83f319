"""`ringfence simulate`: write a synthetic city and outbreak as feed files."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ringfence.simulate.parameters import OutputFormat, SimulationConfig, with_protocol


def simulate_command(
    people: Annotated[int, typer.Option("--people", min=1, help="residents of the city")] = 100_000,
    days: Annotated[int, typer.Option("--days", min=1, help="days to simulate")] = 14,
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed (same seed, same files)")] = 1,
    out: Annotated[Path, typer.Option("--out", help="directory for the feed files")] = Path("simulation"),
    start: Annotated[str | None, typer.Option("--start", help="first day, YYYY-MM-DD")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="csv, parquet, or auto")] = OutputFormat.auto,
    protocol: Annotated[Path | None, typer.Option("--protocol", help="protocol .toml for disease values")] = None,
    actions: Annotated[Path | None, typer.Option("--actions", help="platform actions (JSON lines/Parquet)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")] = False,
) -> None:
    """Simulate a synthetic city's outbreak and write every feed kind plus the ground truth."""
    from ringfence.simulate.engine import read_actions, run

    try:
        first_day = date.fromisoformat(start) if start else date(2022, 10, 1)
    except ValueError:
        raise _bad_input(f"--start must be a date like 2022-10-01, not {start!r}") from None
    config = SimulationConfig(people=people, days=days, seed=seed, out=out, start=first_day, format=format)
    try:
        if protocol is not None:
            config = with_protocol(config, protocol)
        planned = read_actions(actions) if actions is not None else None
    except (OSError, ValueError) as exc:
        raise _bad_input(str(exc).splitlines()[0]) from None
    show = not json_output and sys.stderr.isatty()
    manifest = _run_with_progress(replace(config, progress=show), planned, run) if show else run(config, planned)
    if json_output:
        sys.stdout.write(json.dumps(manifest, ensure_ascii=False) + "\n")
        return
    rows = manifest["rows"]
    typer.echo(f"Simulated {people} people for {days} days into {out}: "
               + ", ".join(f"{k} {v}" for k, v in rows.items()))


def _bad_input(message: str) -> typer.Exit:
    """One line on stderr and exit 2 (the CLI contract for bad input)."""
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(2)


def _run_with_progress(config: SimulationConfig, planned, run) -> dict:
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("simulating days", total=config.days)
        return run(config, planned, progress=lambda day: bar.advance(task))


def register(app: typer.Typer) -> None:
    """Add `simulate` to the ringfence command."""
    app.command("simulate")(simulate_command)
