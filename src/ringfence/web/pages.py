"""Rendering a page: who is visiting, in which language, with which navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from babel.support import NullTranslations
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ringfence.api.deps import DbSession, client_origin
from ringfence.auth import service as auth_service
from ringfence.auth.models import User
from ringfence.auth.rules import Language, Scope
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
