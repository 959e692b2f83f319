"""Cases: create, look up, move through their statuses — every change on the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Scope
from ringfence.cases import rules
from ringfence.cases.models import Case, CaseStatus
from ringfence.cases.schemas import CaseCreate
from ringfence.core import audit, timeline
from ringfence.core.errors import Conflict, NotFound
from ringfence.people.models import Person


def get(*, session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def get_by_person(*, session: Session, person_id: str) -> Case | None:
    return session.scalar(select(Case).where(Case.person_id == person_id))


def get_all(*, session: Session, confirmed_from: datetime | None = None, confirmed_to: datetime | None = None) -> list[Case]:
    """Cases confirmed in `[confirmed_from, confirmed_to)`, oldest first."""
    query = select(Case).order_by(Case.confirmed_at, Case.case_id)
    if confirmed_from is not None:
        query = query.where(Case.confirmed_at >= confirmed_from)
    if confirmed_to is not None:
        query = query.where(Case.confirmed_at < confirmed_to)
    return list(session.scalars(query))


def in_scope(query: Select, scope: Scope) -> Select:
    """Cases whose person lives inside the caller's jurisdiction (city-wide roles: every case)."""
    if scope.everywhere:
        return query
    return (
        query.join(Person, Person.person_id == Case.person_id)
        .join(Building, Building.building_id == Person.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(in_subtree(Area.path, scope.subtree))
    )


def get_visible(*, session: Session, scope: Scope, case_id: int) -> Case:
    """The case, if its person lives in the caller's jurisdiction; NotFound otherwise (never Forbidden)."""
    case = session.scalar(in_scope(select(Case), scope).where(Case.case_id == case_id))
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def get_page(*, session: Session, scope: Scope, page: int = 1, size: int = 50) -> tuple[list[Case], int]:
    """One page of the cases in the caller's jurisdiction, newest confirmation first, and the total; audited."""
    query = in_scope(select(Case), scope)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    cases = list(session.scalars(query.order_by(Case.confirmed_at.desc(), Case.case_id.desc())
                                 .offset((page - 1) * size).limit(size)))
    for case in cases:
        audit.record(session, user=scope.actor, action="case.list", subject=f"case:{case.case_id}",
                     origin=scope.origin, detail=f"page={page} size={size}")
    return cases, total


def history(*, session: Session, case: Case) -> list[timeline.TimelineEntry]:
    """The case's timeline, oldest first."""
    return timeline.history(session, subject_type="case", subject_id=str(case.case_id))


def create(*, session: Session, case_in: CaseCreate, actor: str) -> Case:
    if session.get(Person, case_in.person_id) is None:
        raise NotFound(f"no person {case_in.person_id}")
    if get_by_person(session=session, person_id=case_in.person_id) is not None:
        raise Conflict(f"person {case_in.person_id} is already a case")
    rules.check_times(confirmed_at=case_in.confirmed_at, onset_at=case_in.onset_at, sampled_at=case_in.sampled_at)
    case = Case(**case_in.model_dump())
    if case.isolated_at is not None:
        case.status = CaseStatus.isolated
    session.add(case)
    session.flush()
    timeline.record(
        session, subject_type="case", subject_id=str(case.case_id), actor=actor, action="case.confirmed",
        detail=f"{case.classification.value} via {case.found_via.value}",
    )
    return case


def transition(*, session: Session, case: Case, to: CaseStatus, at: datetime, actor: str) -> Case:
    rules.ensure_transition(case.status, to)
    case.status = to
    if to is CaseStatus.isolated and case.isolated_at is None:
        case.isolated_at = at
    timeline.record(session, subject_type="case", subject_id=str(case.case_id), actor=actor, action=f"case.{to.value}", at=at)
    return case
