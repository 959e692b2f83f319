"""Web sessions: who is logged in, and the CSRF token every form post and htmx request carries."""

from __future__ import annotations

import secrets

from fastapi import Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    """This browser session's token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    """Whether a post carries the session's token (in the form, or the htmx header)."""
    expected = request.session.get("csrf")
    offered = submitted or request.headers.get(CSRF_HEADER)
    return bool(expected and offered) and secrets.compare_digest(str(expected), str(offered))


def log_in(request: Request, user_id: int) -> None:
    """A fresh session (and CSRF token) for the user, so a session fixed before login is useless."""
    request.session.clear()
    request.session["user_id"] = user_id
    request.session["csrf"] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def session_user_id(request: Request) -> int | None:
    value = request.session.get("user_id")
    return value if isinstance(value, int) else None


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site (never another host: no open redirect), else `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
