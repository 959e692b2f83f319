"""Screening rounds (relational) and the documents the faces show, read from the event log and scoped.

Keyword-only functions taking a session; they never commit. Queries over people run set-wise in the
event log (`screening.py`, `routine.py`); what comes back is scoped here to the caller's subtree.
`statuses` maps a person to what they already are (`case:confirmed`, `isolation:central`…); the
flows build it from the cases and isolation capabilities, so this domain depends on neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas import service as areas_service
from ringfence.areas.models import Area
from ringfence.auth.rules import Scope
from ringfence.core import audit
from ringfence.core.errors import Conflict, NotFound
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.testing import routine, rules, screening
from ringfence.testing.models import ScreeningRound
from ringfence.testing.schemas import (
    AreaCoverage,
    BuildingGroup,
    CandidateRow,
    ConflictRow,
    Coverage,
    GroupFigures,
    KeyPlaceDocument,
    OverdueDocument,
    OverdueRow,
    RecallDocument,
    RecallRow,
    RoundCreate,
    UncoveredDocument,
    UncoveredRow,
    VenueDay,
    ViolationRow,
)

Statuses = Mapping[str, str]


# ---- rounds -----------------------------------------------------------------------------------


def create_round(
    *, session: Session, scope: Scope, round_in: RoundCreate, protocol: Protocol, at: datetime
) -> ScreeningRound:
    """A new round over an area the caller may see, its pool size and deadline from the protocol."""
    areas_service.get(session=session, scope=scope, area_id=round_in.area_id)
    round_id = round_in.round_id or f"R{round_in.starts_at:%Y%m%d%H%M}-{uuid.uuid4().hex[:6]}"
    if session.get(ScreeningRound, round_id) is not None:
        raise Conflict(f"round {round_id!r} already exists")
    starts_at = round_in.starts_at
    screening_round = ScreeningRound(
        round_id=round_id,
        area_id=round_in.area_id,
        level=round_in.level,
        pool_size=rules.pool_size(round_in.level, protocol.screening),
        starts_at=starts_at,
        deadline_at=rules.round_deadline(starts_at, protocol.screening, round_in.deadline_hours),
        sites=list(dict.fromkeys(round_in.sites)),
        created_at=at,
        created_by=scope.actor,
    )
    session.add(screening_round)
    session.flush()
    audit.record(session, user=scope.actor, action="round.create", subject=f"round:{round_id}",
                 origin=scope.origin, detail=f"area {round_in.area_id} level {round_in.level.value}", at=at)
    return screening_round


def _rounds_in_scope(scope: Scope):
    query = select(ScreeningRound)
    if not scope.everywhere:
        query = query.join(Area, Area.area_id == ScreeningRound.area_id).where(
            areas_service.in_subtree(Area.path, scope.subtree)
        )
    return query


def get_round(*, session: Session, scope: Scope, round_id: str) -> ScreeningRound:
    """The round if its area lies in the caller's jurisdiction; NotFound otherwise."""
    found = session.scalar(_rounds_in_scope(scope).where(ScreeningRound.round_id == round_id))
    if found is None:
        raise NotFound(f"no round {round_id!r}")
    return found


def get_rounds(*, session: Session, scope: Scope, open_at: datetime | None = None) -> list[ScreeningRound]:
    """Rounds in the caller's jurisdiction, newest first (only those running at `open_at`, if given)."""
    query = _rounds_in_scope(scope)
    if open_at is not None:
        query = query.where(ScreeningRound.starts_at <= open_at, ScreeningRound.deadline_at > open_at)
    return list(session.scalars(query.order_by(ScreeningRound.starts_at.desc(), ScreeningRound.round_id)))


