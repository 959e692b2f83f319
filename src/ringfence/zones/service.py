"""Risk areas: delineate as of a time, keep the proposals (idempotently), approve within one's
jurisdiction, list. Keyword-only, takes the session, never commits; every change is on the timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Permission, Scope
from ringfence.core import timeline
from ringfence.core.errors import Conflict, Forbidden, NotFound
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.zones import facts, rules
from ringfence.zones.kinds import ACTIVE_STATUSES, ZoneStatus, ZoneUnit
from ringfence.zones.models import Zone
from ringfence.zones.rules import ZoneState
from ringfence.zones.schemas import BlockerRead, ZoneClock, ZoneFilter, ZoneRow, ZoneStatusDocument

SUBJECT = "zone"
Identity = tuple[str, str, str, datetime]


def delineate(
    *, session: Session, store: EventStore, protocol: Protocol, as_of: datetime, tz: tzinfo
) -> list[ZoneState]:
    """The zones as of `as_of` by the protocol's rules and lifting clock (reads only, stores nothing)."""
    found = facts.active_cases(session=session, as_of=as_of)
    stays = facts.long_stays(store, [f for _, f in found], protocol, as_of=as_of, tz=tz)
    hits = rules.hits_by_unit([c for c, _ in found], stays, protocol.zones, as_of=as_of)
    if not hits:
        return []
    city = facts.city_map(store, hits)
    verdicts = facts.round_verdicts(store, hits, city, cases=[c.person_id for c, _ in found], as_of=as_of, tz=tz)
    return rules.delineate(hits, verdicts, city, protocol.zones, as_of=as_of, tz=tz)


def area_of(state: ZoneState) -> str | None:
    """The area a zone lies in, for jurisdiction: a building's community, else the unit itself."""
    return state.community_id if state.unit is ZoneUnit.building else state.unit_id


def within(*, session: Session, scope: Scope, states: Sequence[ZoneState]) -> list[ZoneState]:
    """The zones of `states` inside the caller's jurisdiction."""
    if scope.everywhere:
        return list(states)
    paths = _paths(session, {a for s in states if (a := area_of(s))})
    return [s for s in states if scope.covers(paths.get(area_of(s) or ""))]


def identity(zone: Zone | ZoneState) -> Identity:
    return (zone.level.value, zone.unit.value, zone.unit_id, zone.episode_start)


def stored(*, session: Session, states: Iterable[ZoneState]) -> dict[Identity, Zone]:
    """The stored zones of the units of `states`, by identity."""
    unit_ids = sorted({s.unit_id for s in states})
    found: dict[Identity, Zone] = {}
    for start in range(0, len(unit_ids), 500):
        for zone in session.scalars(select(Zone).where(Zone.unit_id.in_(unit_ids[start:start + 500]))):
            found[identity(zone)] = zone
    return found


def sync(
    *, session: Session, states: Sequence[ZoneState], as_of: datetime, actor: str, auto_approve: bool
) -> dict[str, int]:
    """Store what the rules draw as of `as_of`: new zones proposed (approved when the setting says so, or
    when their episode was approved at another level), clocks refreshed, zones no longer drawn ended."""
    counts = {"zones": len(states), "proposed": 0, "approved": 0, "reinstated": 0, "lifted": 0, "withdrawn": 0}
    held = stored(session=session, states=states)
    approved_episodes = {(z.unit, z.unit_id, z.episode_start): z for z in held.values() if z.approved_at is not None}
    areas = _paths(session, {a for s in states if (a := area_of(s))})
    wanted: set[Identity] = set()
    fresh: list[tuple[Zone, ZoneState]] = []
    for state in states:
        key = identity(state)
        wanted.add(key)
        zone = held.get(key)
        if zone is None:
            zone = _new_zone(state, areas, as_of)
            session.add(zone)
            held[key] = zone
            fresh.append((zone, state))
        elif zone.status not in ACTIVE_STATUSES:
            zone.status = ZoneStatus.approved if zone.approved_at else ZoneStatus.proposed
            zone.ended_at = None
            _record(session, zone, actor, "zone.reinstated", as_of, f"{state.level.value} again since {state.since.isoformat()}")
            counts["reinstated"] += 1
        _refresh(zone, state, as_of)
    session.flush()  # the new zones' ids, for the timeline
    for zone, state in fresh:
        counts["proposed"] += 1
        _record(session, zone, actor, "zone.proposed", as_of,
                f"{state.level.value} {state.unit.value} {state.unit_id} since {state.since.isoformat()}, "
                f"{state.residents} residents")
        # a demotion or a promotion within an approved episode needs no new approval
        carried = None if state.unit is ZoneUnit.district else approved_episodes.get(
            (state.unit, state.unit_id, state.episode_start))
        if auto_approve or carried is not None:
            why = "auto-approved by setting" if auto_approve else f"approval carried over from zone {carried.zone_id}"
            _approve(session, zone, by=actor if auto_approve else carried.approved_by, at=as_of, actor=actor, detail=why)
            counts["approved"] += 1
    still = session.scalars(select(Zone).where(Zone.status.in_(ACTIVE_STATUSES)))
    for zone in [z for z in still if identity(z) not in wanted]:
        ending = ZoneStatus.lifted if zone.status is ZoneStatus.approved else ZoneStatus.withdrawn
        zone.status, zone.ended_at = ending, as_of
        _record(session, zone, actor, f"zone.{ending.value}", as_of, _ending_detail(zone, states))
        counts[ending.value] += 1
    session.flush()
    return counts


