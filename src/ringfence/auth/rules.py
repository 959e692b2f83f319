"""Roles, permissions, jurisdictions and masking (DESIGN.md section 1): pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ringfence.core.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10


class Role(StrEnum):
    commander = "commander"
    analyst = "analyst"
    district = "district"
    subdistrict = "subdistrict"
    community = "community"
    lab = "lab"
    isolation = "isolation"
    sentinel = "sentinel"
    enterprise = "enterprise"
    admin = "admin"


class Language(StrEnum):
    zh_CN = "zh_CN"
    en = "en"


class Permission(StrEnum):
    PERSON_READ = "person.read"
    PERSON_READ_IDENTIFIERS = "person.read_identifiers"  # unmasked ID and phone numbers
    PERSON_WRITE = "person.write"
    AREA_READ = "area.read"
    VENUE_READ = "venue.read"
    DASHBOARD_READ = "dashboard.read"
    CASE_READ = "case.read"
    CASE_EDIT = "case.edit"
    TRACE_RUN = "trace.run"
    ANALYTICS_RUN = "analytics.run"
    ZONE_READ = "zone.read"
    ZONE_APPROVE = "zone.approve"
    SCREENING_READ = "screening.read"
    ISOLATION_READ = "isolation.read"
    ISOLATION_EDIT = "isolation.edit"
    SUPPLY_READ = "supply.read"
    SUPPLY_EDIT = "supply.edit"
    SENTINEL_READ = "sentinel.read"
    SENTINEL_REPORT = "sentinel.report"
    TASK_READ = "task.read"
    TASK_EDIT = "task.edit"
    ENTERPRISE_READ = "enterprise.read"
    ENTERPRISE_EDIT = "enterprise.edit"
    ENTERPRISE_APPROVE = "enterprise.approve"  # whitelist decisions
    SUPERVISION_READ = "supervision.read"
    SUPERVISION_EDIT = "supervision.edit"  # record inspections and findings
    INCIDENT_READ = "incident.read"
    INCIDENT_EDIT = "incident.edit"
    COINVESTIGATION_READ = "coinvestigation.read"
    COINVESTIGATION_EDIT = "coinvestigation.edit"
    NOTIFICATION_ADMIN = "notification.admin"  # who is notified at which address
    IMPORT_REGISTERS = "import.registers"  # areas, buildings, people, venues, facilities, enterprises
    IMPORT_EVENTS = "import.events"  # scans, locations, cases, arrivals
    IMPORT_LAB = "import.lab"  # samples, tube results
    IMPORT_SENTINEL = "import.sentinel"
    AUDIT_READ = "audit.read"
    USER_ADMIN = "user.admin"
    CONFIG_EDIT = "config.edit"


P = Permission
_TERRITORIAL = frozenset({
    P.PERSON_READ, P.PERSON_READ_IDENTIFIERS, P.PERSON_WRITE, P.AREA_READ, P.VENUE_READ, P.DASHBOARD_READ,
    P.CASE_READ, P.ZONE_READ, P.SCREENING_READ, P.ISOLATION_READ, P.SUPPLY_READ, P.SUPPLY_EDIT,
    P.TASK_READ, P.TASK_EDIT, P.ENTERPRISE_READ,
})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # headquarters reads everything but has no need to call people: identifiers stay masked
    Role.commander: frozenset({
        P.PERSON_READ, P.AREA_READ, P.VENUE_READ, P.DASHBOARD_READ, P.CASE_READ, P.ZONE_READ,
        P.ZONE_APPROVE, P.SCREENING_READ, P.ISOLATION_READ, P.SUPPLY_READ, P.SENTINEL_READ, P.TASK_READ,
        P.ENTERPRISE_READ, P.AUDIT_READ,
    }),
    # epidemiologists phone cases and contacts while tracing: they need the identifiers
    Role.analyst: frozenset({
        P.PERSON_READ, P.PERSON_READ_IDENTIFIERS, P.PERSON_WRITE, P.AREA_READ, P.VENUE_READ,
        P.DASHBOARD_READ, P.CASE_READ, P.CASE_EDIT, P.TRACE_RUN, P.ANALYTICS_RUN, P.ZONE_READ,
        P.SCREENING_READ, P.ISOLATION_READ, P.SENTINEL_READ, P.TASK_READ, P.IMPORT_EVENTS,
    }),
    # territorial staff knock on doors: identifiers of their own subtree only
    Role.district: _TERRITORIAL,
    Role.subdistrict: _TERRITORIAL,
    Role.community: _TERRITORIAL,
    Role.lab: frozenset({P.SCREENING_READ, P.IMPORT_LAB}),
    Role.isolation: frozenset({P.ISOLATION_READ, P.ISOLATION_EDIT}),
    Role.sentinel: frozenset({P.SENTINEL_REPORT, P.IMPORT_SENTINEL}),
    Role.enterprise: frozenset({P.ENTERPRISE_READ, P.ENTERPRISE_EDIT}),
    # IT: users, configuration, imports and aggregate figures; no personal records by default
    Role.admin: frozenset({
        P.AREA_READ, P.VENUE_READ, P.DASHBOARD_READ, P.AUDIT_READ, P.USER_ADMIN, P.CONFIG_EDIT,
        P.IMPORT_REGISTERS, P.IMPORT_EVENTS, P.IMPORT_LAB, P.IMPORT_SENTINEL,
    }),
}

# command and accountability: inspections, incidents, co-investigation requests, whitelist decisions.
# Territorial staff read them all and answer requests; districts and subdistricts send inspection
# teams; districts (and CDC analysts) run incidents; districts and headquarters approve whitelists.
_COMMAND_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.commander: frozenset({
        P.ENTERPRISE_APPROVE, P.SUPERVISION_READ, P.INCIDENT_READ, P.COINVESTIGATION_READ, P.NOTIFICATION_ADMIN,
    }),
    Role.analyst: frozenset({P.INCIDENT_READ, P.INCIDENT_EDIT, P.COINVESTIGATION_READ, P.COINVESTIGATION_EDIT}),
    # a district headquarters approves the risk areas of its own subtree (the service checks where)
    Role.district: frozenset({
        P.ZONE_APPROVE, P.ENTERPRISE_APPROVE, P.SUPERVISION_READ, P.SUPERVISION_EDIT, P.INCIDENT_READ, P.INCIDENT_EDIT,
        P.COINVESTIGATION_READ, P.COINVESTIGATION_EDIT,
    }),
    Role.subdistrict: frozenset({
        P.SUPERVISION_READ, P.SUPERVISION_EDIT, P.INCIDENT_READ, P.COINVESTIGATION_READ, P.COINVESTIGATION_EDIT,
    }),
    Role.community: frozenset({P.SUPERVISION_READ, P.INCIDENT_READ, P.COINVESTIGATION_READ, P.COINVESTIGATION_EDIT}),
    # IT and headquarters keep the notification address book (who is reached where)
    Role.admin: frozenset({P.NOTIFICATION_ADMIN}),
}
ROLE_PERMISSIONS = {role: granted | _COMMAND_GRANTS.get(role, frozenset()) for role, granted in ROLE_PERMISSIONS.items()}

# roles whose jurisdiction is an area subtree: they must be given an area
TERRITORIAL_ROLES = frozenset({Role.district, Role.subdistrict, Role.community})


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def role_has(role: Role, permission: Permission) -> bool:
    """Whether `role` carries `permission` (the table of DESIGN.md section 1)."""
    return permission in permissions_of(role)


@dataclass(frozen=True)
class Scope:
    """Who is asking, from where, and which part of the city they may see.

    `subtree` is the Area.path prefix of the caller's jurisdiction ("/c/d1/"); None is the whole city.
    """

    actor: str
    role: Role
    subtree: str | None
    origin: str | None = None
    unit_id: str | None = None

    @property
    def everywhere(self) -> bool:
        return self.subtree is None

    def can(self, permission: Permission) -> bool:
        return role_has(self.role, permission)

    def covers(self, area_path: str | None) -> bool:
        """Whether an area with this path lies inside the jurisdiction (no area: only city-wide)."""
        if self.subtree is None:
            return True
        return area_path is not None and area_path.startswith(self.subtree)


def check_jurisdiction(role: Role, area_id: str | None) -> None:
    """Territorial roles need an area; the whole city (no area) is for city-level roles only."""
    if role in TERRITORIAL_ROLES and not area_id:
        raise InvalidInput(f"role {role.value} needs an area (--area) as its jurisdiction")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.isprintable():
        raise InvalidInput("password must not start or end with spaces nor hold control characters")


def mask_id_number(value: str | None) -> str | None:
    """`410102199001011234` → `4101**********1234`: the first and last four characters stay."""
    if value is None:
        return None
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """`13812341234` → `138****1234`: the first three and last four digits stay."""
    if value is None:
        return None
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def preferred_language(accept_language: str | None) -> Language:
    """From an Accept-Language header: Chinese browsers get zh_CN, every other one English."""
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = Language.zh_CN if tag == "zh" or tag.startswith("zh-") else Language.en
        if tag == "*" or quality <= 0:
            continue
        if best is None or quality > best[0]:
            best = (quality, language)
    return best[1] if best else Language.en
