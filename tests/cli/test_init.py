from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from tests.cli.cli_runner import run_cli

from ringfence.auth import service as auth_service


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth_service, "_hasher", lambda: cheap)


def test_init_creates_admin_with_the_password_from_the_environment(engine, session, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RINGFENCE_ADMIN_PASSWORD", "admin passphrase 1")
    outcome = run_cli(["init", "--json"], capsys, monkeypatch)
    assert outcome.code == 0 and json.loads(outcome.out)["admin_password"] is None
    admin = auth_service.authenticate(session=session, username="admin", password="admin passphrase 1", origin="t")
    assert admin.role.value == "admin" and admin.area_id is None


def test_init_prints_a_generated_password_once(engine, session, capsys, monkeypatch) -> None:
    monkeypatch.delenv("RINGFENCE_ADMIN_PASSWORD", raising=False)
    first = run_cli(["init"], capsys, monkeypatch)
    password = first.out.split("password: ")[1].split()[0]
    assert auth_service.authenticate(session=session, username="admin", password=password, origin="t")
    second = run_cli(["init"], capsys, monkeypatch)
    assert second.code == 0 and "password" not in second.out and password not in second.out
