"""An app on the test's store, with the small city and one user (and bearer token) per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from tests.service.areas.small_city import build_small_city

from ringfence.api.app import create_app
from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate

PASSWORD = "a long passphrase"

# username: (role, area)
ACCOUNTS = {
    "district_a": (Role.district, "D1"),
    "district_b": (Role.district, "D2"),
    "commander": (Role.commander, None),
    "analyst": (Role.analyst, None),
    "admin": (Role.admin, None),
    "lab": (Role.lab, None),
}


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str]

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def get(self, path: str, who: str | None, **params):
        return self.client.get(path, headers=self.headers(who), params=params or None)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its minimum cost: the API tests make many users; the hashing itself is tested in service/auth."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth_service, "_hasher", lambda: cheap)


@pytest.fixture
def app(settings, engine):
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(session, client) -> World:
    build_small_city(session)
    tokens = {}
    for username, (role, area_id) in ACCOUNTS.items():
        user = auth_service.create(
            session=session, user_in=UserCreate(username=username, role=role, password=PASSWORD, area_id=area_id),
            actor="fixture",
        )
        tokens[username], _row = auth_service.issue_token(session=session, user=user)
    session.commit()
    return World(client=client, tokens=tokens)
