"""`/api/situation` (the day's figures) and `/api/reports/daily` (the report as HTML, PDF or JSON). Thin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ringfence.api.deps import DbSession, scoped
from ringfence.auth.rules import Permission, Scope
from ringfence.config import Settings
from ringfence.core import clock
from ringfence.eventlog.store import EventStore, open_store
from ringfence.protocols.models import Protocol
from ringfence.reports import service
from ringfence.reports import situation as read_side
from ringfence.reports.schemas import ReportFormat, ReportLanguage, Situation

situation_router = APIRouter(prefix="/situation", tags=["reports"])
reports_router = APIRouter(prefix="/reports", tags=["reports"])

# aggregate figures: every role with a dashboard reads them (no person is named)
Reader = Annotated[Scope, Depends(scoped(Permission.DASHBOARD_READ))]


def app_settings(request: Request) -> Settings:
    return request.app.state.settings


def event_store(request: Request) -> Iterator[EventStore]:
    with open_store(request.app.state.settings) as store:
        yield store


def protocol(request: Request) -> Protocol:
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


AppSettings = Annotated[Settings, Depends(app_settings)]
Events = Annotated[EventStore, Depends(event_store)]
CurrentProtocol = Annotated[Protocol, Depends(protocol)]
ReportDay = Annotated[date | None, Query(alias="date", description="the day reported on (default: yesterday)")]


def _day(day: date | None, settings: Settings) -> date:
    return day or clock.local_day(clock.now(), settings.tz) - timedelta(days=1)


@situation_router.get("", response_model=Situation)
def get_situation(
    session: DbSession, scope: Reader, store: Events, rules: CurrentProtocol, settings: AppSettings, day: ReportDay = None,
) -> Situation:
    """The figures of the caller's jurisdiction (the city for headquarters) on one day as known at its end:
    cases by district and way found, the community share, R(t), time to placement, coverage, occupancy,
    overdue tasks, sentinel alarms."""
    return read_side.situation(session=session, store=store, protocol=rules, day=_day(day, settings), tz=settings.tz,
                               subtree=scope.subtree)


@reports_router.get(
    "/daily",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}, "application/json": {}},
                     "description": "the report in the format asked for"}},
)
def get_daily_report(
    session: DbSession, scope: Reader, store: Events, rules: CurrentProtocol, settings: AppSettings,
    day: ReportDay = None,
    lang: Annotated[ReportLanguage, Query(description="zh or en")] = ReportLanguage.zh,
    report_format: Annotated[ReportFormat, Query(alias="format", description="html, pdf or json (figures and chart specs)")] = ReportFormat.html,
) -> Response:
    """The daily situation report of one day."""
    report = service.daily(session=session, store=store, protocol=rules, day=_day(day, settings), tz=settings.tz,
                           lang=lang)
    name = f"ringfence-daily-{report.day.isoformat()}-{lang.value}"
    if report_format is ReportFormat.pdf:
        return Response(service.render_pdf(report), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})
    if report_format is ReportFormat.json:
        return JSONResponse(report.document())
    return HTMLResponse(service.render_html(report))