def coverage(*, session: Session, store: EventStore, screening_round: ScreeningRound, as_of: datetime) -> Coverage:
    """Sampled / residents of the round's area (and of each child area), its tubes, hours left."""
    root = session.get(Area, screening_round.area_id)
    if root is None:
        raise NotFound(f"no area {screening_round.area_id!r}")
    since = screening_round.starts_at
    per_community = screening.coverage_by_community(store, root_path=root.path, since=since, as_of=as_of)
    tubes = screening.round_tubes(store, root_path=root.path, since=since, as_of=as_of)
    children = _child_of(session, root)
    by_child: dict[str, list[int]] = {}
    for row in per_community.to_pylist():
        child = children.get(row["community_id"], root.area_id)
        figures = by_child.setdefault(child, [0, 0])
        figures[0] += row["residents"]
        figures[1] += row["sampled"]
    residents = sum(f[0] for f in by_child.values())
    sampled = sum(f[1] for f in by_child.values())
    left = rules.hours_left(screening_round.deadline_at, as_of)
    return Coverage(
        round_id=screening_round.round_id, area_id=root.area_id, level=screening_round.level,
        pool_size=screening_round.pool_size, starts_at=since, deadline_at=screening_round.deadline_at,
        as_of=as_of, residents=residents, sampled=sampled, coverage=_share(sampled, residents),
        tubes=tubes.tubes, tubes_pending=tubes.pending, tubes_invalid=tubes.invalid,
        positive_pools=tubes.positive_pools, positive_single_tubes=tubes.positive_singles,
        conflicting_tubes=tubes.conflicts, hours_left=round(left, 2), overdue=left < 0 and sampled < residents,
        areas=[
            AreaCoverage(area_id=area_id, residents=r, sampled=s, coverage=_share(s, r))
            for area_id, (r, s) in sorted(by_child.items())
        ],
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _child_of(session: Session, root: Area) -> dict[str, str]:
    """Each area below `root` → its ancestor one level below `root` (for the per-area breakdown)."""
    depth = len(_path_parts(root.path))
    found = {}
    for area_id, path in session.execute(
        select(Area.area_id, Area.path).where(areas_service.in_subtree(Area.path, root.path))
    ):
        parts = _path_parts(path)
        if len(parts) > depth:
            found[area_id] = parts[depth]
    return found


def _path_parts(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


# ---- recall and uncovered -----------------------------------------------------------------------


def recall(
    *, session: Session, store: EventStore, scope: Scope, protocol: Protocol, as_of: datetime,
    statuses: Statuses | None = None,
) -> RecallDocument:
    """Members of positive pools to re-sample, new positives of single tubes, conflicting tubes."""
    hours = protocol.deadlines.recall_pool
    recalled = screening.recall(store, as_of=as_of).to_pylist()
    found = screening.candidates(store, as_of=as_of).to_pylist()
    visible = _visible_communities(session, scope, [r["community_id"] for r in recalled + found])
    statuses = statuses or {}
    return RecallDocument(
        as_of=as_of,
        recall=[
            RecallRow(**row, due_at=rules.recall_due(row["reported_at"], hours))
            for row in recalled if visible(row["community_id"])
        ],
        candidates=[
            CandidateRow(**row, status=statuses.get(row["person_id"]))
            for row in found if visible(row["community_id"])
        ],
        # a tube names no one: conflicts are for the labs and the city, not a territory
        conflicts=[ConflictRow(**row) for row in screening.conflicts(store, as_of=as_of).to_pylist()]
        if scope.everywhere else [],
    )


def _visible_communities(session: Session, scope: Scope, community_ids: Iterable[str | None]):
    if scope.everywhere:
        return lambda community_id: True
    wanted = sorted({c for c in community_ids if c is not None})
    inside: set[str] = set()
    for start in range(0, len(wanted), 500):
        query = select(Area.area_id).where(
            Area.area_id.in_(wanted[start:start + 500]), areas_service.in_subtree(Area.path, scope.subtree)
        )
        inside.update(session.scalars(query))
    return lambda community_id: community_id in inside


def uncovered(
    *, session: Session, store: EventStore, scope: Scope, area_id: str, since: datetime, as_of: datetime,
    statuses: Statuses | None = None,
) -> UncoveredDocument:
    """Residents of the area's subtree with no covering sample since `since`, with status, by building."""
    root = areas_service.get(session=session, scope=scope, area_id=area_id)
    table = screening.uncovered(store, root_path=root.path, since=since, as_of=as_of)
    table = _with_status(table, statuses or {})
    grouped = table.group_by(["building_id", "community_id", "address"], use_threads=False).aggregate(
        [("person_id", "count"), ("person_id", "list")]
    ).sort_by([("building_id", "ascending")])
    audit.record(session, user=scope.actor, action="screening.uncovered", subject=f"area:{area_id}",
                 origin=scope.origin, detail=f"since {since.isoformat()}: {table.num_rows} people")
    rows = table.select(["person_id", "building_id", "community_id", "status"]).to_pylist()
    return UncoveredDocument(
        area_id=area_id, since=since, as_of=as_of,
        uncovered=[UncoveredRow(**row) for row in rows],
        buildings=[
            BuildingGroup(building_id=g["building_id"], community_id=g["community_id"], address=g["address"],
                          uncovered=g["person_id_count"], people=g["person_id_list"])
            for g in grouped.to_pylist()
        ],
    )


def _with_status(table: pa.Table, statuses: Statuses) -> pa.Table:
    """`table` with a `status` column: each person's status, null when they have none (a vectorised look-up)."""
    keys = pa.array(list(statuses), pa.string())
    values = pa.array(list(statuses.values()), pa.string())
    positions = pc.index_in(table.column("person_id"), value_set=keys)
    return table.append_column("status", pc.take(values, positions) if len(keys) else pa.nulls(table.num_rows, pa.string()))


def audit_listing(*, session: Session, scope: Scope, action: str, person_ids: Iterable[str], detail: str) -> None:
    """One audit entry per person shown to the caller (a page of a list)."""
    for person_id in person_ids:
        audit.record(session, user=scope.actor, action=action, subject=f"person:{person_id}",
                     origin=scope.origin, detail=detail)


# ---- routine screening and key places ---------------------------------------------------------


def overdue(*, store: EventStore, protocol: Protocol, as_of: datetime) -> OverdueDocument:
    """Key-group members overdue for their routine test, with figures per group and per employer."""
    members = routine.routine_members(
        store, rules=protocol.screening, key_places=protocol.key_places, as_of=as_of
    )
    late = members.filter(pc.field("overdue"))
    return OverdueDocument(
        as_of=as_of,
        overdue=[OverdueRow(**{k: row[k] for k in OverdueRow.model_fields}) for row in late.to_pylist()],
        groups=_figures(members, "key_group"),
        employers=_figures(members, "workplace_id"),
    )


def _figures(members: pa.Table, key: str) -> list[GroupFigures]:
    flagged = members.select([key]).append_column(
        "late", pc.cast(members.column("overdue"), pa.int64())
    )
    grouped = flagged.group_by([key], use_threads=False).aggregate([("late", "count"), ("late", "sum")])
    rows = sorted(grouped.to_pylist(), key=lambda r: (r[key] is None, r[key] or ""))
    return [GroupFigures(key=r[key], members=r["late_count"], overdue=r["late_sum"] or 0) for r in rows]


def key_place_violations(
    *, store: EventStore, protocol: Protocol, start: datetime, end: datetime, as_of: datetime
) -> KeyPlaceDocument:
    """Check-ins at key places without a recent negative test, listed and counted per venue and day."""
    violations = routine.venue_check_violations(
        store, key_places=protocol.key_places, start=start, end=end, as_of=as_of
    ).to_pylist()
    counts: dict[tuple, int] = {}
    for row in violations:
        counts[(row["venue_id"], row["day"])] = counts.get((row["venue_id"], row["day"]), 0) + 1
    checkins = routine.key_place_checkins(store, key_places=protocol.key_places, start=start, end=end, as_of=as_of)
    return KeyPlaceDocument(
        start=start, end=end,
        violations=[ViolationRow(**{k: row[k] for k in ViolationRow.model_fields}) for row in violations],
        venues=[
            VenueDay(**row, violations=counts.get((row["venue_id"], row["day"]), 0))
            for row in checkins.to_pylist()
        ],
    )


def day_window(as_of: datetime, days: int = 1) -> tuple[datetime, datetime]:
    """The `days` days before `as_of` (a default period for lists of check-ins)."""
    return as_of - timedelta(days=days), as_of
