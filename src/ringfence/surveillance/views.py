"""`/api/sentinel/…`: follow-ups owed (scoped, audited), daily counts and the day's alarms. Thin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.core import audit, clock
from ringfence.core.errors import InvalidInput
from ringfence.eventlog.store import EventStore, open_store
from ringfence.protocols.models import Protocol
from ringfence.surveillance import service
from ringfence.surveillance.rules import FollowUpStatus, check_day
from ringfence.surveillance.schemas import AlarmsDocument, CountDimension, CountsDocument, FollowUpRow

router = APIRouter(prefix="/sentinel", tags=["sentinel"])

Reader = Annotated[Scope, Depends(scoped(Permission.SENTINEL_READ))]
MAX_COUNT_DAYS = 366


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput("times need a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
    return value.astimezone(UTC) if value is not None else None


AwareTime = Annotated[datetime, AfterValidator(_aware)]


def event_store(request: Request) -> Iterator[EventStore]:
    """The event log for this request, closed when it is answered."""
    with open_store(request.app.state.settings) as store:
        yield store


def protocol(request: Request) -> Protocol:
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


def today(request: Request) -> date:
    return clock.local_day(clock.now(), request.app.state.settings.tz)


Events = Annotated[EventStore, Depends(event_store)]
CurrentProtocol = Annotated[Protocol, Depends(protocol)]
Today = Annotated[date, Depends(today)]


@router.get("/followups", response_model=Page[FollowUpRow])
def list_followups(
    session: DbSession, scope: Reader, store: Events, rules: CurrentProtocol, paging: Paging,
    as_of: Annotated[AwareTime | None, Query(description="judge as of (default: now)")] = None,
    status: Annotated[FollowUpStatus | None, Query(description="only this status (default: all)")] = None,
) -> Page[FollowUpRow]:
    """Sentinel visitors and buyers of the last 7 days owing a test, living in the caller's jurisdiction."""
    at = as_of or clock.now()
    document = service.followups(store=store, protocol=rules, as_of=at)
    rows = [r for r in service.visible_followups(document.followups, scope) if status is None or r.status is status]
    shown = rows[(paging.page - 1) * paging.size: paging.page * paging.size]
    for row in shown:
        audit.record(session, user=scope.actor, action="sentinel.followups", subject=f"person:{row.person_id}",
                     origin=scope.origin, detail=f"as of {at.isoformat()} page {paging.page}")
    return Page.of(shown, len(rows), paging)


@router.get("/counts", response_model=CountsDocument)
def get_counts(
    scope: Reader, store: Events, today: Today,
    since: Annotated[date | None, Query(description="first day (default: 13 days before `until`)")] = None,
    until: Annotated[date | None, Query(description="last day (default: today)")] = None,
    by: Annotated[list[CountDimension] | None, Query(description="site, district, category (default: all)")] = None,
) -> CountsDocument:
    """Sentinel events per day, by site, district and category (aggregates: no person is named)."""
    last = check_day(until or today)
    first = check_day(since or last - timedelta(days=13))
    if first > last:
        raise InvalidInput(f"since {first} is after until {last}")
    if (last - first).days >= MAX_COUNT_DAYS:
        raise InvalidInput(f"at most {MAX_COUNT_DAYS} days at once")
    return service.counts(store=store, first=first, last=last, by=by or list(service.ALL_DIMENSIONS))


@router.get("/alarms", response_model=AlarmsDocument)
def get_alarms(
    scope: Reader, store: Events, today: Today,
    day: Annotated[date | None, Query(alias="date", description="the day judged (default: yesterday)")] = None,
) -> AlarmsDocument:
    """EARS C1–C3 and flexible Farrington verdicts on each district's sentinel events of one day."""
    return service.alarms(store=store, day=day or today - timedelta(days=1))
