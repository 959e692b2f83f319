"""The `ringfence` command (DESIGN.md section 5). Each domain's cli.py adds its commands here."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ringfence.config import get_settings, save_home_settings
from ringfence.core import clock
from ringfence.core.errors import RingfenceError
from ringfence.terminal import cli_actor, emit, emit_json, errors, fail, unit_of_work

app = typer.Typer(
    name="ringfence",
    help="Ringfence: the command platform for a city's epidemic response.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


def parse_as_of(text: str | None) -> datetime:
    """`--as-of` in any ISO form; naive times are local to the configured zone; default now."""
    if text is None:
        return clock.now()
    return clock.parse_time(text, get_settings().tz)


@app.command()
def init(
    protocol: Annotated[str | None, typer.Option(help="protocol id or path to a .toml file")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Create or upgrade the stores and create the `admin` user."""
    from ringfence.auth import service as auth_service
    from ringfence.auth.models import Role
    from ringfence.auth.schemas import UserCreate
    from ringfence.bootstrap import engine
    from ringfence.core.migrate import upgrade
    from ringfence.protocols import service as protocols

    settings = get_settings()
    chosen = protocols.load(protocol or settings.protocol)
    values: dict[str, object] = {"protocol": protocol or settings.protocol}
    if settings.secret_key is None:
        values["secret_key"] = secrets.token_urlsafe(32)
    save_home_settings(settings, **values)
    settings = get_settings()
    upgrade(engine(settings))
    settings.events_dir.mkdir(parents=True, exist_ok=True)

    generated = None
    with unit_of_work(settings) as session:
        if auth_service.get_by_username(session=session, username="admin") is None:
            password = os.environ.get("RINGFENCE_ADMIN_PASSWORD")
            if not password:
                password = generated = secrets.token_urlsafe(12)
            auth_service.create(
                session=session,
                user_in=UserCreate(username="admin", role=Role.admin, password=password),
                actor=cli_actor(),
            )
    result = {"home": str(settings.home), "protocol": chosen.id, "admin_password": generated}
    if json_output:
        emit_json(result)
        return
    typer.echo(f"Stores ready in {settings.home} (protocol {chosen.id}).")
    if generated:
        typer.echo(f"Created user admin with password: {generated}  (shown once)")


@app.command("import")
def import_feed(
    kind: Annotated[str, typer.Argument(help="feed kind: areas, buildings, people, venues, scans, …")],
    path: Annotated[Path, typer.Argument(help="a CSV or Parquet file")],
    json_output: JsonFlag = False,
) -> None:
    """Import one feed file; invalid rows go to a rejects file, valid rows are kept."""
    from ringfence.imports.flows import import_file
    from ringfence.imports.schemas import FeedKind
    from ringfence.terminal import show_progress

    try:
        feed_kind = FeedKind(kind)
    except ValueError:
        raise fail(f"unknown feed kind {kind!r} (one of: {', '.join(k.value for k in FeedKind)})") from None
    result = import_file(
        settings=get_settings(), kind=feed_kind, path=path, actor=cli_actor(), progress=show_progress(json_output)
    )
    emit(result, json_output, result.summary())


