"""Screening's work that reaches into other capabilities: tasks from recalls, rounds, arrivals, key places
and routine screening (the `respond` steps), people's statuses (cases, isolation), and the lab's
uploads (the importer).
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.auth.rules import Role, Scope
from ringfence.config import Settings
from ringfence.eventlog.store import EventStore, open_store
from ringfence.protocols.models import Protocol
from ringfence.testing import arrivals, routine, rules, screening, service
from ringfence.testing.models import ScreeningRound
from ringfence.testing.schemas import LabUploadResult, RejectedRow, RoundCreate

END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)  # "every result known": the lab's view of a tube
DOOR_KNOCK_WINDOW = timedelta(hours=48)  # rounds closed this recently get door-knocking tasks
CHUNK = 1000  # ids per IN (…) list


def city_scope(actor: str) -> Scope:
    """The daily cycle acts for the whole city."""
    return Scope(actor=actor, role=Role.commander, subtree=None, origin="respond")


# ---- statuses ----------------------------------------------------------------------------------


def person_statuses(*, session: Session, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Who already is something: `isolation:<kind>` for an active placement, `case:<status>` for a case.

    `extra` (e.g. a capability's own statuses) is laid over both; a case wins over an isolation.
    """
    from ringfence.cases.models import Case, CaseStatus

    found: dict[str, str] = {}
    try:
        from ringfence.isolation.models import Placement
        from ringfence.isolation.rules import ACTIVE_STATUSES
    except ImportError:  # the isolation capability is optional to screening
        Placement = None
    if Placement is not None:
        query = select(Placement.person_id, Placement.kind, Placement.status).where(
            Placement.status.in_(ACTIVE_STATUSES)
        )
        for person_id, kind, status in session.execute(query):
            found[person_id] = f"isolation:{kind.value}" + (":waiting" if status.value == "waiting" else "")
    for person_id, status in session.execute(
        select(Case.person_id, Case.status).where(Case.status != CaseStatus.discarded)
    ):
        found[person_id] = f"case:{status.value}"
    found.update(extra or {})
    return found


# ---- rounds ------------------------------------------------------------------------------------


def create_round(
    *, session: Session, scope: Scope, round_in: RoundCreate, protocol: Protocol, at: datetime
) -> ScreeningRound:
    """A new round, and its task: the round done by its deadline (属地: the round's area)."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    screening_round = service.create_round(session=session, scope=scope, round_in=round_in, protocol=protocol, at=at)
    tasks.ensure(
        session=session, kind=TaskKind.area_round, subject_id=screening_round.round_id,
        area_id=screening_round.area_id, due_at=screening_round.deadline_at,
        source_key=f"round:{screening_round.round_id}", actor=scope.actor, protocol=protocol, created_at=at,
        detail=f"{screening_round.level.value} round, {screening_round.pool_size}-in-1",
    )
    return screening_round


# ---- respond steps -----------------------------------------------------------------------------


def derive_recall(session: Session, context) -> dict[str, int]:
    """A task per member of a positive pool to re-sample (due 12 h after the result); done once re-sampled."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import Task, TaskKind, TaskStatus

    document = service.recall(
        session=session, store=context.events, scope=city_scope(context.actor), protocol=context.protocol,
        as_of=context.as_of,
    )
    created, wanted = 0, set()
    for row in document.recall:
        key = f"recall:{row.tube_id}:{row.person_id}"
        wanted.add(key)
        _, new = tasks.ensure(
            session=session, kind=TaskKind.recall_pool, subject_id=row.person_id, area_id=row.community_id,
            due_at=row.due_at, source_key=key, actor=context.actor, protocol=context.protocol,
            created_at=context.as_of,
            detail=f"pooled tube {row.tube_id} collected {row.collected_at.isoformat()} "
                   f"positive {row.reported_at.isoformat()}: re-sample single-tube",
        )
        created += new
    done = 0
    still_open = session.scalars(select(Task).where(Task.kind == TaskKind.recall_pool, Task.status == TaskStatus.open))
    for task in list(still_open):
        if task.source_key not in wanted and task.created_at <= context.as_of:
            tasks.complete(session=session, task=task, at=context.as_of, actor=context.actor)
            done += 1
    return {"recalls": len(document.recall), "tasks_created": created, "tasks_done": done,
            "candidates": len(document.candidates), "conflicting_tubes": len(document.conflicts)}


