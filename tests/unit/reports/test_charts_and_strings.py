"""The report's chart specs and its Chinese words."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

from ringfence.cases.models import FoundVia
from ringfence.reports import charts, strings
from ringfence.reports.schemas import DailyCaseRow

EN = strings.translator("en")
ZH = strings.translator("zh")


def test_every_word_the_template_translates_has_its_chinese() -> None:
    template = (resources.files("ringfence.reports") / "templates" / "daily.html").read_text(encoding="utf-8")
    msgids = set(re.findall(r'_\("([^"]+)"\)', template))
    assert msgids, "the template translates nothing?"
    assert sorted(m for m in msgids if m not in strings.ZH) == []


def test_every_way_of_being_found_and_every_task_kind_has_its_chinese() -> None:
    from ringfence.tasks.models import TaskKind

    assert [v.value for v in FoundVia if v.value not in strings.ZH] == []
    assert [k.value for k in TaskKind if k.value not in strings.ZH] == []


def test_the_epidemic_curve_shows_every_day_even_without_cases_and_stacks_by_way_found() -> None:
    rows = [DailyCaseRow(day=date(2022, 10, 3), district_id="D1", found_via=FoundVia.screening, cases=2),
            DailyCaseRow(day=date(2022, 10, 3), district_id="D2", found_via=FoundVia.screening, cases=1),
            DailyCaseRow(day=date(2022, 10, 4), district_id="D1", found_via=FoundVia.controlled, cases=1)]
    spec = charts.epidemic_curve(rows, first=date(2022, 10, 1), last=date(2022, 10, 5), _=ZH)
    assert spec["encoding"]["x"]["scale"]["domain"] == ["10-01", "10-02", "10-03", "10-04", "10-05"]
    assert sorted((v["day"], v["via"], v["cases"]) for v in spec["data"]["values"]) == [
        ("10-03", "筛查发现", 3), ("10-04", "管控人员中发现", 1)]
    assert "WenQuanYi Micro Hei" in spec["config"]["font"]


def test_polygons_are_wound_clockwise_for_the_spherical_projection() -> None:
    from shapely.geometry import shape

    counter_clockwise = {"type": "Feature", "properties": {},
                         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}
    wound = shape(charts.d3_wound(counter_clockwise)["geometry"])
    assert not wound.exterior.is_ccw


def test_a_map_with_nothing_to_draw_is_none() -> None:
    assert charts.zone_map([], [], _=EN) is None
