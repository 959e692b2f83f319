from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from ringfence.api.app import create_app
from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate

PASSWORD = "a long passphrase"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def client(settings, engine, session, monkeypatch) -> Iterator[TestClient]:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth_service, "_hasher", lambda: cheap)
    for username, role in (("hq", Role.commander), ("it", Role.admin), ("tester", Role.lab)):
        auth_service.create(session=session, user_in=UserCreate(username=username, role=role, password=PASSWORD), actor="t")
    session.commit()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client: TestClient, username: str = "hq", password: str = PASSWORD, headers: dict | None = None):
    token = csrf_of(client.get("/login", headers=headers).text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, headers=headers,
        follow_redirects=False,
    )


def test_the_login_page_speaks_chinese_to_a_chinese_browser(client) -> None:
    page = client.get("/login", headers=ZH).text
    assert '<html lang="zh-CN">' in page and "登录" in page and "用户名" in page and "Username" not in page


def test_the_login_page_speaks_english_to_other_browsers(client) -> None:
    page = client.get("/login", headers=EN).text
    assert '<html lang="en">' in page and "Username" in page and "用户名" not in page


def test_the_login_form_is_accessible(client) -> None:
    page = client.get("/login", headers=EN).text
    assert '<label for="username">' in page and '<label for="password">' in page
    assert 'class="skip-link" href="#main"' in page and '<main id="main"' in page


def test_the_dashboard_sends_a_visitor_who_is_not_logged_in_to_the_login_page(client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_logging_in_through_the_form_opens_the_dashboard(client) -> None:
    response = log_in(client, headers=EN)
    assert response.status_code == 303 and response.headers["location"] == "/"
    dashboard = client.get("/", headers=EN)
    assert dashboard.status_code == 200 and "<h1>Dashboard</h1>" in dashboard.text and "hq" in dashboard.text


def test_the_session_cookie_is_http_only_and_same_site_lax(client) -> None:
    cookie = log_in(client).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_a_wrong_password_shows_the_form_again_with_an_error(client) -> None:
    response = log_in(client, password="not the password", headers=EN)
    assert response.status_code == 401 and "Wrong username or password." in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_login_post_without_the_csrf_token_is_refused(client) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "hq", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_failed_logins_through_the_form_are_throttled(client) -> None:
    for _ in range(5):
        log_in(client, password="not the password")
    response = log_in(client, headers=EN)
    assert response.status_code == 429 and "Too many failed sign-ins" in response.text


def test_the_navigation_follows_the_role(client) -> None:
    log_in(client, "it")
    admin_nav = client.get("/", headers=EN).text
    assert 'href="/users"' in admin_nav and 'href="/audit"' in admin_nav and 'href="/cases"' not in admin_nav
    assert client.get("/cases", headers=EN).status_code == 403
    assert client.get("/users", headers=EN).status_code == 200


def test_the_commander_sees_the_command_sections(client) -> None:
    log_in(client, "hq")
    nav = client.get("/", headers=EN).text
    assert all(f'href="/{s}"' in nav for s in ("cases", "zones", "tasks", "audit")) and 'href="/users"' not in nav


def test_switching_the_language_changes_the_text_and_sticks_to_the_account(client) -> None:
    log_in(client, headers=EN)
    page = client.get("/", headers=EN).text
    assert "<h1>Dashboard</h1>" in page
    switched = client.post(
        "/language", data={"language": "zh_CN", "csrf_token": csrf_of(page), "next": "/"}, follow_redirects=False
    )
    assert switched.status_code == 303
    client.cookies.clear()  # the account remembers it, not only this browser
    log_in(client, headers=EN)
    assert "<h1>指挥看板</h1>" in client.get("/", headers=EN).text


def test_a_language_cookie_beats_the_browser_header(client) -> None:
    token = csrf_of(client.get("/login", headers=EN).text)
    client.post("/language", data={"language": "zh_CN", "csrf_token": token, "next": "/login"})
    assert "用户名" in client.get("/login", headers=EN).text


def test_logging_out_ends_the_session(client) -> None:
    log_in(client)
    token = csrf_of(client.get("/").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_login_never_redirects_to_another_site(client) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "hq", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_htmx_is_served_from_the_app_itself(client) -> None:
    page = client.get("/login").text
    assert '<script src="/static/vendor/htmx/htmx.min.js"' in page and "https://" not in page
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
