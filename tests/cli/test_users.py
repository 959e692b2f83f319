from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from tests.cli.cli_runner import run_cli
from tests.service.areas.small_city import build_small_city

from ringfence.auth import service as auth_service
from ringfence.core import audit


@pytest.fixture
def city(session, engine, monkeypatch):
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth_service, "_hasher", lambda: cheap)
    build_small_city(session)
    session.commit()


def test_users_add_creates_a_user_who_can_log_in(city, session, capsys, monkeypatch) -> None:
    outcome = run_cli(
        ["users", "add", "li.wei", "--role", "district", "--area", "D1", "--password-stdin", "--json"],
        capsys, monkeypatch, stdin="a long passphrase\n",
    )
    assert outcome.code == 0 and json.loads(outcome.out)["area_id"] == "D1"
    user = auth_service.authenticate(session=session, username="li.wei", password="a long passphrase", origin="t")
    assert (user.role.value, user.area_id) == ("district", "D1")
    assert [(e.action, e.subject, e.origin) for e in audit.entries(session)] == [("user.create", "user:li.wei", "cli")]


@pytest.mark.parametrize(("argv", "message"), [
    (["users", "add", "x", "--role", "king", "--password-stdin"], "unknown role 'king'"),
    (["users", "add", "x", "--role", "district", "--area", "D9", "--password-stdin"], "unknown area 'D9'"),
    (["users", "add", "x", "--role", "district", "--password-stdin"], "needs an area"),
    (["users", "add", "x", "--role", "lab"], "--password-stdin"),
])
def test_bad_input_exits_2_with_one_line(city, capsys, monkeypatch, argv, message) -> None:
    outcome = run_cli(argv, capsys, monkeypatch, stdin="a long passphrase\n")
    assert outcome.code == 2 and message in outcome.err and len(outcome.err.strip().splitlines()) == 1


def test_a_duplicate_username_exits_2(city, capsys, monkeypatch) -> None:
    argv = ["users", "add", "li.wei", "--role", "commander", "--password-stdin"]
    assert run_cli(argv, capsys, monkeypatch, stdin="a long passphrase\n").code == 0
    outcome = run_cli(argv, capsys, monkeypatch, stdin="another passphrase\n")
    assert outcome.code == 2 and "already exists" in outcome.err


def test_a_short_password_exits_2_and_creates_nobody(city, session, capsys, monkeypatch) -> None:
    outcome = run_cli(["users", "add", "li.wei", "--role", "commander", "--password-stdin"], capsys, monkeypatch, stdin="short\n")
    assert outcome.code == 2 and "at least 10" in outcome.err
    assert auth_service.get_by_username(session=session, username="li.wei") is None
