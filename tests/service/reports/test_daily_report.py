"""The daily report renders in Chinese and English, as HTML and as a four-page PDF whose text says it."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

import pytest
from tests.service.reports.situation_world import DAY, build_situation
from tests.support import require_report_font

from ringfence.areas.models import Area
from ringfence.eventlog.store import open_store
from ringfence.protocols import service as protocols
from ringfence.reports import service

PROTOCOL = protocols.load("covid19-cn-9")
TZ = ZoneInfo("Asia/Shanghai")
BOXES = {"D1": (113.55, 34.73, 113.65, 34.78), "D2": (113.65, 34.66, 113.75, 34.73)}


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def world(session, settings):
    build_situation(session, settings)
    for area_id, (west, south, east, north) in BOXES.items():
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        session.get(Area, area_id).geometry = json.dumps({"type": "Polygon", "coordinates": [ring]})
    session.commit()
    return settings


def _report(session, settings, lang):
    with open_store(settings) as store:
        return service.daily(session=session, store=store, protocol=PROTOCOL, day=DAY, tz=TZ, lang=lang)


def test_the_chinese_report_is_marked_zh_and_speaks_chinese(world, session) -> None:
    html = service.render_html(_report(session, world, "zh"))
    assert '<html lang="zh-CN">' in html
    for text in ("每日疫情形势报告", "社会面占比", "66.7%", "流行曲线", "哨点监测", "病例流调"):
        assert text in html, text
    assert html.count("<svg") == 3  # curve, map, sentinel; R(t) is not estimable on four days of cases
    assert "暂不可估计" in html


def test_the_english_report_is_marked_en(world, session) -> None:
    html = service.render_html(_report(session, world, "en"))
    assert '<html lang="en">' in html
    for text in ("Daily situation report", "Community share", "66.7%", "investigate_case", "Area D1"):
        assert text in html, text
    assert "每日" not in html


def test_the_map_draws_the_districts_and_the_cases_of_the_week(world, session) -> None:
    spec = _report(session, world, "en").charts["map"]
    layers = spec["layer"]
    shapes = [layer for layer in layers if layer["mark"]["type"] == "geoshape"]
    assert sorted(f["properties"]["area_id"] for f in shapes[0]["data"]["values"]) == ["D1", "D2"]
    points = next(layer for layer in layers if layer["mark"]["type"] == "circle")["data"]["values"]
    assert len(points) == 4  # P1, P2 (B1), P3 (B2), P4 (B_): every case of the last 7 days


def test_the_map_draws_the_zones_in_force_and_not_those_only_proposed(world, session) -> None:
    from datetime import datetime, timedelta

    from ringfence.zones.kinds import ZoneLevel, ZoneStatus, ZoneUnit
    from ringfence.zones.models import Zone

    at = datetime(2022, 10, 20, 2, 0, tzinfo=ZoneInfo("UTC"))
    for building, status in (("B1", ZoneStatus.approved), ("B2", ZoneStatus.proposed)):
        session.add(Zone(level=ZoneLevel.high, unit=ZoneUnit.building, unit_id=building, episode_start=at,
                         area_id="M1" if building == "B1" else "M2", since=at, residents=2, status=status,
                         proposed_at=at, approved_at=at + timedelta(hours=1) if status is ZoneStatus.approved else None,
                         updated_at=at, blockers=[]))
    session.commit()
    layers = _report(session, world, "zh").charts["map"]["layer"]
    [zones] = [layer for layer in layers if "color" in layer.get("encoding", {})]
    assert [(f["properties"]["unit_id"], f["properties"]["level"]) for f in zones["data"]["values"]] == [("B1", "high")]
    assert zones["data"]["values"][0]["geometry"]["type"] == "Polygon"  # the building drawn as a disc


@pytest.mark.parametrize(("lang", "pages"), [
    ("zh", ["每日疫情形势报告", "再生数", "哨点监测", "今日各区新增感染者"]),
    ("en", ["Daily situation report", "Reproduction number", "Sentinel surveillance", "New cases today by district"]),
])
def test_the_pdf_has_one_page_per_section_with_its_text(world, session, lang, pages) -> None:
    require_report_font()
    data = service.render_pdf(_report(session, world, lang))
    assert data.startswith(b"%PDF")
    text = pdf_pages(data)
    assert len(text) == len(service.PAGES) == len(pages)
    for page, heading in zip(text, pages, strict=True):
        assert heading in page
    assert "66.7%" in text[0]
    # D1 today: one community case, none controlled; two in the week; half its residents sampled; one overdue
    assert "Area D1 1 0 2 50.0% 1" in " ".join(text[3].split())


def test_the_json_document_carries_the_figures_and_the_chart_specs(world, session) -> None:
    document = _report(session, world, "en").document()
    assert document["situation"]["headline"]["new_cases"] == 3
    assert document["charts"]["rt"] is None
    assert document["charts"]["epidemic_curve"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    json.dumps(document)  # serialisable as it is
