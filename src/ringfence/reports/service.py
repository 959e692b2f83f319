"""The daily report: the situation's figures, its charts and map, as HTML and as PDF.

Public API (keyword-only; never commits — the report only reads):

    daily(*, session, store, protocol, day: date, tz, lang="zh", subtree=None) -> DailyReport
    render_html(report: DailyReport) -> str       (self-contained: inline CSS and SVG charts)
    render_pdf(report: DailyReport) -> bytes      (WeasyPrint; four A4 pages)
    svg(spec: dict) -> str                        (a Vega-Lite spec rendered by vl-convert)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, AreaLevel
from ringfence.core import clock
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.reports import charts, rules, scoped, strings
from ringfence.reports import situation as read_side
from ringfence.reports.schemas import ReportLanguage, Situation
from ringfence.surveillance import queries as sentinel_queries
from ringfence.surveillance import service as surveillance

SENTINEL_CHART_DAYS = 28
PAGES = ("headline", "rt_and_map", "sentinel", "districts")  # one PDF page each


@dataclass
class DailyReport:
    """Everything the templates need: the figures, the chart specs, and who it is for."""

    day: date
    lang: ReportLanguage
    tz: ZoneInfo
    protocol_name: str
    generated_at: datetime
    situation: Situation
    charts: dict[str, dict | None] = field(default_factory=dict)  # Vega-Lite specs; None: nothing to draw

    def document(self) -> dict:
        """The report as JSON: the figures and the chart specs (for the web to embed)."""
        return {"day": self.day.isoformat(), "lang": self.lang.value, "generated_at": self.generated_at.isoformat(),
                "protocol": self.protocol_name, "situation": self.situation.model_dump(mode="json"),
                "charts": self.charts}


def district_features(*, session: Session, subtree: str | None = None) -> list[dict]:
    """Each district (with `subtree`: each it touches) with a geometry as a GeoJSON Feature, with its name
    and a point to label it at."""
    from shapely.geometry import shape

    features = []
    for area in session.scalars(select(Area).where(Area.level == AreaLevel.district, Area.geometry.is_not(None))
                                .order_by(Area.path)):
        if not scoped.touches(area.path, subtree):
            continue
        try:
            geometry = json.loads(area.geometry)
            label = shape(geometry).representative_point()
        except (ValueError, TypeError, AttributeError):
            continue  # a geometry the importer let through but shapely cannot read: leave it off the map
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"area_id": area.area_id, "name": area.name,
                                        "label_lon": label.x, "label_lat": label.y}})
    return features


ZONE_BUILDING_METRES = 60.0  # a building-level zone drawn as a disc this wide, so it shows on a city map


def zone_features(*, session: Session, subtree: str | None = None) -> list[dict]:
    """The risk areas in force (approved; with `subtree`: in it) as GeoJSON Features with a `level`, for the map.

    The zones store holds the current state, not its history: a report of a past day shows the
    zones in force now.
    """
    from ringfence.auth.rules import Role, Scope
    from ringfence.zones import geojson
    from ringfence.zones import service as zones
    from ringfence.zones.kinds import ZoneStatus
    from ringfence.zones.schemas import ZoneFilter

    city = Scope(actor="report", role=Role.commander, subtree=subtree, origin="report")
    in_force, _total = zones.get_all(session=session, scope=city, filters=ZoneFilter(status=ZoneStatus.approved),
                                     page=1, size=100_000)
    collection = geojson.feature_collection(session=session, zones=in_force, buffer_metres=ZONE_BUILDING_METRES)
    return [f for f in collection["features"] if f["geometry"] is not None]


def daily(
    *, session: Session, store: EventStore, protocol: Protocol, day: date, tz: ZoneInfo,
    lang: ReportLanguage | str = ReportLanguage.zh, subtree: str | None = None,
) -> DailyReport:
    """The report of `day` (figures as of the end of that local day) in `lang`; with `subtree` (an
    `Area.path` prefix) of that part of the city only, else of the whole city."""
    lang = ReportLanguage(lang)
    _ = strings.translator(lang)
    figures = read_side.situation(session=session, store=store, protocol=protocol, day=day, tz=tz, subtree=subtree)
    names = {d.district_id: d.name for d in figures.districts}

    curve_first = day - timedelta(days=read_side.CURVE_DAYS - 1)
    feed_start = sentinel_queries.first_day(store)
    sentinel_first = day - timedelta(days=SENTINEL_CHART_DAYS - 1)
    if feed_start is not None and feed_start > sentinel_first:
        sentinel_first = min(feed_start, day)
    series = surveillance.district_series(store=store, first=sentinel_first, last=day)
    if subtree is not None:  # sentinel events are counted per district: the districts the part touches
        series = {district: values for district, values in series.items() if district in names}

    paths = read_side.district_paths(read_side.districts(session=session, subtree=subtree))
    recent = rules.confirmed_between(
        read_side.case_facts(session=session, until=figures.as_of, paths=paths, subtree=subtree),
        day - timedelta(days=rules.RECENT_DAYS - 1), day, tz,
    )
    points = [{"lon": c.lon, "lat": c.lat, "via": c.found_via.value} for c in recent if c.lon is not None]
    specs = {
        "epidemic_curve": charts.epidemic_curve(figures.daily_cases, first=curve_first, last=day, _=_),
        "rt": charts.rt_chart(figures.rt.points, _=_) if figures.rt.points else None,
        "sentinel": charts.sentinel_chart(series, first=sentinel_first, last=day, names=names,
                                          alarms=figures.sentinel.alarms, _=_),
        "map": charts.zone_map(district_features(session=session, subtree=subtree), points,
                               zones=zone_features(session=session, subtree=subtree), _=_),
    }
    return DailyReport(day=day, lang=lang, tz=tz, protocol_name=protocol.name, generated_at=clock.now(),
                       situation=figures, charts=specs)


def svg(spec: dict) -> str:
    """The Vega-Lite spec drawn as SVG (vl-convert: the Vega engine, no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("ringfence.reports", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1%}"
    env.filters["num"] = lambda v, digits=1: "—" if v is None else f"{v:.{digits}f}"
    return env


def render_html(report: DailyReport) -> str:
    """The report as one self-contained HTML page (inline CSS, charts as inline SVG)."""
    from markupsafe import Markup

    _ = strings.translator(report.lang)
    css = (resources.files("ringfence.reports") / "templates" / "daily.css").read_text(encoding="utf-8")
    drawn = {name: Markup(svg(spec)) if spec else None for name, spec in report.charts.items()}
    names = {d.district_id: d.name for d in report.situation.districts}
    return _environment().get_template("daily.html").render(
        _=_, lang=strings.html_lang(report.lang), css=Markup(css), report=report, s=report.situation,
        charts=drawn, names=names, local=lambda at: at.astimezone(report.tz).strftime("%Y-%m-%d %H:%M"),
        district_table=_district_table(report.situation),
    )


def render_pdf(report: DailyReport) -> bytes:
    """The report as PDF (WeasyPrint), Chinese set in the CJK font stack of the stylesheet."""
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def _district_table(figures: Situation) -> list[dict]:
    """One row per district (and `unknown` when it has anything): today's cases, the week, coverage, overdue."""
    rows: dict[str, dict] = {
        d.district_id: {"district_id": d.district_id, "name": d.name, "community": 0, "controlled": 0, "week": 0,
                        "coverage": None, "overdue": 0}
        for d in figures.districts
    }

    def row(district_id: str) -> dict:
        return rows.setdefault(district_id, {"district_id": district_id, "name": district_id, "community": 0,
                                             "controlled": 0, "week": 0, "coverage": None, "overdue": 0})

    week_start = figures.day - timedelta(days=rules.RECENT_DAYS - 1)
    for case_row in figures.daily_cases:
        target = row(case_row.district_id)
        if case_row.day == figures.day:
            target["community" if rules.is_community(case_row.found_via) else "controlled"] += case_row.cases
        if case_row.day >= week_start:
            target["week"] += case_row.cases
    for coverage in figures.coverage.districts:
        if coverage.district_id in rows or coverage.residents:
            row(coverage.district_id)["coverage"] = coverage.coverage
    for district_id, count in figures.overdue.by_district.items():
        row(district_id)["overdue"] = count
    return list(rows.values())
