"""`ringfence events compact`: merge each day's part files into one sorted file (and scans' by-person copy)."""

from __future__ import annotations

from typing import Annotated

import typer

events_app = typer.Typer(help="The event log: compaction.", no_args_is_help=True)


@events_app.command("compact")
def compact(
    kind: Annotated[str | None, typer.Option("--kind", help="one event kind (default: every kind)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")] = False,
) -> None:
    """Compact every day of the event log; safe to run again (a compacted day is left as it is)."""
    from ringfence.config import get_settings
    from ringfence.core.errors import InvalidInput
    from ringfence.eventlog.kinds import EventKind
    from ringfence.eventlog.store import open_store
    from ringfence.terminal import emit_json

    try:
        kinds = [EventKind(kind)] if kind else list(EventKind)
    except ValueError:
        raise InvalidInput(f"unknown event kind {kind!r} (one of: {', '.join(k.value for k in EventKind)})") from None
    with open_store(get_settings()) as store:
        merged = {k.value: {d.isoformat(): n for d, n in store.compact_all(k).items()} for k in kinds}
    if json_output:
        emit_json({"compacted": merged})
        return
    for name, days in merged.items():
        typer.echo(f"{name}: {len(days)} days, {sum(days.values())} files merged")
