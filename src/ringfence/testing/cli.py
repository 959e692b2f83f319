"""`ringfence testing …`: commands of the testing (screening) capability."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import typer

from ringfence.terminal import emit_json
from ringfence.testing import pooling

testing_app = typer.Typer(help="Screening rounds, pooled tests and recalls.", no_args_is_help=True)
rounds_app = typer.Typer(help="Area screening rounds.", no_args_is_help=True)
testing_app.add_typer(rounds_app, name="rounds")

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="judge as of this time (default: now)")]


def _time(text: str | None, default: datetime | None = None) -> datetime:
    """A time given at the shell: ISO 8601, naive = local to the configured zone; `default` (now) if absent."""
    from ringfence.config import get_settings
    from ringfence.core import clock

    if text is None:
        return default or clock.now()
    return clock.parse_time(text, get_settings().tz)


@contextmanager
def _screening() -> Iterator[tuple[Any, Any, Any, Any]]:
    """The unit of work, the event store, the protocol and the operator's (city-wide) scope."""
    from ringfence.auth.rules import Role, Scope
    from ringfence.config import get_settings
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.terminal import cli_actor, unit_of_work

    settings = get_settings()
    scope = Scope(actor=cli_actor(), role=Role.commander, subtree=None, origin="cli")
    with unit_of_work(settings) as session, open_store(settings) as store:
        yield session, store, protocols.load(settings.protocol), scope


@testing_app.command("recall")
def recall(as_of: AsOf = None, json_output: JsonFlag = False) -> None:
    """Members of positive pools without a later single-tube sample; positive single tubes; conflicts."""
    from ringfence.testing import flows, service

    at = _time(as_of)
    with _screening() as (session, store, protocol, scope):
        statuses = flows.person_statuses(session=session)
        document = service.recall(
            session=session, store=store, scope=scope, protocol=protocol, as_of=at, statuses=statuses
        )
    if json_output:
        emit_json(document)
        return
    typer.echo(f"{len(document.recall)} to re-sample single-tube, {len(document.candidates)} case candidates, "
               f"{len(document.conflicts)} conflicting tubes (as of {at.isoformat()})")
    for row in document.recall:
        typer.echo(f"recall    {row.person_id:<20} tube {row.tube_id:<16} sampled {row.collected_at.isoformat()} "
                   f"due {row.due_at.isoformat()}")
    for row in document.candidates:
        typer.echo(f"candidate {row.person_id:<20} tube {row.tube_id:<16} sampled {row.collected_at.isoformat()}"
                   + (f" ({row.status})" if row.status else ""))
    for row in document.conflicts:
        typer.echo(f"conflict  tube {row.tube_id}: positive {row.positive_at.isoformat()}, "
                   f"negative {row.negative_at.isoformat()}")


