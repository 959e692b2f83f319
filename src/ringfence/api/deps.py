"""What API views depend on: the request's transaction, the caller, their permissions and scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ringfence.auth import service as auth_service
from ringfence.auth.models import User
from ringfence.auth.rules import Permission, Scope
from ringfence.core.db import transaction
from ringfence.core.errors import Forbidden, NotAuthenticated

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def engine_of(app: FastAPI) -> Engine:
    """The app's store engine, made on first use from the app's settings."""
    if app.state.engine is None:
        from ringfence.bootstrap import engine

        app.state.engine = engine(app.state.settings)
    return app.state.engine


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back when it raises."""
    with transaction(engine_of(request.app)) as session:
        yield session


# scope="function": the commit happens before the response leaves, so a client that got 200 sees its write
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def client_origin(request: Request) -> str:
    """The caller's address, as the audit log and the login throttle name it."""
    return request.client.host if request.client else "unknown"


def current_user(session: DbSession, token: Annotated[str | None, Depends(bearer)]) -> User:
    """The user of the bearer token; 401 without one, or with an unknown or expired one."""
    if not token:
        raise NotAuthenticated("not authenticated")
    return auth_service.user_for_token(session=session, token=token)


CurrentUser = Annotated[User, Depends(current_user)]


def current_scope(request: Request, session: DbSession, user: CurrentUser) -> Scope:
    return auth_service.scope_for(session=session, user=user, origin=client_origin(request))


CurrentScope = Annotated[Scope, Depends(current_scope)]


def require(permission: Permission) -> Callable[..., User]:
    """A dependency answering the current user, or 403 when their role lacks `permission`."""

    def permitted_user(scope: CurrentScope, user: CurrentUser) -> User:
        if not scope.can(permission):
            raise Forbidden(f"your role may not do this ({permission.value})")
        return user

    return permitted_user


def scoped(permission: Permission) -> Callable[..., Scope]:
    """A dependency answering the current user's scope, or 403 when their role lacks `permission`."""

    def permitted_scope(scope: CurrentScope) -> Scope:
        if not scope.can(permission):
            raise Forbidden(f"your role may not do this ({permission.value})")
        return scope

    return permitted_scope
