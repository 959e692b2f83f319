"""Users, passwords, login throttling, bearer tokens and the caller's scope. Never commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.auth import rules
from ringfence.auth.models import ApiToken, LoginFailure, User
from ringfence.auth.schemas import UserCreate
from ringfence.core import audit, clock
from ringfence.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, Throttled

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ORIGIN = 20
TOKEN_LIFETIME = timedelta(hours=12)
REFUSED = "wrong username or password"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # verified against when the username is unknown, so both answers take as long
    return _hasher().hash(secrets.token_urlsafe(16))


def get(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_username(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def get_all(*, session: Session, page: int = 1, size: int = 50) -> tuple[list[User], int]:
    """One page of users by name, and how many there are."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    query = select(User).order_by(User.username).offset((page - 1) * size).limit(size)
    return list(session.scalars(query)), total


def create(*, session: Session, user_in: UserCreate, actor: str, origin: str | None = None) -> User:
    """A new active user; refuses a taken name, a short password or an unknown area."""
    rules.check_password(user_in.password)
    rules.check_jurisdiction(user_in.role, user_in.area_id)
    if get_by_username(session=session, username=user_in.username) is not None:
        raise Conflict(f"user {user_in.username!r} already exists")
    if user_in.area_id is not None and session.get(Area, user_in.area_id) is None:
        raise InvalidInput(f"unknown area {user_in.area_id!r}")
    user = User(
        username=user_in.username,
        password_hash=_hasher().hash(user_in.password),
        role=user_in.role,
        area_id=user_in.area_id,
        unit_id=user_in.unit_id,
        language=user_in.language.value if user_in.language else None,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, user=actor, action="user.create", subject=f"user:{user.username}", origin=origin,
        detail=f"role={user.role.value} area={user.area_id or '-'}",
    )
    return user


def set_language(*, session: Session, user: User, language: rules.Language) -> User:
    user.language = language.value
    return user


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def _check_throttle(*, session: Session, username: str, origin: str) -> None:
    since = clock.now() - THROTTLE_WINDOW
    by_name = session.scalar(
        select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    ) or 0
    by_origin = session.scalar(
        select(func.count()).where(LoginFailure.origin == origin, LoginFailure.at >= since)
    ) or 0
    if by_name >= MAX_FAILURES_PER_USERNAME or by_origin >= MAX_FAILURES_PER_ORIGIN:
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        raise Throttled(f"too many failed logins; try again in {minutes} minutes")


def authenticate(*, session: Session, username: str, password: str, origin: str) -> User:
    """The user these credentials name; a refusal is recorded (the caller must keep it) and raised.

    Raises Throttled after too many recent failures for the username or from the origin,
    NotAuthenticated for a wrong username or password (never saying which).
    """
    # what a client sends is stored in LoginFailure: never control characters (PostgreSQL refuses NUL)
    username = _printable(username)[:80]
    origin = _printable(origin or "unknown")[:120]
    _check_throttle(session=session, username=username, origin=origin)
    user = get_by_username(session=session, username=username)
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash if user else _decoy_hash(), password)
        verified = user is not None and user.active
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        session.add(LoginFailure(username=username, origin=origin, at=clock.now()))
        session.flush()
        raise NotAuthenticated(REFUSED)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, session: Session, user: User, lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, ApiToken]:
    """A new opaque bearer token for `user`; only its sha256 is stored. Returns (token, its row)."""
    now = clock.now()
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.user_id, ApiToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_digest(token), user_id=user.user_id, created_at=now, expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return token, row


def user_for_token(*, session: Session, token: str) -> User:
    """The active user a live token belongs to; NotAuthenticated for an unknown or expired one."""
    if not token or len(token) > 200:
        raise NotAuthenticated("invalid or expired token")
    row = session.get(ApiToken, _digest(token))
    if row is None or row.expires_at <= clock.now():
        raise NotAuthenticated("invalid or expired token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("invalid or expired token")
    return user


def revoke_token(*, session: Session, token: str) -> bool:
    """Forget a token; True when it existed."""
    result = session.execute(delete(ApiToken).where(ApiToken.token_hash == _digest(token)))
    return bool(result.rowcount)


def scope_for(*, session: Session, user: User, origin: str | None = None) -> rules.Scope:
    """The user's scope: their area's path is the root of everything they may see."""
    subtree = None
    if user.area_id is not None:
        area = session.get(Area, user.area_id)
        if area is None:
            raise Forbidden("your account's jurisdiction no longer exists")
        subtree = area.path
    elif user.role in rules.TERRITORIAL_ROLES:
        raise Forbidden("your account has no jurisdiction")
    return rules.Scope(actor=user.username, role=user.role, subtree=subtree, origin=origin, unit_id=user.unit_id)
