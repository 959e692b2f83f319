"""Wiring: every ORM model imported once so the metadata is complete (Alembic, tests, init)."""

from ringfence.areas.models import Area, Building  # noqa: F401
from ringfence.auth.models import ApiToken, LoginFailure, User  # noqa: F401
from ringfence.cases.models import Case  # noqa: F401
from ringfence.coinvestigation.models import CoInvestigation  # noqa: F401
from ringfence.core.audit import AuditEntry  # noqa: F401
from ringfence.core.db import Base
from ringfence.core.timeline import TimelineEntry  # noqa: F401
from ringfence.enterprises.models import Enterprise, HelpTicket, Project, WhitelistApplication  # noqa: F401
from ringfence.imports.models import ImportBatch  # noqa: F401
from ringfence.incidents.models import Incident, IncidentLink, IncidentMember  # noqa: F401
from ringfence.isolation.models import Facility, Placement, Room  # noqa: F401
from ringfence.notifications.models import Notification, Recipient  # noqa: F401
from ringfence.people.models import Person  # noqa: F401
from ringfence.supervision.models import Finding, Inspection  # noqa: F401
from ringfence.supplies.models import StockMovement, SupplyItem, Warehouse  # noqa: F401
from ringfence.tasks.models import Task  # noqa: F401
from ringfence.testing.models import Arrival, ScreeningRound  # noqa: F401
from ringfence.tracing.models import ContactRecord  # noqa: F401
from ringfence.venues.models import Venue  # noqa: F401
from ringfence.zones.models import Zone  # noqa: F401

metadata = Base.metadata


def engine(settings=None):
    """The relational store's engine for the current settings (made on first use, then cached)."""
    from ringfence.config import get_settings
    from ringfence.core.db import engine_for

    settings = settings or get_settings()
    if settings.database_url is None:
        settings.home.mkdir(parents=True, exist_ok=True)
    return engine_for(settings.resolved_database_url)
