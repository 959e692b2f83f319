"""Incidents (燃点): open one with its handling team, link cases, zones and tasks, move it to extinguished.

Scoping: an incident belongs to the area reporting it; callers see incidents whose area lies in
their subtree. Every change is on the incident's timeline.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Scope
from ringfence.cases.models import Case
from ringfence.core import clock, timeline
from ringfence.core.errors import InvalidInput, NotFound
from ringfence.incidents import rules
from ringfence.incidents.models import (
    Incident,
    IncidentLink,
    IncidentMember,
    IncidentStatus,
    LinkKind,
    TeamRole,
)
from ringfence.incidents.schemas import (
    IncidentCase,
    IncidentCreate,
    IncidentView,
    LinkIn,
    MemberIn,
)
from ringfence.tasks import rules as task_rules
from ringfence.tasks import service as tasks
from ringfence.tasks.models import Task, TaskStatus
from ringfence.tasks.schemas import HistoryEntry

SUBJECT_TYPE = "incident"


def _record(session: Session, incident: Incident, *, actor: str, action: str, at: datetime | None = None,
            detail: str | None = None) -> None:
    timeline.record(session, subject_type=SUBJECT_TYPE, subject_id=str(incident.incident_id), actor=actor,
                    action=action, detail=detail, at=at or clock.now())


def _scoped(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return query.join(Area, Area.area_id == Incident.area_id).where(in_subtree(Area.path, scope.subtree))


def open_incident(*, session: Session, scope: Scope, incident_in: IncidentCreate, actor: str) -> Incident:
    """A new outbreak point in the caller's subtree, with its team and first cases."""
    area = session.get(Area, incident_in.area_id)
    if area is None or not scope.covers(area.path):
        raise NotFound(f"no area {incident_in.area_id!r}")
    at = incident_in.opened_at or clock.now()
    if at.tzinfo is None:
        raise InvalidInput("opened_at needs a UTC offset")
    incident = Incident(name=incident_in.name, area_id=area.area_id, status=IncidentStatus.opened, opened_at=at,
                        status_at=at, summary=incident_in.summary)
    session.add(incident)
    session.flush()
    _record(session, incident, actor=actor, action="incident.opened", at=at, detail=incident.name)
    for member in incident_in.team:
        add_member(session=session, incident=incident, member_in=member, actor=actor, at=at)
    for case_id in incident_in.case_ids:
        link(session=session, incident=incident, link_in=LinkIn(kind=LinkKind.case, ref=str(case_id)), actor=actor, at=at)
    return incident


def get(*, session: Session, scope: Scope, incident_id: int) -> Incident:
    incident = session.scalar(_scoped(select(Incident), scope).where(Incident.incident_id == incident_id))
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def get_all(*, session: Session, scope: Scope, status: IncidentStatus | None = None, page: int = 1,
            size: int = 50) -> tuple[list[Incident], int]:
    query = _scoped(select(Incident), scope)
    if status is not None:
        query = query.where(Incident.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Incident.opened_at.desc(), Incident.incident_id.desc())
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def add_member(*, session: Session, incident: Incident, member_in: MemberIn, actor: str,
               at: datetime | None = None) -> IncidentMember:
    """Add someone to the handling team; a new lead replaces the old one (who stays a member)."""
    if member_in.role is TeamRole.lead:
        for current in session.scalars(select(IncidentMember).where(
                IncidentMember.incident_id == incident.incident_id, IncidentMember.role == TeamRole.lead)):
            current.role = TeamRole.member
    member = session.scalar(select(IncidentMember).where(
        IncidentMember.incident_id == incident.incident_id, IncidentMember.name == member_in.name))
    if member is None:
        member = IncidentMember(incident_id=incident.incident_id, **member_in.model_dump())
        session.add(member)
    else:
        member.role, member.party, member.organisation = member_in.role, member_in.party, member_in.organisation
    session.flush()
    _record(session, incident, actor=actor, action="incident.member", at=at,
            detail=f"{member.name} ({member.role.value}, {member.party.value})")
    return member