def get(*, session: Session, scope: Scope, zone_id: int) -> Zone:
    """The zone if the caller may see it; NotFound otherwise (outside is never told apart from missing)."""
    zone = session.scalar(_in_scope(select(Zone), scope).where(Zone.zone_id == zone_id))
    if zone is None:
        raise NotFound(f"no zone {zone_id}")
    return zone


def get_all(
    *, session: Session, scope: Scope, filters: ZoneFilter, page: int = 1, size: int = 50
) -> tuple[list[Zone], int]:
    """One page of the stored zones in the caller's jurisdiction, high first, and the total."""
    query = _in_scope(select(Zone), scope)
    if filters.current:
        query = query.where(Zone.status.in_(ACTIVE_STATUSES))
    if filters.status is not None:
        query = query.where(Zone.status == filters.status)
    if filters.level is not None:
        query = query.where(Zone.level == filters.level)
    if filters.unit_id is not None:
        query = query.where(Zone.unit_id == filters.unit_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Zone.zone_id).offset((page - 1) * size).limit(size))
    return list(rows), total


def approve(*, session: Session, scope: Scope, zone_id: int, at: datetime) -> Zone:
    """Approve a proposed zone: a commander anywhere, a district inside its own subtree only."""
    if not scope.can(Permission.ZONE_APPROVE):
        raise Forbidden(f"your role may not approve zones ({Permission.ZONE_APPROVE.value})")
    zone = session.get(Zone, zone_id)
    if zone is None:
        raise NotFound(f"no zone {zone_id}")
    path = _paths(session, {zone.area_id} if zone.area_id else set()).get(zone.area_id or "")
    if not scope.covers(path):
        raise Forbidden(
            f"zone {zone_id} ({zone.unit.value} {zone.unit_id}) lies outside your jurisdiction: "
            "the headquarters or its own district approves it"
        )
    if zone.status is ZoneStatus.approved:
        return zone
    if zone.status is not ZoneStatus.proposed:
        raise Conflict(f"zone {zone_id} is {zone.status.value}: only a proposed zone can be approved")
    _approve(session, zone, by=scope.actor, at=at, actor=scope.actor, detail=None)
    session.flush()
    return zone


def status(*, session: Session, states: Sequence[ZoneState], as_of: datetime) -> ZoneStatusDocument:
    """Each zone's lifting clock, with the stored zone of the same identity (if any) and its status."""
    held = stored(session=session, states=states)
    rows = []
    for state in states:
        zone = held.get(identity(state))
        rows.append(ZoneClock(
            **ZoneRow.of(state).model_dump(), zone_id=zone.zone_id if zone else None,
            status=zone.status if zone else None, demoted=state.demoted, next_change=state.next_change,
            next_level=state.next_level,
            blockers=[BlockerRead(kind=b.kind, day=b.day, detail=b.detail) for b in state.blockers],
        ))
    return ZoneStatusDocument(as_of=as_of, zones=rows)


# ---- internals -------------------------------------------------------------------------------


def _in_scope(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return query.join(Area, Area.area_id == Zone.area_id).where(in_subtree(Area.path, scope.subtree))


def _paths(session: Session, area_ids: set[str]) -> dict[str, str]:
    ids = sorted(area_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        query = select(Area.area_id, Area.path).where(Area.area_id.in_(ids[start:start + 500]))
        found.update((area_id, path) for area_id, path in session.execute(query))
    return found


def _new_zone(state: ZoneState, areas: dict[str, str], as_of: datetime) -> Zone:
    area = area_of(state)
    return Zone(
        level=state.level, unit=state.unit, unit_id=state.unit_id, episode_start=state.episode_start,
        area_id=area if area in areas else None, since=state.since, residents=state.residents,
        demoted=state.demoted, status=ZoneStatus.proposed, proposed_at=as_of, approved_at=None, approved_by=None,
        ended_at=None, next_change_on=None, next_level=None, blockers=[], updated_at=None,
    )


def _approve(session: Session, zone: Zone, *, by: str | None, at: datetime, actor: str, detail: str | None) -> None:
    zone.status, zone.approved_at, zone.approved_by = ZoneStatus.approved, at, by
    _record(session, zone, actor, "zone.approved", at, detail)


def _refresh(zone: Zone, state: ZoneState, as_of: datetime) -> None:
    """Bring the stored clock to what the rules say; untouched when nothing changed (no write)."""
    blockers = [{"kind": b.kind.value, "day": b.day.isoformat() if b.day else None, "detail": b.detail}
                for b in state.blockers]
    values = {"since": state.since, "residents": state.residents, "demoted": state.demoted,
              "next_change_on": state.next_change, "next_level": state.next_level, "blockers": blockers}
    changed = {k: v for k, v in values.items() if getattr(zone, k) != v}
    for name, value in changed.items():
        setattr(zone, name, value)
    if changed or zone.updated_at is None:
        zone.updated_at = as_of


def _ending_detail(zone: Zone, states: Sequence[ZoneState]) -> str:
    now = next((s for s in states if (s.unit, s.unit_id, s.episode_start) == (zone.unit, zone.unit_id, zone.episode_start)), None)
    if now is not None:
        return f"{zone.level.value} → {now.level.value}"
    return f"{zone.level.value} → no longer a zone"


def _record(session: Session, zone: Zone, actor: str, action: str, at: datetime, detail: str | None) -> None:
    timeline.record(session, subject_type=SUBJECT, subject_id=str(zone.zone_id), actor=actor, action=action,
                    detail=detail, at=at)

