from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ringfence.bootstrap import metadata
from ringfence.core import audit


def test_the_migrations_build_exactly_the_models(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_the_audit_log_refuses_updates_and_deletes(session) -> None:
    audit.record(session, user="admin", action="person.read", subject="person:P1", origin="cli")
    session.commit()
    for statement in ("UPDATE audit_log SET user = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement.replace("user", '"user"')))
        session.rollback()
    assert [e.user for e in audit.entries(session)] == ["admin"]


def test_the_migrations_form_one_line_with_a_single_head(engine) -> None:
    from alembic.script import ScriptDirectory

    from ringfence.core.migrate import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config(engine)).get_heads()) == 1
