"""The page shell: login, logout, language switch, and placeholder sections (the dashboard: sections/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ringfence.api.deps import DbSession, client_origin
from ringfence.auth import service as auth_service
from ringfence.core.errors import NotAuthenticated, Throttled
from ringfence.web import i18n, navigation, security
from ringfence.web.pages import CurrentVisitor, render, translations

router = APIRouter(include_in_schema=False)

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, visitor: CurrentVisitor, next: str | None = None) -> Response:
    if visitor.user is not None:
        return RedirectResponse(security.local_path(next), status_code=303)
    return render(request, visitor, "login.html", next=security.local_path(next))


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    session: DbSession,
    visitor: CurrentVisitor,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Check the credentials; a refusal re-renders the form (its recorded failure is committed)."""
    _ = translations(request, visitor.language).gettext
    target = security.local_path(next)
    if not security.csrf_valid(request, csrf_token):
        return render(
            request, visitor, "login.html", status_code=403, next=target,
            error=_("Your form expired. Please sign in again."),
        )
    try:
        user = auth_service.authenticate(
            session=session, username=username, password=password, origin=client_origin(request)
        )
    except Throttled:
        return render(
            request, visitor, "login.html", status_code=429, next=target, username=username,
            error=_("Too many failed sign-ins. Please try again later."),
        )
    except NotAuthenticated:
        return render(
            request, visitor, "login.html", status_code=401, next=target, username=username,
            error=_("Wrong username or password."),
        )
    security.log_in(request, user.user_id)
    response = RedirectResponse(target, status_code=303)
    if user.language:  # the account's own language follows it to every browser
        response.set_cookie(i18n.LANGUAGE_COOKIE, user.language, max_age=LANGUAGE_COOKIE_AGE, samesite="lax")
    return response


@router.post("/logout")
def log_out(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    if security.csrf_valid(request, csrf_token):
        security.log_out(request)
    return to_login(request)


@router.post("/language")
def switch_language(
    request: Request,
    session: DbSession,
    visitor: CurrentVisitor,
    language: Annotated[str, Form(max_length=10)],
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Remember the chosen language: on the account when logged in, and in a cookie."""
    chosen = i18n.parse_language(language)
    response = RedirectResponse(security.local_path(next), status_code=303)
    if chosen is None or not security.csrf_valid(request, csrf_token):
        return response
    if visitor.user is not None:
        auth_service.set_language(session=session, user=visitor.user, language=chosen)
    response.set_cookie(i18n.LANGUAGE_COOKIE, chosen.value, max_age=LANGUAGE_COOKIE_AGE, samesite="lax")
    return response


def placeholder_router() -> APIRouter:
    """A "not built yet" page for each section in navigation.PLACEHOLDERS (registered after real pages)."""
    placeholders = APIRouter(include_in_schema=False)

    def page_for(slug: str):
        def placeholder(request: Request, visitor: CurrentVisitor) -> Response:
            if visitor.user is None:
                return RedirectResponse(f"/login?next=/{slug}", status_code=303)
            section = navigation.section(slug)
            allowed = section is not None and visitor.scope is not None and section.visible_to(visitor.scope)
            return render(
                request, visitor, "placeholder.html", status_code=200 if allowed else 403,
                current=slug, section=section, allowed=allowed,
            )

        return placeholder

    for slug in sorted(navigation.PLACEHOLDERS):
        placeholders.add_api_route(f"/{slug}", page_for(slug), methods=["GET"], response_class=HTMLResponse)
    return placeholders
