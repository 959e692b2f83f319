"""`ringfence isolation …`: place people, see occupancy and the waiting list, release placements."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.terminal import cli_actor, emit, emit_json, unit_of_work

isolation_app = typer.Typer(help="Isolation facilities, placements and the waiting list.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="act as of this time (default: now)")]


def _placement_line(placement) -> str:
    if placement.status.value == "waiting":
        where = "on the waiting list" + (f" for {placement.facility_id}" if placement.facility_id else "")
    elif placement.room_id:
        where = f"in room {placement.room_id} of {placement.facility_id}"
    else:
        where = f"at home (building {placement.home_building_id})"
    return f"{placement.person_id}: {placement.status.value} {where}, until {placement.until}"


@isolation_app.command("place")
def place(
    person: Annotated[str, typer.Argument(help="person id")],
    facility: Annotated[str | None, typer.Option(help="facility id (default: any with a free room)")] = None,
    room: Annotated[str | None, typer.Option(help="room id within --facility (default: chosen by the rules)")] = None,
    home: Annotated[bool, typer.Option("--home", help="home isolation instead of a facility")] = False,
    start: Annotated[str | None, typer.Option(help="day 0 (default: today)")] = None,
    until: Annotated[str | None, typer.Option(help="the day it ends (default: from the protocol)")] = None,
    reason: Annotated[str | None, typer.Option(help="why, for the timeline")] = None,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Place a person in isolation: a room that respects households and capacity, or the waiting list."""
    from ringfence.cli import parse_as_of
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.core.errors import InvalidInput
    from ringfence.isolation import rules
    from ringfence.isolation import service as isolation_service
    from ringfence.isolation.schemas import PlacementRead
    from ringfence.protocols import service as protocols

    if home and (facility or room):
        raise InvalidInput("--home takes no --facility nor --room")
    settings = get_settings()
    at = parse_as_of(as_of)
    kind = rules.PlacementKind.home if home else rules.PlacementKind.central
    day0 = clock.parse_date(start) if start else clock.local_day(at, settings.tz)
    plan = rules.schedule(kind, day0, protocols.load(settings.protocol))
    end = clock.parse_date(until) if until else plan.until
    with unit_of_work(settings) as session:
        placement = isolation_service.place(
            session=session, person_id=person, kind=kind, start=day0, until=end,
            test_dates=[d for d in plan.test_dates if d <= end], actor=cli_actor(), reason=reason,
            facility_id=facility, room_id=room, as_of=at, origin="cli",
        )
        shown = PlacementRead.model_validate(placement)
        line = _placement_line(placement)
    emit(shown, json_output, line)


@isolation_app.command("status")
def status(as_of: AsOf = None, json_output: JsonFlag = False) -> None:
    """Occupancy now and projected, alerts above the protocol's share, and the waiting list."""
    from ringfence.cli import parse_as_of
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.isolation import occupancy
    from ringfence.protocols import service as protocols

    settings = get_settings()
    today = clock.local_day(parse_as_of(as_of), settings.tz)
    with unit_of_work(settings) as session:
        report = occupancy.status(session=session, today=today, protocol=protocols.load(settings.protocol))
    if json_output:
        emit_json(report)
        return
    for o in [*report.facilities, report.total]:
        name = o.facility_id or "all facilities"
        peak = max((d.occupancy for d in o.projection), default=0.0)
        typer.echo(f"{name}: {o.occupied}/{o.beds} beds ({o.occupancy:.0%}), {o.waiting} waiting, "
                   f"peak projected {peak:.0%}")
    for alert in report.alerts:
        typer.echo(f"ALERT {alert.message}")
    if report.waiting:
        typer.echo(f"waiting list ({len(report.waiting)}):")
    for w in report.waiting:
        typer.echo(f"  {w.person_id}  due {w.due_at.isoformat()}  until {w.until}"
                   + (f"  for {w.facility_id}" if w.facility_id else ""))


@isolation_app.command("release")
def release(
    person: Annotated[str | None, typer.Argument(help="end this person's placement now (default: all that are due)")] = None,
    reason: Annotated[str | None, typer.Option(help="why, for the timeline")] = None,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Release placements due by their until day (and new cases), then place the waiting list;
    or, given a person, end their placement now."""
    from ringfence.cli import parse_as_of
    from ringfence.config import get_settings
    from ringfence.isolation import release

    settings = get_settings()
    at = parse_as_of(as_of)
    with unit_of_work(settings) as session:
        if person is not None:
            ended = release.release_person(session=session, person_id=person, actor=cli_actor(), at=at,
                                                     reason=reason)
            counts = {ended.status.value: 1}
            counts["placed"] = release.place_waiting(session=session, as_of=at, actor=cli_actor())
        else:
            counts = release.release_isolation(session=session, as_of=at, actor=cli_actor(), tz=settings.tz)
    emit({"as_of": at.isoformat(), **counts}, json_output, ", ".join(f"{name} {count}" for name, count in counts.items()))
