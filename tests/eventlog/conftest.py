"""Event-log fixtures: a data home of the test's own, and one Spark session for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.eventlog.worlds import home_settings
from tests.support import require_spark

from ringfence.config import Settings


@pytest.fixture
def log_settings(tmp_path: Path) -> Settings:
    return home_settings(tmp_path)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[None]:
    """Starts the shared Spark session once (it takes seconds); stopped when the run ends."""
    require_spark()
    from ringfence.eventlog.spark_store import spark_session, stop_spark_session

    spark_session()
    yield
    stop_spark_session()
