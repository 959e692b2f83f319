from __future__ import annotations

from sqlalchemy import select

from ringfence.core.audit import AuditEntry

NEW_USER = {"username": "wang.wu", "role": "community", "password": "another long passphrase", "area_id": "M2"}


def test_an_admin_creates_a_user_who_can_then_log_in(world) -> None:
    created = world.client.post("/api/users", json=NEW_USER, headers=world.headers("admin"))
    assert created.status_code == 201 and created.json()["area_id"] == "M2" and "password" not in created.json()
    token = world.client.post("/api/auth/token", data={"username": "wang.wu", "password": NEW_USER["password"]})
    assert token.status_code == 200


def test_creating_a_user_is_audited_with_the_admins_name(world, session) -> None:
    world.client.post("/api/users", json=NEW_USER, headers=world.headers("admin"))
    entry = session.scalars(select(AuditEntry).where(AuditEntry.subject == "user:wang.wu")).one()
    assert (entry.user, entry.action) == ("admin", "user.create")


def test_only_admins_manage_users(world) -> None:
    assert world.client.post("/api/users", json=NEW_USER, headers=world.headers("commander")).status_code == 403


def test_a_duplicate_username_is_a_409(world) -> None:
    duplicate = {**NEW_USER, "username": "district_a"}
    assert world.client.post("/api/users", json=duplicate, headers=world.headers("admin")).status_code == 409


def test_a_short_password_or_an_unknown_area_is_a_422(world) -> None:
    for body in ({**NEW_USER, "password": "short"}, {**NEW_USER, "area_id": "nowhere"}, {**NEW_USER, "role": "king"}):
        assert world.client.post("/api/users", json=body, headers=world.headers("admin")).status_code == 422


def test_the_user_list_is_paginated(world) -> None:
    body = world.client.get("/api/users", params={"size": 2}, headers=world.headers("admin")).json()
    assert (body["total"], len(body["items"]), body["items"][0]["username"]) == (6, 2, "admin")
