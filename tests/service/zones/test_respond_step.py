"""The `zones` step of the daily cycle: stores the proposals once, auto-approves when set, lifts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.service.zones.zone_city import PROTOCOL, build, confirm, local

from ringfence.respond import Context
from ringfence.zones.flows import derive_zones
from ringfence.zones.kinds import ZoneStatus
from ringfence.zones.models import Zone


@pytest.fixture
def city(session, settings):
    build(session, settings)
    confirm(session, "P1", local(3))
    return settings


def _run(session, settings, as_of) -> dict[str, int]:
    context = Context(as_of=as_of, settings=settings, protocol=PROTOCOL, actor="respond")
    try:
        return derive_zones(session, context)
    finally:
        context.events.close()


def test_the_step_is_idempotent(session, city):
    first = _run(session, city, local(3, 12))
    second = _run(session, city, local(3, 12))

    assert (first["proposed"], second["proposed"], second["zones"]) == (2, 0, 2)
    assert len(session.scalars(select(Zone)).all()) == 2


def test_the_step_auto_approves_when_the_setting_says_so(session, city):
    settings = city.model_copy(update={"auto_approve_zones": True})

    _run(session, settings, local(3, 12))

    assert {z.status for z in session.scalars(select(Zone))} == {ZoneStatus.approved}


def test_the_step_leaves_a_building_high_while_its_round_is_missing(session, city):
    _run(session, city, local(3, 12))
    counts = _run(session, city, local(12, 12))

    assert (counts["lifted"], counts["withdrawn"]) == (0, 0)
    high = session.scalar(select(Zone).where(Zone.level == "high"))
    assert high.status is ZoneStatus.proposed and [b["kind"] for b in high.blockers] == ["missing_round"]