def derive_rounds(session: Session, context) -> dict[str, int]:
    """Round tasks done once everyone is covered; after a deadline, a door-knocking task per building missed."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    as_of = context.as_of
    running = [r for r in service.get_rounds(session=session, scope=city_scope(context.actor))
               if r.starts_at <= as_of < r.deadline_at + DOOR_KNOCK_WINDOW]
    counts = {"rounds": len(running), "rounds_complete": 0, "door_knocks_created": 0}
    for screening_round in running:
        root = session.get(Area, screening_round.area_id)
        if root is None:
            continue
        missed = screening.uncovered(context.events, root_path=root.path, since=screening_round.starts_at, as_of=as_of)
        if missed.num_rows == 0:
            counts["rounds_complete"] += 1
            tasks.complete_by_source(session=session, kind=TaskKind.area_round,
                                     source_key=f"round:{screening_round.round_id}", at=as_of, actor=context.actor)
            continue
        if as_of < screening_round.deadline_at:
            continue
        buildings = missed.group_by(["building_id", "community_id"], use_threads=False).aggregate(
            [("person_id", "count")]
        )
        due = screening_round.deadline_at + timedelta(hours=context.protocol.deadlines.door_knock)
        for row in buildings.to_pylist():
            _, new = tasks.ensure(
                session=session, kind=TaskKind.door_knock, subject_id=row["building_id"],
                area_id=row["community_id"], due_at=due,
                source_key=f"door_knock:{screening_round.round_id}:{row['building_id']}", actor=context.actor,
                protocol=context.protocol, created_at=as_of,
                detail=f"{row['person_id_count']} residents not sampled in round {screening_round.round_id}",
            )
            counts["door_knocks_created"] += new
    return counts


def derive_arrivals(session: Session, context) -> dict[str, int]:
    """A follow-up task per arrival without advance report, or missing its arrival or later test."""
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    document = arrivals.check(
        session=session, store=context.events, scope=city_scope(context.actor), protocol=context.protocol,
        as_of=context.as_of,
    )
    hours = timedelta(hours=context.protocol.deadlines.arrival_followup)
    counts = {"arrivals": len(document.arrivals), "with_problems": 0, "tasks_created": 0}
    for check in document.arrivals:
        followed = [p for p in check.problems if p in arrivals.FOLLOWED_UP]
        counts["with_problems"] += bool(followed)
        for problem in followed:
            _, new = tasks.ensure(
                session=session, kind=TaskKind.arrival_followup, subject_id=check.person_id,
                area_id=check.community_id, due_at=arrivals.missed_at(check, problem, context.protocol) + hours,
                source_key=f"arrival:{check.arrival_id}:{problem}", actor=context.actor,
                protocol=context.protocol, created_at=context.as_of,
                detail=f"{problem}: arrived {check.arrive_at.isoformat()} from {check.origin} "
                       f"({check.origin_risk.value} risk, measure {check.measure.value})",
            )
            counts["tasks_created"] += new
    return counts


def derive_key_places(session: Session, context) -> dict[str, int]:
    """A task per key place and day whose venue-code check let in people without a recent negative."""
    from ringfence.areas.models import Building
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    start, end = service.day_window(context.as_of)
    document = service.key_place_violations(
        store=context.events, protocol=context.protocol, start=start, end=end, as_of=context.as_of
    )
    flagged = [v for v in document.venues if v.violations]
    communities = {
        building_id: community_id for building_id, community_id in session.execute(
            select(Building.building_id, Building.community_id).where(
                Building.building_id.in_(sorted({v.building_id for v in flagged if v.building_id}))
            )
        )
    } if flagged else {}
    due = context.as_of + timedelta(hours=context.protocol.deadlines.key_place_violation)
    created = 0
    for venue in flagged:
        _, new = tasks.ensure(
            session=session, kind=TaskKind.key_place_violation, subject_id=venue.venue_id,
            area_id=communities.get(venue.building_id), due_at=due,
            source_key=f"key_place:{venue.venue_id}:{venue.day.isoformat()}", actor=context.actor,
            protocol=context.protocol, created_at=context.as_of,
            detail=f"{venue.violations} of {venue.checkins} check-ins on {venue.day.isoformat()} "
                   f"without a negative test within the protocol's hours ({venue.kind})",
        )
        created += new
    return {"violations": len(document.violations), "venues": len(flagged), "tasks_created": created}


def derive_routine_screening(session: Session, context) -> dict[str, int]:
    """A task per key-group member overdue for their routine test (常态筛): sample them, for their community.

    One open task per member at a time, keyed by their last covering sample: once sampled since, it is
    done; a member no longer in a key group (or no longer overdue) has it cancelled. The unit is the
    member's employer when known; the due time is the protocol's hours after they fell due.
    """
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import Task, TaskKind, TaskStatus

    as_of = context.as_of
    members = {
        m["person_id"]: m for m in routine.routine_members(
            context.events, rules=context.protocol.screening, key_places=context.protocol.key_places, as_of=as_of
        ).to_pylist()
    }
    counts = {"overdue": sum(m["overdue"] for m in members.values()), "tasks_created": 0, "tasks_done": 0,
              "tasks_cancelled": 0}
    open_for: set[str] = set()
    still_open = session.scalars(
        select(Task).where(Task.kind == TaskKind.routine_screening, Task.status == TaskStatus.open)
    )
    for task in list(still_open):
        member = members.get(task.subject_id)
        if task.created_at > as_of:  # a later run made it: not this run's to judge
            open_for.add(task.subject_id)
        elif member is None:
            tasks.cancel(session=session, task=task, at=as_of, actor=context.actor, reason="no longer in a key group")
            counts["tasks_cancelled"] += 1
        elif rules.sampled_since(rules.routine_key_marker(task.source_key), member["last_sampled_at"]):
            done_at = max(member["last_sampled_at"], task.created_at)
            tasks.complete(session=session, task=task, at=done_at, actor=context.actor)
            counts["tasks_done"] += 1
        elif not member["overdue"]:
            tasks.cancel(session=session, task=task, at=as_of, actor=context.actor, reason="no longer overdue")
            counts["tasks_cancelled"] += 1
        else:
            open_for.add(task.subject_id)
    late = [m for m in members.values() if m["overdue"] and m["person_id"] not in open_for]
    if not late:
        return counts
    people = sorted(m["person_id"] for m in late)
    taken = {  # keys already used for these members: a new task must not reuse one
        key for start in range(0, len(people), CHUNK) for key in session.scalars(select(Task.source_key).where(
            Task.kind == TaskKind.routine_screening, Task.subject_id.in_(people[start:start + CHUNK])
        ))
    }
    communities = _communities(session, {m["building_id"] for m in late if m["building_id"]})
    hours = timedelta(hours=context.protocol.deadlines.routine_screening)
    specs = [
        tasks.TaskSpec(
            subject_id=m["person_id"], area_id=communities.get(m["building_id"]),
            due_at=(m["due_at"] or as_of) + hours, unit=m["workplace_id"],
            source_key=rules.routine_task_key(m["person_id"], m["last_sampled_at"], taken),
            detail=f"{m['key_group']} (every {m['hours']} h): last sampled "
                   f"{m['last_sampled_at'].isoformat() if m['last_sampled_at'] else 'never'}",
        )
        for m in late
    ]
    counts["tasks_created"] = tasks.ensure_many(
        session=session, kind=TaskKind.routine_screening, specs=specs, actor=context.actor,
        protocol=context.protocol, created_at=as_of,
    )
    return counts


def _communities(session: Session, building_ids: set[str]) -> dict[str, str]:
    """Each building's community (属地 of the people living there)."""
    from ringfence.areas.models import Building

    found: dict[str, str] = {}
    wanted = sorted(building_ids)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        query = select(Building.building_id, Building.community_id).where(Building.building_id.in_(chunk))
        found.update((building_id, community_id) for building_id, community_id in session.execute(query))
    return found


