"""`ringfence trace PERSON`: one case's infectious window and contacts (DESIGN.md section 5)."""

from __future__ import annotations

from typing import Annotated

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


def trace_command(
    person: Annotated[str, typer.Argument(help="the case's person_id")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="trace as of this time (default: now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """List everyone exposed to a case: close, secondary and companion contacts."""
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.terminal import cli_actor, emit_json, unit_of_work
    from ringfence.tracing import flows

    settings = get_settings()
    at = clock.parse_time(as_of, settings.tz) if as_of else clock.now()
    with unit_of_work(settings) as session, open_store(settings) as store:
        traced = flows.trace_person(
            session=session, events=store, protocol=protocols.load(settings.protocol), person_id=person,
            as_of=at, tz=settings.tz, actor=cli_actor(), origin="cli",
        )
    if json_output:
        emit_json(traced)
        return
    typer.echo(f"Case {traced.case}: infectious {traced.window.start.isoformat()} – {traced.window.end.isoformat()}, "
               f"{len(traced.contacts)} contacts")
    for c in traced.contacts:
        where = c.venue_id or (f"through {c.through}" if c.through else c.via.value)
        minutes = f" {c.overlap_minutes} min" if c.overlap_minutes is not None else ""
        typer.echo(f"  {c.category.value:<10} {c.person_id:<20} {where}{minutes}")


def register(app: typer.Typer) -> None:
    app.command("trace")(trace_command)
