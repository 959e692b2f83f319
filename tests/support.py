"""Test prerequisites: skip with a visible reason on a bare machine, fail under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("RINGFENCE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHROMIUM = os.environ.get("RINGFENCE_CHROMIUM", "/usr/bin/chromium")


def missing(reason: str) -> None:
    """A prerequisite is absent: a skip on a developer's machine, a failure in CI."""
    if IN_CI:
        pytest.fail(f"CI must exercise this test, but {reason}", pytrace=False)
    pytest.skip(reason)


@lru_cache(maxsize=1)
def postgres_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL is not reachable at {PG_URL}: {str(exc).splitlines()[0]}"


@lru_cache(maxsize=1)
def spark_problem() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[dev]')"
    java = shutil.which("java")
    if java is None:
        return "no Java runtime for Spark (apt-get install default-jre-headless)"
    probe = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return "java -version failed"
    return None


def chromium_problem() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


REPORT_FONT = "WenQuanYi Micro Hei"  # the daily report's first font (reports/templates/daily.css)


@lru_cache(maxsize=1)
def report_font_problem() -> str | None:
    """Without the report's font, WeasyPrint falls back to one whose glyphs pypdf cannot read back as text."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return "no fontconfig (fc-list) to find the report's font"
    listed = subprocess.run([fc_list, REPORT_FONT, "family"], capture_output=True, text=True, check=False)
    if REPORT_FONT not in listed.stdout:
        return f"the report's font {REPORT_FONT} is not installed (apt-get install fonts-wqy-microhei)"
    return None


def require_postgres() -> None:
    if (problem := postgres_problem()) is not None:
        missing(problem)


def require_spark() -> None:
    if (problem := spark_problem()) is not None:
        missing(problem)


def require_chromium() -> None:
    if (problem := chromium_problem()) is not None:
        missing(problem)


def require_report_font() -> None:
    if (problem := report_font_problem()) is not None:
        missing(problem)
