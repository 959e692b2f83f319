"""The respond step that turns sealed buildings (high risk areas in force) into delivery tasks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from tests.service.areas.small_city import build_small_city

from ringfence.protocols import service as protocols
from ringfence.respond import Context
from ringfence.supplies import flows
from ringfence.tasks.models import Task, TaskKind
from ringfence.zones.kinds import ZoneLevel, ZoneStatus, ZoneUnit
from ringfence.zones.models import Zone

AS_OF = datetime(2022, 10, 12, 4, tzinfo=UTC)  # noon in Zhengzhou


def zone(level: ZoneLevel, unit: ZoneUnit, unit_id: str, status: ZoneStatus) -> Zone:
    return Zone(
        level=level, unit=unit, unit_id=unit_id, episode_start=AS_OF, area_id=None, since=AS_OF, residents=1,
        demoted=False, status=status, proposed_at=AS_OF, approved_at=AS_OF if status is ZoneStatus.approved else None,
        approved_by=None, ended_at=None, next_change_on=None, next_level=None, updated_at=AS_OF,
    )


def test_only_buildings_in_an_approved_high_area_get_a_delivery_task_once_a_day(session, settings) -> None:
    build_small_city(session)
    session.add_all([
        zone(ZoneLevel.high, ZoneUnit.community, "M1", ZoneStatus.approved),  # B1 by its community
        zone(ZoneLevel.high, ZoneUnit.building, "B2", ZoneStatus.proposed),  # not yet in force
        zone(ZoneLevel.medium, ZoneUnit.building, "B_", ZoneStatus.approved),  # not sealed
    ])
    session.flush()
    context = Context(as_of=AS_OF, settings=settings, protocol=protocols.load("covid19-cn-9"), actor="respond")

    first = flows.deliver_to_sealed_buildings(session, context)
    again = flows.deliver_to_sealed_buildings(session, context)

    assert first == {"buildings": 1, "created": 1, "existing": 0}
    assert again == {"buildings": 1, "created": 0, "existing": 1}
    tasks = session.scalars(select(Task).where(Task.kind == TaskKind.deliver_supplies)).all()
    assert [(t.subject_id, t.area_id) for t in tasks] == [("B1", "M1")]
