"""`ringfence zones …`: delineate risk areas, their lifting clocks, approval, GeoJSON export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ringfence.terminal import cli_actor, emit, emit_json, unit_of_work

zones_app = typer.Typer(help="Risk areas: delineation, lifting clocks, approval, GeoJSON.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="as of this time (default: now)")]


def _delineate(session, at):
    from ringfence.config import get_settings
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.zones import service

    settings = get_settings()
    with open_store(settings) as store:
        return service.delineate(session=session, store=store, protocol=protocols.load(settings.protocol),
                                 as_of=at, tz=settings.tz)


@zones_app.command("delineate")
def delineate(
    as_of: AsOf = None,
    save: Annotated[bool, typer.Option("--save", help="also store the zones as proposals (as `respond` does)")] = False,
    json_output: JsonFlag = False,
) -> None:
    """The risk areas the protocol's rules draw as of a time, with their lifting applied."""
    from ringfence.cli import parse_as_of
    from ringfence.config import get_settings
    from ringfence.zones import service
    from ringfence.zones.schemas import Delineation, ZoneRow

    at = parse_as_of(as_of)
    with unit_of_work() as session:
        states = _delineate(session, at)
        counts = None
        if save:
            counts = service.sync(session=session, states=states, as_of=at, actor=cli_actor(),
                                  auto_approve=get_settings().auto_approve_zones)
    document = Delineation(zones=[ZoneRow.of(s) for s in states])
    if json_output:
        emit_json(document)
        return
    if not states:
        typer.echo("No risk areas.")
    for row in document.zones:
        typer.echo(f"{row.level.value:<6} {row.unit.value:<9} {row.unit_id:<20} since {row.since.isoformat()}  "
                   f"{row.residents:,} residents")
    if counts is not None:
        typer.echo("stored: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@zones_app.command("status")
def status(as_of: AsOf = None, json_output: JsonFlag = False) -> None:
    """Each zone's next possible change date and what blocks it (a missing round, a pending tube, a new case)."""
    from ringfence.cli import parse_as_of
    from ringfence.zones import service

    at = parse_as_of(as_of)
    with unit_of_work() as session:
        document = service.status(session=session, states=_delineate(session, at), as_of=at)
    if json_output:
        emit_json(document)
        return
    for row in document.zones:
        state = row.status.value if row.status else "not stored"
        change = f"→ {row.next_level.value} from {row.next_change}" if row.next_change else "while its district has zones"
        typer.echo(f"{row.level.value:<6} {row.unit.value:<9} {row.unit_id:<20} ({state}) {change}")
        for blocker in row.blockers:
            typer.echo(f"    blocked: {blocker.kind.value}: {blocker.detail}")


@zones_app.command("list")
def list_zones(
    all_zones: Annotated[bool, typer.Option("--all", help="also zones lifted or withdrawn")] = False,
    json_output: JsonFlag = False,
) -> None:
    """The stored zones (proposed and in force unless --all)."""
    from ringfence.tasks.cli import shell_scope
    from ringfence.zones import service
    from ringfence.zones.schemas import ZoneFilter, ZoneRead

    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, None),
                                  filters=ZoneFilter(current=not all_zones), page=1, size=10**9)
        shown = [ZoneRead.model_validate(z) for z in rows]
    if json_output:
        emit_json({"zones": [z.model_dump(mode="json") for z in shown]})
        return
    for zone in shown:
        typer.echo(f"{zone.zone_id:>5} {zone.level.value:<6} {zone.unit.value:<9} {zone.unit_id:<20} "
                   f"{zone.status.value:<9} since {zone.since.isoformat()}")


@zones_app.command("approve")
def approve(
    zone_id: Annotated[int, typer.Argument(help="the stored zone's id (see `zones list`)")],
    as_user: Annotated[str | None, typer.Option("--as", help="approve as this user (their role and jurisdiction)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Approve a proposed zone: as the shell operator (city-wide), or as a named user within their jurisdiction."""
    from ringfence.auth import service as auth_service
    from ringfence.core import clock
    from ringfence.core.errors import NotFound
    from ringfence.tasks.cli import shell_scope
    from ringfence.zones import service
    from ringfence.zones.schemas import ZoneRead

    with unit_of_work() as session:
        if as_user is None:
            scope = shell_scope(session, None)
        else:
            user = auth_service.get_by_username(session=session, username=as_user)
            if user is None:
                raise NotFound(f"no user {as_user!r}")
            scope = auth_service.scope_for(session=session, user=user, origin="cli")
        zone = ZoneRead.model_validate(service.approve(session=session, scope=scope, zone_id=zone_id, at=clock.now()))
    emit(zone, json_output, f"zone {zone.zone_id} ({zone.level.value} {zone.unit.value} {zone.unit_id}) approved by {zone.approved_by}")


@zones_app.command("export")
def export(
    out: Annotated[Path | None, typer.Option("--out", help="write here (default: stdout)")] = None,
    buffer_metres: Annotated[float | None, typer.Option("--buffer-metres", min=0.1, max=5000,
                                                        help="buildings as buffers this wide instead of points")] = None,
) -> None:
    """The current zones (proposed or in force) as a GeoJSON FeatureCollection."""
    from ringfence.tasks.cli import shell_scope
    from ringfence.zones import geojson, service
    from ringfence.zones.schemas import ZoneFilter

    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, None), filters=ZoneFilter(),
                                  page=1, size=10**9)
        collection = geojson.feature_collection(session=session, zones=rows, buffer_metres=buffer_metres)
    if out is None:
        emit_json(collection)
        return
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    typer.echo(f"{len(collection['features'])} zones written to {out}", err=True)
