"""Mounting the web pages on the app: sessions, templates, catalogs, static files, routes."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from ringfence.web import formats, i18n

SESSION_COOKIE = "ringfence_session"
SESSION_MAX_AGE = 12 * 3600


def web_routers() -> list:
    """The web app's page routers, in order; the placeholders come last so a real page wins."""
    from ringfence.web import views
    from ringfence.web.sections import (
        admin,
        cases,
        control,
        dashboard,
        economy,
        imports,
        isolation,
        monitoring,
        supplies,
        tasks,
    )

    sections = [dashboard.router, cases.router, control.router, supplies.router, isolation.router, monitoring.router,
                tasks.router, economy.router, imports.router, admin.router]
    return [views.router, *sections, views.placeholder_router()]


def mount_web(app: FastAPI) -> None:
    settings = app.state.settings
    package = resources.files("ringfence.web")
    app.state.templates = Jinja2Templates(directory=str(package / "templates"))
    formats.install(app.state.templates.env, settings.tz)
    app.state.catalogs = i18n.load_catalogs()
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        # behind TLS set RINGFENCE_SESSION_HTTPS_ONLY=true: the cookie then never travels in clear
        https_only=settings.session_https_only,
    )
    app.mount("/static", StaticFiles(directory=str(package / "static")), name="static")
    for router in web_routers():
        app.include_router(router)
