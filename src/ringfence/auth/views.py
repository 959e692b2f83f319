"""`/api/auth` (tokens) and `/api/users` (accounts, for admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from ringfence.api.deps import CurrentUser, DbSession, bearer, client_origin, require
from ringfence.api.params import Page, Paging
from ringfence.auth import service as auth_service
from ringfence.auth.models import User
from ringfence.auth.rules import Permission
from ringfence.auth.schemas import TokenRead, UserCreate, UserRead
from ringfence.core.errors import NotAuthenticated

router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

Admin = Annotated[User, Depends(require(Permission.USER_ADMIN))]


@router.post(
    "/token",
    response_model=TokenRead,
    responses={401: {"description": "wrong username or password"}, 429: {"description": "throttled"}},
)
def issue_token(
    request: Request, session: DbSession, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenRead | JSONResponse:
    """Trade a username and password for a bearer token (OAuth2 password flow)."""
    try:
        user = auth_service.authenticate(
            session=session, username=form.username, password=form.password, origin=client_origin(request)
        )
    except NotAuthenticated as exc:
        # an answer, not an error: the failure just recorded must be committed for the throttle to count it
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    token, row = auth_service.issue_token(session=session, user=user)
    return TokenRead(access_token=token, expires_at=row.expires_at)


@router.delete("/token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(session: DbSession, user: CurrentUser, token: Annotated[str | None, Depends(bearer)]) -> Response:
    """Log out: the bearer token used for this request stops working."""
    auth_service.revoke_token(session=session, token=token or "")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserRead)
def who_am_i(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@users_router.get("", response_model=Page[UserRead])
def list_users(session: DbSession, admin: Admin, paging: Paging) -> Page[UserRead]:
    users, total = auth_service.get_all(session=session, page=paging.page, size=paging.size)
    return Page.of([UserRead.model_validate(u) for u in users], total, paging)


@users_router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(request: Request, session: DbSession, admin: Admin, user_in: UserCreate) -> UserRead:
    user = auth_service.create(
        session=session, user_in=user_in, actor=admin.username, origin=client_origin(request)
    )
    return UserRead.model_validate(user)