@testing_app.command("uncovered")
def uncovered(
    area: Annotated[str, typer.Option("--area", help="area id: residents of its whole subtree")],
    since: Annotated[str, typer.Option("--since", help="a covering sample collected at or after this time")],
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Residents with no valid sample since T, by building, for door-knocking (people in isolation included)."""
    from ringfence.testing import flows, service

    at, since_at = _time(as_of), _time(since)
    with _screening() as (session, store, _protocol, scope):
        statuses = flows.person_statuses(session=session)
        document = service.uncovered(
            session=session, store=store, scope=scope, area_id=area, since=since_at, as_of=at, statuses=statuses
        )
    if json_output:
        emit_json(document)
        return
    typer.echo(f"{len(document.uncovered)} residents of {area} not sampled since {since_at.isoformat()}, "
               f"in {len(document.buildings)} buildings")
    for building in document.buildings:
        typer.echo(f"{building.building_id:<16} {building.uncovered:>6}  {building.address or ''}")


@testing_app.command("coverage")
def coverage(
    round_id: Annotated[str | None, typer.Option("--round", help="one round (default: every round)")] = None,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Per round: sampled / residents (and per child area), tubes pending, positive pools, hours left."""
    from ringfence.testing import service

    at = _time(as_of)
    with _screening() as (session, store, _protocol, scope):
        chosen = (
            [service.get_round(session=session, scope=scope, round_id=round_id)] if round_id
            else service.get_rounds(session=session, scope=scope)
        )
        figures = [service.coverage(session=session, store=store, screening_round=r, as_of=at) for r in chosen]
    if json_output:
        emit_json({"as_of": at.isoformat(), "rounds": [f.model_dump(mode="json") for f in figures]})
        return
    for f in figures:
        share = f"{f.coverage:.1%}" if f.coverage is not None else "-"
        typer.echo(f"{f.round_id} {f.area_id}: {f.sampled}/{f.residents} sampled ({share}), {f.tubes} tubes, "
                   f"{f.tubes_pending} pending, {f.positive_pools} positive pools, {f.hours_left:.1f} h left")


@rounds_app.command("create")
def create_round(
    area: Annotated[str, typer.Option("--area", help="the area screened (its whole subtree)")],
    level: Annotated[str, typer.Option("--level", help="risk level: high/medium/low/elsewhere/key_group/isolation")],
    start: Annotated[str | None, typer.Option("--start", help="when sampling starts (default: now)")] = None,
    deadline_hours: Annotated[
        int | None, typer.Option("--deadline-hours", help="hours to finish (default: the protocol's)")
    ] = None,
    round_id: Annotated[str | None, typer.Option("--id", help="the round's id (default: generated)")] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="a sampling site id (repeat)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Start a round: pool size by level from the protocol, deadline 24 h unless told, and its task."""
    from pydantic import ValidationError

    from ringfence.core import clock
    from ringfence.core.errors import InvalidInput
    from ringfence.testing import flows
    from ringfence.testing.schemas import RoundCreate, RoundRead

    try:
        round_in = RoundCreate(
            round_id=round_id, area_id=area, level=level, starts_at=_time(start),
            deadline_hours=deadline_hours, sites=site or [],
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    with _screening() as (session, _store, protocol, scope):
        made = flows.create_round(session=session, scope=scope, round_in=round_in, protocol=protocol, at=clock.now())
        shown = RoundRead.model_validate(made)
    if json_output:
        emit_json(shown)
        return
    typer.echo(f"Round {shown.round_id} over {shown.area_id}: {shown.pool_size}-in-1, "
               f"from {shown.starts_at.isoformat()} to {shown.deadline_at.isoformat()}")


@rounds_app.command("list")
def list_rounds(json_output: JsonFlag = False) -> None:
    """Every round, newest first."""
    from ringfence.testing import service
    from ringfence.testing.schemas import RoundRead

    with _screening() as (session, _store, _protocol, scope):
        shown = [RoundRead.model_validate(r) for r in service.get_rounds(session=session, scope=scope)]
    if json_output:
        emit_json({"rounds": [r.model_dump(mode="json") for r in shown]})
        return
    for r in shown:
        typer.echo(f"{r.round_id:<28} {r.area_id:<16} {r.level.value:<10} {r.pool_size:>3}-in-1  "
                   f"{r.starts_at.isoformat()} → {r.deadline_at.isoformat()}")


@testing_app.command("overdue")
def overdue(as_of: AsOf = None, json_output: JsonFlag = False) -> None:
    """Key-group members overdue for routine screening (常态筛), per group and per employer."""
    from ringfence.testing import service

    at = _time(as_of)
    with _screening() as (_session, store, protocol, _scope):
        document = service.overdue(store=store, protocol=protocol, as_of=at)
    if json_output:
        emit_json(document)
        return
    typer.echo(f"{len(document.overdue)} overdue (as of {at.isoformat()})")
    for group in document.groups:
        typer.echo(f"group {group.key or '-':<20} {group.overdue:>6} of {group.members}")
    for employer in document.employers:
        typer.echo(f"employer {employer.key or '-':<17} {employer.overdue:>6} of {employer.members}")


@testing_app.command("key-places")
def key_places(
    since: Annotated[str | None, typer.Option("--since", help="check-ins from (default: 24 h before --until)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="check-ins before (default: now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Check-ins at key places without a recent negative test (venue-code violations), per venue and day."""
    from datetime import timedelta

    from ringfence.core.errors import InvalidInput
    from ringfence.testing import service

    end = _time(until)
    start = _time(since, default=end - timedelta(days=1))
    if start >= end:
        raise InvalidInput("--since must be before --until")
    with _screening() as (_session, store, protocol, _scope):
        document = service.key_place_violations(store=store, protocol=protocol, start=start, end=end, as_of=end)
    if json_output:
        emit_json(document)
        return
    typer.echo(f"{len(document.violations)} violations in {len(document.venues)} key-place days")
    for venue in document.venues:
        typer.echo(f"{venue.venue_id:<16} {venue.kind:<16} {venue.day.isoformat()} "
                   f"{venue.violations:>5} of {venue.checkins} check-ins")


@testing_app.command("arrivals")
def arrivals_check(
    since: Annotated[str | None, typer.Option("--since", help="arrivals after (default: the measures' span)")] = None,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Arrivals with their measure by origin risk, advance report and tests; what is missing."""
    from ringfence.testing import arrivals

    at = _time(as_of)
    with _screening() as (session, store, protocol, scope):
        document = arrivals.check(
            session=session, store=store, scope=scope, protocol=protocol, as_of=at,
            since=_time(since) if since else None,
        )
    if json_output:
        emit_json(document)
        return
    for check in document.arrivals:
        typer.echo(f"{check.person_id:<20} {check.origin_risk.value:<7} {check.measure.value:<18} "
                   + (", ".join(check.problems) or "ok"))


@testing_app.command("pool-size")
def pool_size(
    prevalence: Annotated[float, typer.Option(help="expected fraction positive, e.g. 0.01 for 1 %")],
    sensitivity: Annotated[float, typer.Option(help="assay sensitivity (pool and single tube)")] = 1.0,
    specificity: Annotated[float, typer.Option(help="assay specificity (pool and single tube)")] = 1.0,
    people: Annotated[int | None, typer.Option(help="people in the round, for the expected lab load")] = None,
    max_size: Annotated[
        int, typer.Option("--max-size", help="largest pool size allowed")
    ] = pooling.DEFAULT_MAX_POOL_SIZE,
    json_output: JsonFlag = False,
) -> None:
    """The Dorfman pool size with the fewest expected tests per person."""
    accuracy = pooling.AssayAccuracy(sensitivity=sensitivity, specificity=specificity)
    size = pooling.optimal_pool_size(prevalence, accuracy, max_size=max_size)
    best = pooling.characteristics(size, prevalence, accuracy)
    document: dict[str, Any] = {
        "pool_size": size,
        "tests_per_person": best.tests_per_person,
        "prevalence": prevalence,
        "sensitivity": sensitivity,
        "specificity": specificity,
        "pool_positive_probability": best.pool_positive_probability,
        "pooled_sensitivity": best.sensitivity,
        "pooled_specificity": best.specificity,
        "ppv": best.ppv,
        "npv": best.npv,
        # past ~31 % prevalence no pool beats testing everyone alone
        "pooling_saves_tests": best.tests_per_person < 1.0,
    }
    if people is not None:
        load = pooling.screening_round(people, size, prevalence, accuracy)
        document["round"] = {
            "people": load.people,
            "pools": load.pools,
            "expected_retests": load.expected_retests,
            "expected_tests": load.expected_tests,
            "expected_positive_pools": load.expected_positive_pools,
            "expected_people_held": load.expected_people_held,
        }
    if json_output:
        emit_json(document)
        return
    typer.echo(
        f"pool size {size}: {best.tests_per_person:.4f} tests per person "
        f"({best.tests_per_person:.1%} of testing everyone alone)"
    )
    if not document["pooling_saves_tests"]:
        typer.echo("at this prevalence pooling costs more than single tubes")
    if people is not None:
        r = document["round"]
        typer.echo(
            f"a round of {people} people: {r['pools']} pooled tubes, ~{r['expected_retests']:.0f} single-tube "
            f"retests, ~{r['expected_tests']:.0f} tests in all"
        )
