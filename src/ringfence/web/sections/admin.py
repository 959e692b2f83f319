"""Administration: users (list, add with server-side checks) and the audit log (search, pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ringfence.api.deps import DbSession
from ringfence.auth import service as auth_service
from ringfence.auth.rules import Permission, Role
from ringfence.auth.schemas import UserCreate
from ringfence.core import audit
from ringfence.core.errors import RingfenceError
from ringfence.web import security
from ringfence.web.pages import (
    ROLE_LABELS,
    CurrentVisitor,
    Visitor,
    gettext_of,
    is_htmx,
    pager,
    refuse,
    render,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


def _users_page(request: Request, session, visitor: Visitor, page: int, *, status_code: int = 200,
                **context) -> Response:
    _ = gettext_of(request, visitor)
    users, total = auth_service.get_all(session=session, page=page, size=PAGE_SIZE)
    roles = [(r.value, _(ROLE_LABELS[r.value])) for r in Role]
    template = "sections/users_body.html" if is_htmx(request) else "sections/users.html"
    return render(request, visitor, template, status_code=status_code, current="users", users=users, roles=roles,
                  role_labels={r: _(label) for r, label in ROLE_LABELS.items()},
                  pager=pager(request, page, PAGE_SIZE, total), **context)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, visitor: CurrentVisitor,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    if (refused := refuse(request, visitor, Permission.USER_ADMIN, current="users")) is not None:
        return refused
    return _users_page(request, session, visitor, page)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    username: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    area_id: Annotated[str, Form(max_length=200)] = "",
    unit_id: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Create a user; a refusal shows the form again with each problem next to the form."""
    if (refused := refuse(request, visitor, Permission.USER_ADMIN, current="users")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    entered = {"username": username, "role": role, "area_id": area_id, "unit_id": unit_id}
    if not security.csrf_valid(request, csrf_token):
        return _users_page(request, session, visitor, 1, status_code=403, entered=entered,
                           errors=[_("Your form expired. Reload the page and try again.")])
    try:
        user_in = UserCreate(username=username.strip(), role=role, password=password,
                             area_id=area_id.strip() or None, unit_id=unit_id.strip() or None)
    except ValidationError as invalid:
        errors = [f"{_(str(e['loc'][0]))}: {e['msg']}" for e in invalid.errors()]
        return _users_page(request, session, visitor, 1, status_code=422, entered=entered, errors=errors)
    try:
        user = auth_service.create(session=session, user_in=user_in, actor=visitor.scope.actor,
                                   origin=visitor.scope.origin)
    except RingfenceError as refusal:
        return _users_page(request, session, visitor, 1, status_code=refusal.status_code, entered=entered,
                           errors=[str(refusal)])
    return _users_page(request, session, visitor, 1, created=user.username)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    user: Text = None, action: Text = None, subject: Text = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.AUDIT_READ, current="audit")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    errors, since_at = [], None
    if since:
        try:
            since_at = datetime.fromisoformat(since)
            if since_at.tzinfo is None:
                since_at = since_at.replace(tzinfo=request.app.state.settings.tz)
        except ValueError:
            errors.append(_("Since: give a date or time like 2022-10-20 or 2022-10-20T08:00."))
    entries, total = audit.search(session, since=since_at, user=user or None, action=action or None,
                                  subject=subject or None, page=page, size=PAGE_SIZE)
    template = "sections/audit_rows.html" if is_htmx(request) else "sections/audit.html"
    return render(request, visitor, template, current="audit", entries=entries, errors=errors,
                  pager=pager(request, page, PAGE_SIZE, total),
                  filters={"user": user or "", "action": action or "", "subject": subject or "", "since": since or ""})
