"""Shared fixtures: every test that touches the relational store runs on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from tests.support import PG_URL, require_postgres

from ringfence.bootstrap import metadata
from ringfence.config import Settings, get_settings
from ringfence.core.db import make_engine, session_factory
from ringfence.core.migrate import upgrade

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store migrated once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "ringfence.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away database on the PostgreSQL server, migrated once, dropped at the end."""
    require_postgres()
    name = f"ringfence_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    engine = make_engine(url_text)
    upgrade(engine)
    engine.dispose()
    yield url_text
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "ringfence.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_database")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A data home of the test's own, also visible to code that reads the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("RINGFENCE_HOME", str(home))
    monkeypatch.setenv("RINGFENCE_DATABASE_URL", db_url)
    monkeypatch.setenv("RINGFENCE_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.delenv("RINGFENCE_EVENT_ENGINE", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    from ringfence.bootstrap import engine as store_engine
    from ringfence.core.db import engine_for

    engine = store_engine(settings)
    yield engine
    engine.dispose()
    engine_for.cache_clear()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session the test drives; nothing is committed unless the test commits."""
    db = session_factory(engine)()
    yield db
    db.rollback()
    db.close()
