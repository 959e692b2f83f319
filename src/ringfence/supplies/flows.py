"""The respond step of supplies: every sealed building gets its day's delivery task."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Building
from ringfence.supplies import service

if TYPE_CHECKING:
    from ringfence.respond import Context


def sealed_buildings(*, session: Session) -> list[str]:
    """Buildings inside a high-risk area in force: building zones, and every building of a community zone."""
    from ringfence.zones.kinds import ZoneLevel, ZoneStatus, ZoneUnit
    from ringfence.zones.models import Zone

    in_force = select(Zone.unit, Zone.unit_id).where(Zone.level == ZoneLevel.high, Zone.status == ZoneStatus.approved)
    buildings: set[str] = set()
    communities: set[str] = set()
    for unit, unit_id in session.execute(in_force):
        (buildings if unit == ZoneUnit.building else communities).add(unit_id)
    if communities:
        buildings.update(session.scalars(select(Building.building_id).where(Building.community_id.in_(communities))))
    return sorted(buildings)


def deliver_to_sealed_buildings(session: Session, context: Context) -> dict[str, int]:
    """A `deliver_supplies` task per sealed building for the cycle's local day (idempotent per building and day)."""
    buildings = sealed_buildings(session=session)
    if not buildings:
        return {"buildings": 0, "created": 0, "existing": 0}
    tz = context.settings.tz
    counts = service.plan_deliveries(
        session=session, buildings=buildings, day=context.as_of.astimezone(tz).date(),
        protocol=context.protocol, actor=context.actor, tz=tz,
    )
    return {"buildings": len(buildings), **counts}
