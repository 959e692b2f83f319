"""Rendering a page: who is visiting, in which language, with which navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from babel.support import NullTranslations
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ringfence.api.deps import DbSession, client_origin
from ringfence.auth import service as auth_service
from ringfence.auth.models import User
from ringfence.auth.rules import Language, Permission, Scope
from ringfence.core.errors import Forbidden
from ringfence.web import i18n, navigation, security

ROLE_LABELS = {
    "commander": "Commander", "analyst": "Epidemiologist", "district": "District", "subdistrict": "Subdistrict",
    "community": "Community", "lab": "Laboratory", "isolation": "Isolation facility", "sentinel": "Sentinel",
    "enterprise": "Enterprise", "admin": "Administrator",
}


@dataclass
class Visitor:
    """The browser at the other end: a user (or nobody yet) and the language they read."""

    user: User | None
    scope: Scope | None
    language: Language


def visitor(request: Request, session: DbSession) -> Visitor:
    user = None
    if (user_id := security.session_user_id(request)) is not None:
        user = auth_service.get(session=session, user_id=user_id)
        if user is None or not user.active:
            security.log_out(request)
            user = None
    scope = None
    if user is not None:
        try:
            scope = auth_service.scope_for(session=session, user=user, origin=client_origin(request))
        except Forbidden:
            security.log_out(request)
            user = None
    language = i18n.request_language(
        user_language=user.language if user else None,
        cookie=request.cookies.get(i18n.LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return Visitor(user=user, scope=scope, language=language)


CurrentVisitor = Annotated[Visitor, Depends(visitor)]


def translations(request: Request, language: Language) -> NullTranslations:
    return request.app.state.catalogs[language]


def render(
    request: Request, visitor: Visitor, template: str, *, status_code: int = 200, current: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template in the visitor's language, inside the base layout's navigation."""
    catalog = translations(request, visitor.language)
    templates: Jinja2Templates = request.app.state.templates
    sections = navigation.sections_for(visitor.scope) if visitor.scope else []
    return templates.TemplateResponse(
        request,
        template,
        {
            "_": catalog.gettext,
            "language": visitor.language.value,
            "html_lang": i18n.html_lang(visitor.language),
            "languages": [(Language.zh_CN.value, "中文"), (Language.en.value, "English")],
            "user": visitor.user,
            "role_label": catalog.gettext(ROLE_LABELS[visitor.user.role.value]) if visitor.user else None,
            "sections": sections,
            "current": current,
            "csrf_token": security.csrf_token(request),
            "csrf_field": security.CSRF_FIELD,
            "csrf_header": security.CSRF_HEADER,
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def is_htmx(request: Request) -> bool:
    """Whether htmx asked for a fragment (a boosted navigation wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def refuse(request: Request, visitor: Visitor, *needs: Permission, current: str | None = None) -> Response | None:
    """None when the visitor may open the page; else the login redirect (nobody) or the 403 page.

    A visitor holding any one of `needs` may enter (none given: every logged-in user).
    """
    if visitor.user is None or visitor.scope is None:
        target = security.local_path(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        login = "/login" if target == "/" else f"/login?next={quote(target, safe='/')}"
        return RedirectResponse(login, status_code=303)
    if needs and not any(visitor.scope.can(p) for p in needs):
        section = navigation.section(current) if current else None
        return render(request, visitor, "placeholder.html", status_code=403, current=current, section=section,
                      allowed=False)
    return None


def gettext_of(request: Request, visitor: Visitor):
    return translations(request, visitor.language).gettext


@dataclass(frozen=True)
class Pager:
    """Where a list stands: this page, its size, how many in all; links keep the other filters."""

    page: int
    size: int
    total: int
    query: dict[str, str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, page: int) -> str:
        from urllib.parse import urlencode

        return "?" + urlencode({**{k: v for k, v in self.query.items() if v not in (None, "")}, "page": page})


def pager(request: Request, page: int, size: int, total: int) -> Pager:
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return Pager(page=page, size=size, total=total, query=query)


def missing(request: Request, visitor: Visitor, *, current: str | None = None) -> HTMLResponse:
    """The 404 page: a record that does not exist, or lies outside the jurisdiction (never told apart)."""
    return render(request, visitor, "placeholder.html", status_code=404, current=current, section=None, allowed=False,
                  not_found=True)