def _is_record_id(ref: str) -> bool:
    # digits within the store's integer range (a longer number would overflow the query)
    return ref.isascii() and ref.isdigit() and len(ref) <= 9


def link(*, session: Session, incident: Incident, link_in: LinkIn, actor: str, at: datetime | None = None) -> IncidentLink:
    """Attach a case (its id), a zone (its id) or a task (its id) to the incident; idempotent."""
    record_of = {LinkKind.case: Case, LinkKind.task: Task}.get(link_in.kind)
    if record_of is not None and (not _is_record_id(link_in.ref) or session.get(record_of, int(link_in.ref)) is None):
        raise InvalidInput(f"no {link_in.kind.value} {link_in.ref!r}")
    existing = session.scalar(select(IncidentLink).where(
        IncidentLink.incident_id == incident.incident_id, IncidentLink.kind == link_in.kind,
        IncidentLink.ref == link_in.ref))
    if existing is not None:
        return existing
    at = at or clock.now()
    row = IncidentLink(incident_id=incident.incident_id, kind=link_in.kind, ref=link_in.ref, linked_at=at)
    session.add(row)
    session.flush()
    _record(session, incident, actor=actor, action=f"incident.{link_in.kind.value}_linked", at=at, detail=link_in.ref)
    return row


def change_status(*, session: Session, incident: Incident, status: IncidentStatus, actor: str,
                  at: datetime | None = None, note: str | None = None) -> Incident:
    """Move the incident along its life (opened → controlling → contained → extinguished)."""
    rules.check_transition(incident.status, status)
    at = at or clock.now()
    incident.status, incident.status_at = status, at
    _record(session, incident, actor=actor, action=f"incident.{status.value}", at=at, detail=note)
    return incident


def report(*, session: Session, incident: Incident, as_of: datetime | None = None) -> IncidentView:
    """What the district reports at the headquarters meeting: team, cases, zones, tasks, timeline."""
    as_of = as_of or clock.now()
    links = list(session.scalars(select(IncidentLink).where(IncidentLink.incident_id == incident.incident_id)
                                 .order_by(IncidentLink.link_id)))
    refs = {kind: [l.ref for l in links if l.kind is kind] for kind in LinkKind}
    cases = list(session.scalars(select(Case).where(Case.case_id.in_([int(r) for r in refs[LinkKind.case]]))
                                 .order_by(Case.confirmed_at, Case.case_id)))
    people = [c.person_id for c in cases]
    # the incident's tasks: those linked, and every task about one of its cases' people
    task_rows = list(session.scalars(select(Task).where(or_(
        Task.task_id.in_([int(r) for r in refs[LinkKind.task]]), Task.subject_id.in_(people),
    )).order_by(Task.due_at, Task.task_id))) if (people or refs[LinkKind.task]) else []
    members = list(session.scalars(select(IncidentMember).where(IncidentMember.incident_id == incident.incident_id)
                                   .order_by(IncidentMember.member_id)))
    lead = next((m.name for m in members if m.role is TeamRole.lead), None)
    history = timeline.history(session, subject_type=SUBJECT_TYPE, subject_id=str(incident.incident_id))
    open_tasks = [t for t in task_rows if t.status is TaskStatus.open]
    overdue = [t for t in open_tasks if task_rules.is_overdue(due_at=t.due_at, as_of=as_of)]
    return IncidentView(
        incident_id=incident.incident_id, name=incident.name, area_id=incident.area_id, status=incident.status,
        opened_at=incident.opened_at, status_at=incident.status_at, summary=incident.summary, lead=lead,
        team=[MemberIn.model_validate(m) for m in members],
        cases=[IncidentCase(case_id=c.case_id, person_id=c.person_id, classification=c.classification.value,
                            confirmed_at=c.confirmed_at) for c in cases],
        zones=refs[LinkKind.zone], tasks=tasks.rows(session=session, tasks=task_rows, as_of=as_of),
        open_tasks=len(open_tasks), overdue_tasks=len(overdue),
        timeline=[HistoryEntry.model_validate(e) for e in history],
    )
