"""`ringfence sentinel …`: follow-ups owed by sentinel visitors and buyers, daily counts, alarms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import typer

from ringfence.terminal import emit_json

sentinel_app = typer.Typer(help="Pharmacy and fever-clinic sentinels: follow-ups, counts, alarms.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="judge as of this time (default: now)")]


def _time(text: str | None) -> datetime:
    from ringfence.config import get_settings
    from ringfence.core import clock

    return clock.now() if text is None else clock.parse_time(text, get_settings().tz)


def _day(text: str | None, default: date) -> date:
    from ringfence.core import clock

    return default if text is None else clock.parse_date(text)


def _today() -> date:
    from ringfence.config import get_settings
    from ringfence.core import clock

    return clock.local_day(clock.now(), get_settings().tz)


@contextmanager
def _sentinel() -> Iterator[tuple[Any, Any]]:
    """The event store and the protocol of the configured data home."""
    from ringfence.config import get_settings
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols

    settings = get_settings()
    with open_store(settings) as store:
        yield store, protocols.load(settings.protocol)


@sentinel_app.command("followups")
def followups(
    as_of: AsOf = None,
    since: Annotated[str | None, typer.Option(help="events from this time (default: 7 days before --as-of)")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="also those tested or still within their window")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Sentinel visitors and buyers not tested within the protocol's hours (with --all: every one owed)."""
    from ringfence.surveillance import service
    from ringfence.surveillance.rules import FollowUpStatus

    at = _time(as_of)
    with _sentinel() as (store, protocol):
        document = service.followups(store=store, protocol=protocol, as_of=at, since=_time(since) if since else None)
    if not show_all:
        document.followups = [r for r in document.followups if r.status is FollowUpStatus.missed]
    if json_output:
        emit_json(document)
        return
    if not document.followups:
        typer.echo("No follow-ups to list.")
    for row in document.followups:
        typer.echo(f"{row.person_id:<16} {row.status.value:<8} {','.join(row.categories):<28} "
                   f"{row.site_kind} {row.site_id} {row.occurred_at.isoformat()}  test by {row.test_by.isoformat()}")


@sentinel_app.command("counts")
def counts(
    since: Annotated[str | None, typer.Option(help="first day (default: 13 days before --until)")] = None,
    until: Annotated[str | None, typer.Option(help="last day (default: today)")] = None,
    by: Annotated[list[str] | None, typer.Option(help="site, district and/or category (repeat; default all three)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Sentinel events per day, by site, district and category."""
    from ringfence.core.errors import InvalidInput
    from ringfence.surveillance import service
    from ringfence.surveillance.rules import check_day
    from ringfence.surveillance.schemas import CountDimension

    last = check_day(_day(until, _today()))
    first = check_day(_day(since, last - timedelta(days=13)))
    if first > last:
        raise InvalidInput(f"--since {first} is after --until {last}")
    try:
        dimensions = [CountDimension(b) for b in by] if by else list(service.ALL_DIMENSIONS)
    except ValueError:
        raise InvalidInput(f"--by takes site, district or category (got {', '.join(by or [])})") from None
    with _sentinel() as (store, _protocol):
        document = service.counts(store=store, first=first, last=last, by=dimensions)
    if json_output:
        emit_json(document)
        return
    for row in document.counts:
        parts = [str(row.day)] + [v for v in (row.district_id, row.site_id, row.category) if v is not None]
        typer.echo("  ".join(parts) + f"  {row.count}")


@sentinel_app.command("alarms")
def alarms(
    day: Annotated[str | None, typer.Option("--date", help="the day judged (default: yesterday)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """EARS C1–C3 and flexible Farrington on each district's daily sentinel events, judging one day."""
    from ringfence.surveillance import service

    judged = _day(day, _today() - timedelta(days=1))
    with _sentinel() as (store, _protocol):
        document = service.alarms(store=store, day=judged)
    if json_output:
        emit_json(document)
        return
    raised = [a for a in document.alarms if a.alarm]
    typer.echo(f"{judged}: {len(raised)} alarm(s) over {len({a.district_id for a in document.alarms})} district(s)")
    for row in document.alarms:
        bound = "not enough history" if not row.judged else (
            "no bound" if row.upperbound is None else f"bound {row.upperbound:.1f}")
        typer.echo(f"  {row.district_id:<12} {row.method.value:<20} observed {row.observed:g}  {bound}"
                   + ("  ALARM" if row.alarm else ""))
