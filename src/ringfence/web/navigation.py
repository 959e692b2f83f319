"""The web app's sections and which roles see them (pages still to be built render a placeholder)."""

from __future__ import annotations

from dataclasses import dataclass

from ringfence.auth.rules import Permission, Scope

P = Permission


@dataclass(frozen=True)
class Section:
    slug: str
    label: str  # an English msgid of the catalogs
    needs_any: frozenset[Permission]  # shown when the role holds one of these; empty = every user

    @property
    def href(self) -> str:
        return "/" if self.slug == "dashboard" else f"/{self.slug}"

    def visible_to(self, scope: Scope) -> bool:
        return not self.needs_any or any(scope.can(p) for p in self.needs_any)


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", "Dashboard", frozenset()),
    Section("cases", "Cases", frozenset({P.CASE_READ})),
    Section("screening", "Screening", frozenset({P.SCREENING_READ})),
    Section("zones", "Risk areas", frozenset({P.ZONE_READ})),
    Section("isolation", "Isolation", frozenset({P.ISOLATION_READ})),
    Section("supplies", "Supplies", frozenset({P.SUPPLY_READ})),
    Section("sentinel", "Sentinel", frozenset({P.SENTINEL_READ, P.SENTINEL_REPORT})),
    Section("tasks", "Tasks", frozenset({P.TASK_READ})),
    Section("enterprises", "Enterprises", frozenset({P.ENTERPRISE_READ})),
    Section("inspections", "Inspections", frozenset({P.SUPERVISION_READ})),
    Section("imports", "Imports", frozenset({P.IMPORT_REGISTERS, P.IMPORT_EVENTS, P.IMPORT_LAB, P.IMPORT_SENTINEL})),
    Section("users", "Users", frozenset({P.USER_ADMIN})),
    Section("audit", "Audit log", frozenset({P.AUDIT_READ})),
)

# sections whose page is not built yet; a team building one removes it here and adds its router
# every section has its page now; a new section starts here until its router is listed in web_routers()
PLACEHOLDERS: frozenset[str] = frozenset()


def sections_for(scope: Scope) -> list[Section]:
    return [s for s in SECTIONS if s.visible_to(scope)]


def section(slug: str) -> Section | None:
    return next((s for s in SECTIONS if s.slug == slug), None)
