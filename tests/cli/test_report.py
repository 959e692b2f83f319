"""`ringfence report daily --date D --format html|pdf --out PATH [--lang zh|en]`."""

from __future__ import annotations

import io

import pytest
from tests.cli.cli_runner import run_cli
from tests.service.reports.situation_world import build_situation


@pytest.fixture
def world(session, settings):
    build_situation(session, settings)
    return settings


def test_it_writes_the_pdf_report_in_english(world, tmp_path, capsys, monkeypatch) -> None:
    from pypdf import PdfReader

    out = tmp_path / "daily.pdf"
    outcome = run_cli(["report", "daily", "--date", "2022-10-20", "--format", "pdf", "--out", str(out), "--lang", "en"],
                      capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    assert len(pages) == 4
    assert "Daily situation report · 2022-10-20" in pages[0].extract_text()


def test_it_writes_the_html_report_in_chinese_by_default(world, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "daily.html"
    outcome = run_cli(["report", "daily", "--date", "2022-10-20", "--out", str(out)], capsys, monkeypatch)
    assert outcome.code == 0, outcome.err
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "每日疫情形势报告" in html


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx"], "--format must be html or pdf"),
    (["--lang", "fr"], "--lang must be zh or en"),
    (["--date", "20 Oct"], "not an ISO 8601 date"),
])
def test_bad_options_exit_2_with_one_line(world, tmp_path, capsys, monkeypatch, args, message) -> None:
    argv = ["report", "daily", "--date", "2022-10-20", "--out", str(tmp_path / "x.html"), *args]
    outcome = run_cli(argv, capsys, monkeypatch)
    assert outcome.code == 2
    assert message in outcome.err and len(outcome.err.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()


def test_a_missing_folder_is_refused_before_any_work(world, tmp_path, capsys, monkeypatch) -> None:
    outcome = run_cli(["report", "daily", "--date", "2022-10-20", "--out", str(tmp_path / "nope" / "x.pdf")],
                      capsys, monkeypatch)
    assert outcome.code == 2 and "no folder" in outcome.err