# ---- the lab's uploads ---------------------------------------------------------------------------


def upload(
    *, settings: Settings, kind: str, rows: list[dict], actor: str, store: EventStore | None = None
) -> LabUploadResult:
    """Rows a lab posts, through the feed importer (same checks, rejects, idempotency, audit).

    Answers which uploaded tubes have no result yet (pending) and which read both positive and negative.
    """
    from ringfence.imports.flows import import_file
    from ringfence.imports.schemas import FeedKind

    path = _rows_file(settings, kind, rows)
    try:
        result = import_file(settings=settings, kind=FeedKind(kind), path=path, actor=actor, progress=False)
    finally:
        path.unlink(missing_ok=True)
    rejects = _rejects(Path(result.rejects_path)) if result.rejects_path else []
    refused = {r.index for r in rejects}
    tubes = [row["tube_id"] for i, row in enumerate(rows) if i not in refused and row.get("tube_id")]
    owned = store is None
    store = store or open_store(settings)
    try:
        states = screening.tube_states(store, tube_ids=tubes, as_of=END_OF_TIME).to_pylist()
    finally:
        if owned:
            store.close()
    return LabUploadResult(
        kind=result.kind, rows=result.rows, accepted=result.accepted, rejected=result.rejected,
        duplicates=result.duplicates, rejects=rejects,
        pending_tubes=[s["tube_id"] for s in states if s["state"] == "pending"] if kind == "samples" else [],
        conflicting_tubes=[s["tube_id"] for s in states if s["conflict"]],
    )


def _rows_file(settings: Settings, kind: str, rows: list[dict]) -> Path:
    """The posted rows as a Parquet feed of text columns (those any row fills), beside the data home."""
    columns = [c for c in dict.fromkeys(k for row in rows for k in row) if any(row.get(c) is not None for row in rows)]
    table = pa.table({
        c: pa.array([None if row.get(c) is None else str(row[c]) for row in rows], pa.string()) for c in columns
    })
    folder = settings.home / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{uuid.uuid4().hex[:12]}.parquet"
    pq.write_table(table, path)
    return path


def _rejects(path: Path) -> list[RejectedRow]:
    """The rejects file's rows as positions in the upload (a Parquet row n is line n + 2)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [RejectedRow(index=int(row["line"]) - 2, reason=row["reason"]) for row in csv.DictReader(handle)]
