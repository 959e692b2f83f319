from __future__ import annotations

from tests.api.conftest import PASSWORD


def log_in(client, username: str, password: str, origin_headers: dict | None = None):
    return client.post("/api/auth/token", data={"username": username, "password": password}, headers=origin_headers)


def test_the_password_flow_gives_a_bearer_token_that_works(world) -> None:
    response = log_in(world.client, "district_a", PASSWORD)
    assert response.status_code == 200 and response.json()["token_type"] == "bearer"
    me = world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["username"] == "district_a"


def test_a_wrong_password_is_a_401(world) -> None:
    response = log_in(world.client, "district_a", "not the password")
    assert response.status_code == 401 and response.json() == {"detail": "wrong username or password"}


def test_repeated_failures_for_a_username_are_throttled_with_a_429(world) -> None:
    statuses = [log_in(world.client, "district_a", "not the password").status_code for _ in range(5)]
    throttled = log_in(world.client, "district_a", PASSWORD)
    assert statuses == [401] * 5
    assert throttled.status_code == 429 and "too many failed logins" in throttled.json()["detail"]


def test_throttling_one_username_leaves_the_others_alone(world) -> None:
    for _ in range(5):
        log_in(world.client, "district_a", "not the password")
    assert log_in(world.client, "district_b", PASSWORD).status_code == 200


def test_repeated_failures_from_one_address_are_throttled(world) -> None:
    statuses = [log_in(world.client, f"guess{i}", "not the password").status_code for i in range(20)]
    assert statuses == [401] * 20
    assert log_in(world.client, "district_b", PASSWORD).status_code == 429


def test_a_login_without_the_form_fields_is_a_422(world) -> None:
    assert world.client.post("/api/auth/token", data={"username": "admin"}).status_code == 422


def test_revoking_a_token_logs_it_out(world) -> None:
    headers = world.headers("commander")
    assert world.client.delete("/api/auth/token", headers=headers).status_code == 204
    assert world.client.get("/api/auth/me", headers=headers).status_code == 401
