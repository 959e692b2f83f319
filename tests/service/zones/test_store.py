"""Keeping zones: proposals stored once, approval within one's jurisdiction, lifting on the timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.service.zones.zone_city import build, confirm, delineate, local, reported, sampled

from ringfence.auth.rules import Role, Scope
from ringfence.core import timeline
from ringfence.core.errors import Conflict, Forbidden, NotFound
from ringfence.zones import service
from ringfence.zones.kinds import ZoneLevel, ZoneStatus
from ringfence.zones.models import Zone
from ringfence.zones.schemas import ZoneFilter

HEADQUARTERS = Scope(actor="commander", role=Role.commander, subtree=None)
DISTRICT_1 = Scope(actor="district_1", role=Role.district, subtree="/C/D1/")
DISTRICT_2 = Scope(actor="district_2", role=Role.district, subtree="/C/D2/")


@pytest.fixture
def city(session, settings):
    build(session, settings)
    return settings


def _sync(session, city, as_of, *, auto_approve: bool = False) -> dict[str, int]:
    return service.sync(session=session, states=delineate(session, city, as_of), as_of=as_of, actor="respond",
                        auto_approve=auto_approve)


def _zone(session, level: str, unit_id: str) -> Zone:
    return session.scalar(select(Zone).where(Zone.level == level, Zone.unit_id == unit_id))


def test_zones_are_proposed_once_and_re_delineating_adds_nothing(session, city):
    confirm(session, "P1", local(3))

    first = _sync(session, city, local(3, 12))
    again = _sync(session, city, local(4, 12))

    assert (first["proposed"], again["proposed"]) == (2, 0)
    zones = session.scalars(select(Zone).order_by(Zone.zone_id)).all()
    assert [(z.level, z.unit_id, z.status, z.area_id) for z in zones] == [
        (ZoneLevel.high, "B1", ZoneStatus.proposed, "M1"), (ZoneLevel.low, "D1", ZoneStatus.proposed, "D1"),
    ]
    [entry] = timeline.history(session, subject_type="zone", subject_id=str(zones[0].zone_id))
    assert (entry.actor, entry.action) == ("respond", "zone.proposed")


def test_the_setting_approves_new_zones_at_once(session, city):
    confirm(session, "P1", local(3))

    counts = _sync(session, city, local(3, 12), auto_approve=True)

    assert counts["approved"] == 2
    assert _zone(session, "high", "B1").status is ZoneStatus.approved


def test_a_district_approves_a_zone_of_its_own_subtree(session, city):
    confirm(session, "P1", local(3))
    _sync(session, city, local(3, 12))
    zone = _zone(session, "high", "B1")

    service.approve(session=session, scope=DISTRICT_1, zone_id=zone.zone_id, at=local(3, 13))

    assert (zone.status, zone.approved_by) == (ZoneStatus.approved, "district_1")
    actions = [e.action for e in timeline.history(session, subject_type="zone", subject_id=str(zone.zone_id))]
    assert actions == ["zone.proposed", "zone.approved"]


def test_approving_a_zone_outside_ones_jurisdiction_is_refused_with_the_reason(session, city):
    confirm(session, "P1", local(3))
    _sync(session, city, local(3, 12))
    zone = _zone(session, "high", "B1")

    with pytest.raises(Forbidden, match="outside your jurisdiction"):
        service.approve(session=session, scope=DISTRICT_2, zone_id=zone.zone_id, at=local(3, 13))
    assert zone.status is ZoneStatus.proposed


def test_a_role_without_the_permission_cannot_approve_and_a_lifted_zone_cannot_be(session, city):
    confirm(session, "P1", local(1))
    _sync(session, city, local(1, 12))
    zone = _zone(session, "high", "B1")
    analyst = Scope(actor="analyst", role=Role.analyst, subtree=None)
    with pytest.raises(Forbidden):
        service.approve(session=session, scope=analyst, zone_id=zone.zone_id, at=local(1, 13))
    with pytest.raises(NotFound):
        service.approve(session=session, scope=HEADQUARTERS, zone_id=zone.zone_id + 100, at=local(1, 13))

    sampled(city, ("P2", "T2", local(8, 9)))
    reported(city, ("T2", "negative", local(8, 15)))
    _sync(session, city, local(8, 20))
    assert zone.status is ZoneStatus.withdrawn
    with pytest.raises(Conflict):
        service.approve(session=session, scope=HEADQUARTERS, zone_id=zone.zone_id, at=local(8, 21))


def test_a_demotion_ends_the_high_zone_and_the_medium_one_keeps_its_approval(session, city):
    confirm(session, "P1", local(1))
    _sync(session, city, local(1, 12))
    high = _zone(session, "high", "B1")
    service.approve(session=session, scope=HEADQUARTERS, zone_id=high.zone_id, at=local(1, 13))
    sampled(city, ("P2", "T2", local(8, 9)))
    reported(city, ("T2", "negative", local(8, 15)))

    counts = _sync(session, city, local(8, 20))

    medium = _zone(session, "medium", "B1")
    assert (high.status, high.ended_at) == (ZoneStatus.lifted, local(8, 20))
    assert (medium.status, medium.approved_by, medium.demoted) == (ZoneStatus.approved, "commander", True)
    assert medium.episode_start == high.episode_start
    assert (counts["lifted"], counts["proposed"]) == (1, 1)
    lifted = timeline.history(session, subject_type="zone", subject_id=str(high.zone_id))[-1]
    assert (lifted.action, lifted.detail, lifted.actor) == ("zone.lifted", "high → medium", "respond")


def test_the_clock_is_stored_with_what_blocks_it(session, city):
    confirm(session, "P1", local(1))
    sampled(city, ("P2", "T2", local(8, 9)))

    _sync(session, city, local(8, 20))

    zone = _zone(session, "high", "B1")
    assert zone.next_change_on.isoformat() == "2022-10-08"
    assert [b["kind"] for b in zone.blockers] == ["pending_tube"]


def test_listing_is_scoped_to_the_callers_subtree(session, city):
    confirm(session, "P1", local(3))
    confirm(session, "P3", local(3))
    _sync(session, city, local(3, 12))

    mine, total = service.get_all(session=session, scope=DISTRICT_2, filters=ZoneFilter())
    assert (sorted(z.unit_id for z in mine), total) == (["B2", "D2"], 2)
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_2, zone_id=_zone(session, "high", "B1").zone_id)