@app.command()
def audit(
    since: Annotated[str | None, typer.Option(help="only entries at or after this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The audit log: who read or wrote which personal data, when."""
    from ringfence.core import audit as audit_log

    since_at = parse_as_of(since) if since else None
    with unit_of_work() as session:
        rows = [
            {"at": e.at.isoformat(), "user": e.user, "action": e.action, "subject": e.subject}
            for e in audit_log.entries(session=session, since=since_at)
        ]
    if json_output:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['at']}  {row['user']:<20} {row['action']:<24} {row['subject']}")


@app.command()
def respond(
    as_of: Annotated[str | None, typer.Option("--as-of", help="act as of this time (default: now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Run the day's derivations of every capability, turning them into tasks (idempotent)."""
    from ringfence import respond as cycle
    from ringfence.bootstrap import engine
    from ringfence.protocols import service as protocols

    settings = get_settings()
    context = cycle.Context(
        as_of=parse_as_of(as_of), settings=settings, protocol=protocols.load(settings.protocol), actor=cli_actor()
    )
    counts = cycle.run(engine=engine(settings), context=context)
    if json_output:
        emit_json({"as_of": context.as_of.isoformat(), "steps": counts})
        return
    if not counts:
        typer.echo("No derivations registered.")
    for name, step in counts.items():
        typer.echo(f"{name}: " + ", ".join(f"{k} {v}" for k, v in step.items()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the REST API and the web app."""
    import uvicorn

    from ringfence.api.app import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=1000, help="residents of the simulated city")] = 5_000,
    days: Annotated[int, typer.Option(min=1, help="days of outbreak to simulate and respond to")] = 14,
    seed: Annotated[int, typer.Option(help="random seed of the simulation")] = 7,
    start: Annotated[str, typer.Option(help="first simulated day")] = "2022-10-01",
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to serve on")] = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the web app afterwards")] = True,
    json_output: JsonFlag = False,
) -> None:
    """Simulate a city with an outbreak, import it day by day, respond each day, then serve."""
    from ringfence import demo as demo_flow

    say = (lambda _text: None) if json_output else typer.echo
    outcome = demo_flow.run(
        people=people, days=days, seed=seed, start=clock.parse_date(start), actor=cli_actor(), say=say
    )
    url = f"http://{host}:{port}/"
    if json_output:
        emit_json({**outcome, "url": url})
    else:
        typer.echo("Imported: " + ", ".join(f"{k} {v:,}" for k, v in outcome["imported"].items()))
        typer.echo(f"Open {url} and log in as admin with password {outcome['admin_password']}")
        typer.echo("Other users (same password): " + ", ".join(u["username"] for u in outcome["users"]))
    if serve_after:
        serve(host=host, port=port)


def _add_domain_commands() -> None:
    from ringfence.analytics.cli import analytics_app
    from ringfence.auth.cli import users_app
    from ringfence.cases.cli import cases_app
    from ringfence.coinvestigation.cli import requests_app
    from ringfence.enterprises.cli import enterprises_app
    from ringfence.eventlog.cli import events_app
    from ringfence.incidents.cli import incidents_app
    from ringfence.isolation.cli import isolation_app
    from ringfence.notifications.cli import notifications_app
    from ringfence.reports.cli import report_app
    from ringfence.simulate.cli import register as register_simulate
    from ringfence.supervision.cli import inspections_app
    from ringfence.supplies.cli import supplies_app
    from ringfence.surveillance.cli import sentinel_app
    from ringfence.tasks.cli import tasks_app
    from ringfence.testing.cli import testing_app
    from ringfence.tracing.cli import register as register_trace
    from ringfence.zones.cli import zones_app

    app.add_typer(users_app, name="users")
    app.add_typer(cases_app, name="cases")
    app.add_typer(events_app, name="events")
    register_trace(app)
    register_simulate(app)
    app.add_typer(analytics_app, name="analytics")
    app.add_typer(testing_app, name="testing")
    app.add_typer(sentinel_app, name="sentinel")
    app.add_typer(report_app, name="report")
    app.add_typer(isolation_app, name="isolation")
    app.add_typer(supplies_app, name="supplies")
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(enterprises_app, name="enterprises")
    app.add_typer(inspections_app, name="inspections")
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(requests_app, name="requests")
    app.add_typer(notifications_app, name="notifications")
    app.add_typer(zones_app, name="zones")


_add_domain_commands()


# Typer 0.2x runs its own bundled click: its UsageError is BadParameter's base.
_USAGE_ERRORS = (typer.BadParameter.__mro__[1],)
_EXITS = (typer.Exit,)
_ABORTS = (typer.Abort,)


def _one_line(message: str) -> None:
    errors.print(message, markup=False, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: bad input exits 2 with one line on stderr, never a traceback."""
    try:
        code = app(args=argv, standalone_mode=False)
    except _EXITS as exc:
        code = exc.exit_code
    except _USAGE_ERRORS as exc:
        _one_line(f"error: {exc.format_message()}")
        code = 2
    except _ABORTS:
        code = 130
    except RingfenceError as exc:
        _one_line(f"error: {exc}")
        code = 2
    except Exception as exc:  # a user never sees a traceback
        if os.environ.get("RINGFENCE_DEBUG"):
            raise
        _one_line(f"internal error: {type(exc).__name__}: {exc}")
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
