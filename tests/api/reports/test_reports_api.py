"""`/api/situation` and `/api/reports/daily`: the figures and the report, in each format and language."""

from __future__ import annotations

import io

import pytest
from tests.service.reports.situation_world import build_situation


@pytest.fixture
def reported(world, session, settings):
    """The API world's users over the situation world (its city is the same small city)."""
    build_situation(session, settings, city_built=True)
    return world


def test_the_situation_of_a_day(reported) -> None:
    response = reported.get("/api/situation", "commander", date="2022-10-20")
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["headline"]["new_cases"] == 3 and figures["headline"]["community_cases"] == 2
    assert figures["overdue"]["by_district"] == {"D1": 1}


def test_a_district_gets_the_situation_of_its_own_district(reported) -> None:
    city = reported.get("/api/situation", "commander", date="2022-10-20").json()
    district = reported.get("/api/situation", "district_a", date="2022-10-20")

    assert district.status_code == 200, district.text
    figures = district.json()
    # of the day's three cases only P1 lives in D1; the overdue task stands in D1 too
    assert figures["headline"]["new_cases"] == 1 < city["headline"]["new_cases"]
    assert figures["overdue"]["by_district"] == {"D1": 1}
    assert reported.get("/api/situation", "district_b", date="2022-10-20").json()["overdue"]["by_district"] == {}


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("lab", 403)])
def test_roles_without_a_dashboard_get_no_situation(reported, who, status) -> None:
    assert reported.get("/api/situation", who, date="2022-10-20").status_code == status


def test_the_daily_report_as_pdf(reported) -> None:
    from pypdf import PdfReader

    response = reported.get("/api/reports/daily", "commander", date="2022-10-20", format="pdf", lang="en")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 4


def test_the_daily_report_as_html_in_chinese(reported) -> None:
    response = reported.get("/api/reports/daily", "analyst", date="2022-10-20", format="html", lang="zh")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in response.text and "社会面占比" in response.text


def test_the_daily_report_as_json_carries_the_chart_specs(reported) -> None:
    response = reported.get("/api/reports/daily", "commander", date="2022-10-20", format="json")
    assert response.status_code == 200
    assert set(response.json()["charts"]) == {"epidemic_curve", "rt", "sentinel", "map"}


def test_an_unknown_format_is_invalid_input(reported) -> None:
    assert reported.get("/api/reports/daily", "commander", date="2022-10-20", format="docx").status_code == 422


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_out_of_range_is_invalid_input(reported, day) -> None:
    response = reported.get("/api/situation", "commander", date=day)
    assert response.status_code == 422 and "outside" in response.json()["detail"]
