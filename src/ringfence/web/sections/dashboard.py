"""The command dashboard (`/`): headline figures, epidemic curve and R(t), the map and its drill-down,
sentinel alarms. The figures and charts come from the reports read side (the same Vega-Lite specs as
the daily report); the map's layers from `web.maps`."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ringfence.api.deps import DbSession
from ringfence.areas.models import Area, AreaLevel
from ringfence.auth.rules import Language, Permission, Scope
from ringfence.core import clock
from ringfence.core.errors import NotFound
from ringfence.web import maps
from ringfence.web.pages import CurrentVisitor, missing, refuse, render

router = APIRouter(include_in_schema=False)

AreaParam = Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")]
CHARTS = ("epidemic_curve", "rt", "sentinel")  # the report's specs the dashboard embeds (its map is Leaflet's)
CHART_TITLES = {"epidemic_curve": "Epidemic curve", "rt": "R(t)", "sentinel": "Sentinel events"}


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession, visitor: CurrentVisitor, area: AreaParam = None) -> Response:
    if (refused := refuse(request, visitor, current="dashboard")) is not None:
        return refused
    scope = visitor.scope
    root, trail, rows = None, [], []
    if scope.can(Permission.AREA_READ):
        try:
            root = maps.root_area(session=session, scope=scope, area_id=area or None)
        except NotFound:
            if area:
                return missing(request, visitor, current="dashboard")
        if root is not None:
            now = clock.now()
            cases = maps.active_cases(session=session, scope=scope, root=root) if scope.can(Permission.CASE_READ) else []
            _, zones = maps.zone_layer(session=session, scope=scope)
            trail = maps.breadcrumbs(session=session, scope=scope, area=root)
            rows = maps.drilldown(session=session, scope=scope, root=root, cases=cases, zones=zones,
                                  since=maps.recent_since(now), as_of=now)
    return render(
        request, visitor, "dashboard.html", current="dashboard", root=root, trail=trail, rows=rows,
        tile_url=request.app.state.settings.tile_url,
        figures=scope.can(Permission.DASHBOARD_READ),
    )


@router.get("/web/map/layers.json")
def map_layers(request: Request, session: DbSession, visitor: CurrentVisitor, area: AreaParam = None) -> Response:
    """The map's GeoJSON layers under one area: areas, risk areas, active cases, isolation sites."""
    if visitor.scope is None:
        return JSONResponse({"detail": "not authenticated"}, status_code=401)
    scope = visitor.scope
    if not scope.can(Permission.AREA_READ):
        return JSONResponse({"detail": "your role may not do this (area.read)"}, status_code=403)
    try:
        root = maps.root_area(session=session, scope=scope, area_id=area or None)
    except NotFound as absent:
        return JSONResponse({"detail": str(absent)}, status_code=404)
    now = clock.now()
    cases = maps.active_cases(session=session, scope=scope, root=root) if scope.can(Permission.CASE_READ) else []
    zones, _ = maps.zone_layer(session=session, scope=scope)
    return JSONResponse({
        "root": {"area_id": root.area_id, "name": root.name, "level": root.level.value},
        "areas": maps.area_layer(session=session, scope=scope, root=root),
        "zones": zones,
        "cases": maps.case_layer(cases, since=maps.recent_since(now)),
        "sites": maps.site_layer(session=session, scope=scope),
    }, headers={"Cache-Control": "no-store"})


@router.get("/web/dashboard/situation", response_class=HTMLResponse)
def situation(request: Request, session: DbSession, visitor: CurrentVisitor, area: AreaParam = None) -> Response:
    """The headline figures, the charts' specs and the sentinel alarms of today (an htmx fragment), for the
    visitor's jurisdiction or the area of it drilled into (the whole city only for city-wide roles)."""
    if (refused := refuse(request, visitor, Permission.DASHBOARD_READ, current="dashboard")) is not None:
        return refused
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.reports import service as reports
    from ringfence.reports.schemas import ReportLanguage

    try:
        root, subtree = figures_area(session=session, scope=visitor.scope, area_id=area or None)
    except NotFound:
        return missing(request, visitor, current="dashboard")
    settings = request.app.state.settings
    today = clock.local_day(clock.now(), settings.tz)
    lang = ReportLanguage.zh if visitor.language is Language.zh_CN else ReportLanguage.en
    with open_store(settings) as store:
        report = reports.daily(session=session, store=store, protocol=protocols.load(settings.protocol), day=today,
                               tz=settings.tz, lang=lang, subtree=subtree)
    figures = report.situation
    names = {d.district_id: d.name for d in figures.districts}
    # JSON inside <script>: "<" escaped so no "</script>" in a label can end the element
    specs = {name: json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c") for name in CHARTS
             if (spec := report.charts.get(name)) is not None}
    by_via = Counter()
    for row in figures.daily_cases:
        if row.day == figures.day:
            by_via[row.found_via.value] += row.cases
    return render(request, visitor, "sections/dashboard_situation.html", s=figures, specs=specs, names=names,
                  charts=CHARTS, chart_titles=CHART_TITLES, by_via=sorted(by_via.items()), place=root,
                  part=subtree is not None, below_district=root is not None and root.level in BELOW_DISTRICT)


BELOW_DISTRICT = (AreaLevel.subdistrict, AreaLevel.community)


def figures_area(*, session, scope: Scope, area_id: str | None) -> tuple[Area | None, str | None]:
    """The area the figures are of, and its path to scope them by (None: the whole city).

    The area drilled into (NotFound outside the jurisdiction), else the top of the jurisdiction. A
    territorial visitor's figures never go beyond their subtree, even when their area cannot be named.
    """
    if area_id is not None:
        root = maps.root_area(session=session, scope=scope, area_id=area_id)
    else:
        try:
            root = maps.root_area(session=session, scope=scope, area_id=None)
        except NotFound:
            return None, scope.subtree
    if root.parent_id is None and scope.everywhere:
        return root, None
    return root, root.path
