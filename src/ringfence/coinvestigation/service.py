"""Co-investigation requests (协查): asked of or by another jurisdiction, acknowledged and answered by deadlines.

An incoming request is work for our side: it carries a `co_investigation` task due at the answer
deadline (territory: the area given, else the subject person's home community). Scoping: by the
request's area; requests without one are seen by city-wide roles only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Scope
from ringfence.coinvestigation import rules
from ringfence.coinvestigation.models import CoInvestigation, Direction, RequestStatus, SubjectKind
from ringfence.coinvestigation.schemas import RequestCreate, RequestFilter, RequestRead
from ringfence.core import audit, clock, timeline
from ringfence.core.errors import InvalidInput, NotFound
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.tasks import service as tasks
from ringfence.tasks.models import Task, TaskKind, TaskStatus

SUBJECT_TYPE = "co_investigation"


def _record(session: Session, request: CoInvestigation, *, actor: str, action: str, at: datetime,
            detail: str | None = None) -> None:
    timeline.record(session, subject_type=SUBJECT_TYPE, subject_id=str(request.request_id), actor=actor,
                    action=action, detail=detail, at=at)


def _scoped(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return query.join(Area, Area.area_id == CoInvestigation.area_id).where(in_subtree(Area.path, scope.subtree))


def _home_community(session: Session, person_id: str) -> str | None:
    return session.scalar(select(Building.community_id).join(Person, Person.building_id == Building.building_id)
                          .where(Person.person_id == person_id))


def send(*, session: Session, scope: Scope, request_in: RequestCreate, actor: str, protocol: Protocol) -> CoInvestigation:
    """Record a request sent (outgoing) or received (incoming), with its two deadlines."""
    at = request_in.sent_at or clock.now()
    if at.tzinfo is None:
        raise InvalidInput("sent_at needs a UTC offset")
    area_id = request_in.area_id
    if area_id is None and request_in.subject_kind is SubjectKind.person:
        area_id = _home_community(session, request_in.subject_ref)
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None or not scope.covers(area.path):
            raise NotFound(f"no area {area_id!r}")
    elif not scope.everywhere:
        raise InvalidInput("give area_id: the request must belong to an area of your jurisdiction")
    rules_of = protocol.responsibility
    request = CoInvestigation(
        **request_in.model_dump(exclude={"sent_at", "area_id"}), area_id=area_id, sent_at=at, sent_by=actor,
        ack_due=at + timedelta(hours=rules_of.co_investigation_ack_hours),
        answer_due=at + timedelta(hours=rules_of.co_investigation_answer_hours), status=RequestStatus.sent,
    )
    session.add(request)
    session.flush()
    if request.direction is Direction.incoming:
        task, _ = tasks.ensure(
            session=session, kind=TaskKind.co_investigation, subject_id=request.subject_ref, area_id=area_id,
            due_at=request.answer_due, source_key=f"request:{request.request_id}", actor=actor, protocol=protocol,
            created_at=at, detail=f"from {request.counterpart}: {request.question[:200]}",
        )
        request.task_id = task.task_id
    _record(session, request, actor=actor, action=f"request.{request.direction.value}", at=at,
            detail=f"{request.counterpart}: {request.subject_kind.value} {request.subject_ref}")
    audit.record(session, user=actor, action="co_investigation.create", origin=scope.origin,
                 subject=f"{request.subject_kind.value}:{request.subject_ref}", detail=request.counterpart)
    return request


def get(*, session: Session, scope: Scope, request_id: int) -> CoInvestigation:
    request = session.scalar(_scoped(select(CoInvestigation), scope).where(CoInvestigation.request_id == request_id))
    if request is None:
        raise NotFound(f"no co-investigation request {request_id}")
    return request


def get_all(*, session: Session, scope: Scope, filters: RequestFilter, as_of: datetime | None = None,
            page: int = 1, size: int = 50) -> tuple[list[CoInvestigation], int]:
    """Requests in the caller's subtree by answer deadline; `overdue` = a deadline missed at `as_of`."""
    query = _scoped(select(CoInvestigation), scope)
    if filters.direction is not None:
        query = query.where(CoInvestigation.direction == filters.direction)
    if filters.status is not None:
        query = query.where(CoInvestigation.status == filters.status)
    if filters.overdue:
        as_of = as_of or clock.now()
        late_ack = (CoInvestigation.status == RequestStatus.sent) & (CoInvestigation.ack_due < as_of)
        late_answer = CoInvestigation.status.in_([RequestStatus.sent, RequestStatus.acknowledged]) & (
            CoInvestigation.answer_due < as_of)
        query = query.where(late_ack | late_answer)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(CoInvestigation.answer_due, CoInvestigation.request_id)
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def read(request: CoInvestigation, *, as_of: datetime | None = None) -> RequestRead:
    """The request with the deadlines it has missed at `as_of`."""
    record = RequestRead.model_validate(request)
    record.missed = rules.lateness(
        status=request.status, ack_due=request.ack_due, answer_due=request.answer_due,
        acknowledged_at=request.acknowledged_at, answered_at=request.answered_at, as_of=as_of or clock.now(),
    )
    return record


def acknowledge(*, session: Session, request: CoInvestigation, actor: str, at: datetime | None = None) -> CoInvestigation:
    rules.check_step(request.status, RequestStatus.acknowledged)
    at = at or clock.now()
    request.status, request.acknowledged_at = RequestStatus.acknowledged, at
    _record(session, request, actor=actor, action="request.acknowledged", at=at,
            detail="on time" if at <= request.ack_due else "late")
    return request


def answer(*, session: Session, request: CoInvestigation, text: str, actor: str, at: datetime | None = None,
           origin: str | None = None) -> CoInvestigation:
    """Record the answer (ours to an incoming request, theirs to an outgoing one); closes the task."""
    rules.check_step(request.status, RequestStatus.answered)
    at = at or clock.now()
    request.status, request.answer, request.answered_at = RequestStatus.answered, text, at
    request.acknowledged_at = request.acknowledged_at or at
    _record(session, request, actor=actor, action="request.answered", at=at,
            detail="on time" if at <= request.answer_due else "late")
    tasks.complete_by_source(session=session, kind=TaskKind.co_investigation, source_key=f"request:{request.request_id}",
                             at=at, actor=actor)
    audit.record(session, user=actor, action="co_investigation.answer", origin=origin,
                 subject=f"{request.subject_kind.value}:{request.subject_ref}", detail=f"request {request.request_id}")
    return request


def withdraw(*, session: Session, request: CoInvestigation, actor: str, at: datetime | None = None) -> CoInvestigation:
    rules.check_step(request.status, RequestStatus.withdrawn)
    at = at or clock.now()
    request.status = RequestStatus.withdrawn
    _record(session, request, actor=actor, action="request.withdrawn", at=at)
    if request.task_id is not None:
        task = session.get(Task, request.task_id)
        if task is not None and task.status is TaskStatus.open:
            tasks.cancel(session=session, task=task, at=at, actor=actor, reason="request withdrawn")
    return request
