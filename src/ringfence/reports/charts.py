"""The report's charts as Vega-Lite specs built with Altair: the same specs the web embeds (vega-embed)
and the report renders to SVG (vl-convert). Data is inline; nothing is fetched.

Every spec's text uses the CJK font stack, so Chinese labels render in the SVG and the PDF.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import altair as alt

from ringfence.cases.models import FoundVia
from ringfence.reports.schemas import DailyCaseRow, RtPoint
from ringfence.surveillance.schemas import AlarmRow

Translate = Callable[[str], str]

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
WIDTH, HEIGHT = 600, 220
MAP_SIZE = 420
VIA_COLOURS = {
    FoundVia.screening: "#4e79a7", FoundVia.sentinel: "#f28e2b", FoundVia.controlled: "#59a14f",
    FoundVia.arrival: "#b07aa1", FoundVia.other: "#9c9c9c",
}
ZONE_COLOURS = {"high": "#d62728", "medium": "#ff9f1c", "low": "#f6e27f"}


def day_label(day: date) -> str:
    return day.strftime("%m-%d")


def day_labels(first: date, last: date) -> list[str]:
    return [day_label(first + timedelta(days=i)) for i in range((last - first).days + 1)]


def _finish(chart: alt.TopLevelMixin, title: str) -> dict:
    """The spec as a dict, with the title and the CJK font everywhere."""
    return chart.properties(title=title).configure(font=FONT).configure_view(stroke=None).to_dict()


def epidemic_curve(rows: Sequence[DailyCaseRow], *, first: date, last: date, _: Translate) -> dict:
    """New cases per day stacked by how they were found (community ways first, controlled last)."""
    per_day: dict[tuple[str, FoundVia], int] = defaultdict(int)
    for row in rows:
        per_day[(day_label(row.day), row.found_via)] += row.cases
    values = [{"day": day, "via": _(via.value), "cases": n} for (day, via), n in sorted(per_day.items())]
    ways = list(VIA_COLOURS)
    chart = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("day:O", title=_("Day"), scale=alt.Scale(domain=day_labels(first, last)),
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("sum(cases):Q", title=_("Cases"), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("via:N", title=_("How found"),
                        scale=alt.Scale(domain=[_(v.value) for v in ways], range=[VIA_COLOURS[v] for v in ways])),
        order=alt.Order("via:N"),
    ).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, _("New cases by day and how they were found"))


def rt_chart(points: Sequence[RtPoint], *, _: Translate) -> dict:
    """R(t) per window end: the posterior mean and its 95 % credible band, with R = 1 marked."""
    values = [{"day": day_label(p.day), "mean": p.mean, "q025": p.q025, "q975": p.q975} for p in points]
    domain = [v["day"] for v in values]
    x = alt.X("day:O", title=_("Day"), scale=alt.Scale(domain=domain), axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(alt.Data(values=values))
    band = base.mark_area(opacity=0.25, color="#4e79a7").encode(x=x, y=alt.Y("q025:Q", title="R(t)"), y2="q975:Q")
    line = base.mark_line(point=True, color="#1f4e79").encode(x=x, y="mean:Q")
    threshold = alt.Chart(alt.Data(values=[{"one": 1.0}])).mark_rule(color="#c0392b", strokeDash=[4, 4]).encode(
        y="one:Q")
    chart = alt.layer(band, line, threshold).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, _("R(t) with its 95% credible interval (7-day windows)"))


def sentinel_chart(
    series: dict[str, list[float]], *, first: date, last: date, names: dict[str, str], alarms: Sequence[AlarmRow],
    _: Translate,
) -> dict:
    """Daily sentinel events per district, with a red mark on each district-day raising an alarm."""
    labels = day_labels(first, last)
    values = [
        {"day": labels[i], "district": _(names.get(district, district)), "events": count}
        for district, counts in sorted(series.items()) for i, count in enumerate(counts)
    ]
    raised = {}
    for alarm in alarms:
        key = (day_label(alarm.day), _(names.get(alarm.district_id, alarm.district_id)))
        raised.setdefault(key, {"day": key[0], "district": key[1], "events": alarm.observed, "methods": []})
        raised[key]["methods"].append(_(alarm.method.value))
    marks = [{**r, "methods": ", ".join(r["methods"])} for r in raised.values()]
    x = alt.X("day:O", title=_("Day"), scale=alt.Scale(domain=labels), axis=alt.Axis(labelAngle=-45))
    lines = alt.Chart(alt.Data(values=values)).mark_line().encode(
        x=x, y=alt.Y("events:Q", title=_("Events")), color=alt.Color("district:N", title=_("District")))
    points = alt.Chart(alt.Data(values=marks)).mark_point(shape="triangle-up", size=90, filled=True, color="#d62728") \
        .encode(x=x, y="events:Q", tooltip=["district:N", "methods:N"])
    chart = alt.layer(lines, points).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, _("Sentinel events per day by district"))


def zone_map(
    districts: Sequence[dict], cases: Sequence[dict], *, zones: Sequence[dict] = (), _: Translate
) -> dict | None:
    """Districts' polygons, case points (lon, lat) and, when given, zone polygons; None with nothing to draw.

    `districts` and `zones` are GeoJSON Features (zones with a `level` property: high, medium, low);
    no tiles: the city's own polygons are the base map.
    """
    if not districts and not cases and not zones:
        return None
    districts, zones = [d3_wound(f) for f in districts], [d3_wound(f) for f in zones]
    layers = []
    if not districts and not zones:
        # points alone give the projection nothing to fit: frame them in their padded bounding box
        layers.append(alt.Chart(alt.Data(values=[_frame(cases)])).mark_geoshape(
            fill="#f7f9fb", stroke="#c9d3de"))
    if districts:
        layers.append(alt.Chart(alt.Data(values=list(districts))).mark_geoshape(
            fill="#eef2f7", stroke="#5b6b7f", strokeWidth=1))
        labelled = [
            {"lon": f["properties"]["label_lon"], "lat": f["properties"]["label_lat"], "name": f["properties"]["name"]}
            for f in districts if f["properties"].get("label_lon") is not None
        ]
        layers.append(alt.Chart(alt.Data(values=labelled)).mark_text(fontSize=11, color="#2b3a4a").encode(
            longitude="lon:Q", latitude="lat:Q", text="name:N"))
    if zones:  # the hook for the risk areas: drawn over the districts, under the cases
        layers.append(alt.Chart(alt.Data(values=list(zones))).mark_geoshape(opacity=0.6).encode(
            color=alt.Color("properties.level:N", title=_("Zones"),
                            scale=alt.Scale(domain=list(ZONE_COLOURS), range=list(ZONE_COLOURS.values())))))
    if cases:
        layers.append(alt.Chart(alt.Data(values=list(cases))).mark_circle(size=28, color="#c0392b", opacity=0.8)
                      .encode(longitude="lon:Q", latitude="lat:Q"))
    chart = alt.layer(*layers).project(type="mercator").properties(width=MAP_SIZE, height=MAP_SIZE)
    return _finish(chart, _("Districts and cases of the last 7 days"))


def _frame(points: Sequence[dict], pad: float = 0.02) -> dict:
    """A rectangle Feature around the points, `pad` degrees wider on every side."""
    lons, lats = [p["lon"] for p in points], [p["lat"] for p in points]
    west, east, south, north = min(lons) - pad, max(lons) + pad, min(lats) - pad, max(lats) + pad
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return d3_wound({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {}})


def d3_wound(feature: dict) -> dict:
    """The feature with its polygons' outer rings clockwise, as Vega's spherical (d3-geo) projection wants.

    GeoJSON (RFC 7946) winds outer rings counter-clockwise; d3 would read such a ring as the whole
    globe less the polygon.
    """
    from shapely.geometry import mapping, shape
    from shapely.geometry.polygon import orient

    geometry = shape(feature["geometry"])
    if geometry.geom_type == "Polygon":
        geometry = orient(geometry, sign=-1.0)
    elif geometry.geom_type == "MultiPolygon":
        geometry = type(geometry)([orient(part, sign=-1.0) for part in geometry.geoms])
    else:
        return feature
    return {**feature, "geometry": json.loads(json.dumps(mapping(geometry)))}
