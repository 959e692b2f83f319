"""The app factory: REST API under /api (OpenAPI at /openapi.json) and the web pages."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from ringfence import __version__
from ringfence.config import Settings, get_settings
from ringfence.core.errors import RingfenceError


def api_router() -> APIRouter:
    """Every API router, under /api. Domains add theirs here."""
    from ringfence.api import audit
    from ringfence.areas import views as areas
    from ringfence.auth import views as auth
    from ringfence.people import views as people
    from ringfence.venues import views as venues

    router = APIRouter(prefix="/api")
    for domain_router in (
        auth.router, auth.users_router, people.router, areas.router, areas.buildings_router, venues.router,
        audit.router,
    ):
        router.include_router(domain_router)
    from ringfence.coinvestigation import views as coinvestigation
    from ringfence.enterprises import views as enterprises
    from ringfence.incidents import views as incidents
    from ringfence.notifications import views as notifications
    from ringfence.supervision import views as supervision
    from ringfence.tasks import views as tasks

    for command_router in (  # command and accountability
        tasks.router, enterprises.router, enterprises.tickets_router, supervision.router, incidents.router,
        coinvestigation.router, notifications.router,
    ):
        router.include_router(command_router)
    from ringfence.isolation import views as isolation
    from ringfence.supplies import views as supplies

    for control_router in (  # control: isolation and supplies
        isolation.facilities_router, isolation.placements_router, isolation.status_router, supplies.router,
    ):
        router.include_router(control_router)
    from ringfence.zones import views as zones

    for zones_router in (zones.router, zones.geojson_router):  # control: risk areas
        router.include_router(zones_router)
    from ringfence.testing import views as testing

    for screening_router in (testing.lab_router, testing.rounds_router, testing.router):  # screening
        router.include_router(screening_router)
    from ringfence.reports import views as reports
    from ringfence.surveillance import views as surveillance

    for monitoring_router in (surveillance.router, reports.situation_router, reports.reports_router):  # monitoring
        router.include_router(monitoring_router)
    from ringfence.cases import views as cases

    router.include_router(cases.router)  # tracing: cases, their contacts, the transmission graph
    return router


async def ringfence_error(request: Request, exc: Exception) -> JSONResponse:
    """Every RingfenceError becomes `{"detail": message}` with the status its class names."""
    assert isinstance(exc, RingfenceError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code, headers=headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app for `settings`; the store's engine is made on the first request, not here."""
    from ringfence.web.app import mount_web

    settings = settings or get_settings()
    app = FastAPI(
        title="Ringfence",
        version=__version__,
        description="Command platform for a city's epidemic response.",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = None
    # without a stored secret (no `init` yet) sessions last as long as this process
    app.state.secret_key = settings.secret_key or secrets.token_urlsafe(32)
    app.add_exception_handler(RingfenceError, ringfence_error)
    app.include_router(api_router())
    mount_web(app)
    return app
