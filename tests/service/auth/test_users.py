from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from tests.service.areas.small_city import build_small_city

from ringfence.auth import service as auth_service
from ringfence.auth.models import ApiToken, LoginFailure
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.core import audit, clock
from ringfence.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, Throttled

PASSWORD = "a long passphrase"


def add_user(session, username: str = "li.wei", role: Role = Role.commander, area_id: str | None = None):
    return auth_service.create(
        session=session, user_in=UserCreate(username=username, role=role, password=PASSWORD, area_id=area_id),
        actor="tester",
    )


def test_it_stores_an_argon2_hash_never_the_password(session) -> None:
    user = add_user(session)
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash


def test_creating_a_user_is_audited(session) -> None:
    add_user(session, "zhang.san")
    assert [(e.user, e.action, e.subject) for e in audit.entries(session)] == [("tester", "user.create", "user:zhang.san")]


def test_it_refuses_a_taken_username(session) -> None:
    add_user(session)
    with pytest.raises(Conflict, match="already exists"):
        add_user(session)


def test_it_refuses_an_unknown_area(session) -> None:
    with pytest.raises(InvalidInput, match="unknown area"):
        add_user(session, role=Role.district, area_id="nowhere")


def test_it_refuses_a_territorial_user_without_an_area(session) -> None:
    with pytest.raises(InvalidInput, match="needs an area"):
        add_user(session, role=Role.community)


def test_it_refuses_a_short_password(session) -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        auth_service.create(
            session=session, user_in=UserCreate(username="x", role=Role.lab, password="123456789"), actor="t"
        )


def test_it_authenticates_the_right_password(session) -> None:
    user = add_user(session)
    assert auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.1") is user


@pytest.mark.parametrize(("username", "password"), [("li.wei", "wrong password!"), ("nobody", PASSWORD)])
def test_it_refuses_wrong_credentials_without_saying_which_part_was_wrong(session, username, password) -> None:
    add_user(session)
    with pytest.raises(NotAuthenticated) as refused:
        auth_service.authenticate(session=session, username=username, password=password, origin="10.0.0.1")
    assert str(refused.value) == "wrong username or password"
    assert session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username)) == 1


def test_it_throttles_a_username_after_five_failures_even_with_the_right_password(session) -> None:
    add_user(session)
    for attempt in range(5):
        with pytest.raises(NotAuthenticated):
            auth_service.authenticate(session=session, username="li.wei", password="wrong password!", origin=f"10.0.0.{attempt}")
    with pytest.raises(Throttled):
        auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.9.9.9")


def test_it_throttles_an_address_after_twenty_failures_across_usernames(session) -> None:
    add_user(session)
    for attempt in range(20):
        session.add(LoginFailure(username=f"guess{attempt}", origin="10.6.6.6", at=clock.now()))
    session.flush()
    with pytest.raises(Throttled):
        auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.6.6.6")
    assert auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.7")


def test_failures_older_than_the_window_do_not_count(session) -> None:
    add_user(session)
    old = clock.now() - auth_service.THROTTLE_WINDOW - timedelta(minutes=1)
    session.add_all([LoginFailure(username="li.wei", origin="10.0.0.1", at=old) for _ in range(10)])
    session.flush()
    assert auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.1")


def test_a_successful_login_clears_the_usernames_failures(session) -> None:
    add_user(session)
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            auth_service.authenticate(session=session, username="li.wei", password="wrong password!", origin="10.0.0.1")
    auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.1")
    with pytest.raises(NotAuthenticated):
        auth_service.authenticate(session=session, username="li.wei", password="wrong password!", origin="10.0.0.1")
    assert auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.1")


def test_it_rehashes_a_password_hashed_with_outdated_parameters(session) -> None:
    user = add_user(session)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    session.flush()
    auth_service.authenticate(session=session, username="li.wei", password=PASSWORD, origin="10.0.0.1")
    assert not PasswordHasher().check_needs_rehash(user.password_hash)


def test_a_token_names_its_user_and_only_its_digest_is_stored(session) -> None:
    user = add_user(session)
    token, row = auth_service.issue_token(session=session, user=user)
    assert auth_service.user_for_token(session=session, token=token) is user
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [row.token_hash] and token not in stored and len(row.token_hash) == 64


def test_an_expired_token_is_refused(session) -> None:
    user = add_user(session)
    token, _row = auth_service.issue_token(session=session, user=user, lifetime=timedelta(seconds=-1))
    with pytest.raises(NotAuthenticated):
        auth_service.user_for_token(session=session, token=token)


def test_a_revoked_token_is_refused(session) -> None:
    user = add_user(session)
    token, _row = auth_service.issue_token(session=session, user=user)
    assert auth_service.revoke_token(session=session, token=token)
    with pytest.raises(NotAuthenticated):
        auth_service.user_for_token(session=session, token=token)


def test_a_deactivated_users_token_is_refused(session) -> None:
    user = add_user(session)
    token, _row = auth_service.issue_token(session=session, user=user)
    user.active = False
    session.flush()
    with pytest.raises(NotAuthenticated):
        auth_service.user_for_token(session=session, token=token)


def test_a_users_scope_is_rooted_at_their_areas_path(session) -> None:
    build_small_city(session)
    user = add_user(session, role=Role.district, area_id="D1")
    scope = auth_service.scope_for(session=session, user=user, origin="10.0.0.1")
    assert (scope.subtree, scope.actor, scope.origin) == ("/C/D1/", "li.wei", "10.0.0.1")


def test_a_city_level_user_without_an_area_sees_the_whole_city(session) -> None:
    assert auth_service.scope_for(session=session, user=add_user(session)).everywhere


def test_a_territorial_user_that_lost_their_area_sees_nothing(session) -> None:
    build_small_city(session)
    user = add_user(session, role=Role.district, area_id="D1")
    user.area_id = None
    with pytest.raises(Forbidden):
        auth_service.scope_for(session=session, user=user)
