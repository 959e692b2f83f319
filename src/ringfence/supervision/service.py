"""Inspections of places, their findings, rectification tasks and closure. Never commits.

A finding's territory is the inspected place's area; each finding carries a `rectification`
task due at its deadline, so an unrectified finding escalates like any other overdue task.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Scope
from ringfence.core import clock, timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.protocols.models import Protocol
from ringfence.supervision import rules
from ringfence.supervision.models import Finding, FindingStatus, Inspection
from ringfence.supervision.schemas import (
    FindingCreate,
    FindingFilter,
    FindingRead,
    InspectionCreate,
    InspectionRead,
    RepeatedFinding,
)
from ringfence.tasks import service as tasks
from ringfence.tasks.models import TaskKind


def _scoped(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return query.join(Area, Area.area_id == Inspection.area_id).where(in_subtree(Area.path, scope.subtree))


def record(
    *, session: Session, scope: Scope, inspection_in: InspectionCreate, actor: str, protocol: Protocol | None = None
) -> Inspection:
    """An inspection of a place in the caller's subtree, with its findings and their rectification tasks."""
    area = session.get(Area, inspection_in.area_id)
    if area is None or not scope.covers(area.path):
        raise NotFound(f"no area {inspection_in.area_id!r}")
    at = inspection_in.inspected_at or clock.now()
    if at.tzinfo is None or any(f.rectify_by.tzinfo is None for f in inspection_in.findings):
        raise InvalidInput("times need a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
    inspection = Inspection(**inspection_in.model_dump(exclude={"findings", "inspected_at"}), inspected_at=at)
    session.add(inspection)
    session.flush()
    timeline.record(session, subject_type="inspection", subject_id=str(inspection.inspection_id), actor=actor,
                    action="inspection.recorded", at=at,
                    detail=f"{inspection.place_kind.value} {inspection.place_id}: {len(inspection_in.findings)} findings")
    for finding_in in inspection_in.findings:
        add_finding(session=session, inspection=inspection, finding_in=finding_in, actor=actor, protocol=protocol, at=at)
    return inspection


def add_finding(*, session: Session, inspection: Inspection, finding_in: FindingCreate, actor: str,
                protocol: Protocol | None = None, at: datetime | None = None) -> Finding:
    """A gap found at an inspected place, with its rectification deadline and task."""
    at = at or clock.now()
    if finding_in.rectify_by.tzinfo is None:
        raise InvalidInput("rectify_by needs a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
    if finding_in.rectify_by <= inspection.inspected_at:
        raise InvalidInput("rectify_by must come after the inspection")
    finding = Finding(inspection_id=inspection.inspection_id, status=FindingStatus.open,
                      **finding_in.model_dump())
    session.add(finding)
    session.flush()
    task, _ = tasks.ensure(
        session=session, kind=TaskKind.rectification, subject_id=f"{inspection.place_kind.value}:{inspection.place_id}",
        area_id=inspection.area_id, due_at=finding.rectify_by, source_key=f"finding:{finding.finding_id}", actor=actor,
        protocol=protocol, unit=finding.unit, created_at=at, detail=f"{finding.category}: {finding.description[:200]}",
    )
    if finding.person:
        task.assignee = finding.person
    if finding.department:
        task.department = finding.department
    finding.task_id = task.task_id
    timeline.record(session, subject_type="inspection", subject_id=str(inspection.inspection_id), actor=actor,
                    action="finding.recorded", at=at, detail=f"{finding.category} by {finding.rectify_by.isoformat()}")
    return finding


def get(*, session: Session, scope: Scope, inspection_id: int) -> Inspection:
    inspection = session.scalar(_scoped(select(Inspection), scope).where(Inspection.inspection_id == inspection_id))
    if inspection is None:
        raise NotFound(f"no inspection {inspection_id}")
    return inspection


def findings_of(*, session: Session, inspection: Inspection) -> list[Finding]:
    return list(session.scalars(select(Finding).where(Finding.inspection_id == inspection.inspection_id)
                                .order_by(Finding.finding_id)))


def read(*, session: Session, inspection: Inspection) -> InspectionRead:
    """The inspection with its findings, as the faces show it."""
    record = InspectionRead.model_validate(inspection)
    record.findings = [FindingRead.model_validate(f) for f in findings_of(session=session, inspection=inspection)]
    return record


def get_all(*, session: Session, scope: Scope, page: int = 1, size: int = 50) -> tuple[list[Inspection], int]:
    query = _scoped(select(Inspection), scope)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Inspection.inspected_at.desc(), Inspection.inspection_id.desc())
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def _findings_scoped(scope: Scope) -> Select:
    return _scoped(select(Finding).join(Inspection, Inspection.inspection_id == Finding.inspection_id), scope)


def get_finding(*, session: Session, scope: Scope, finding_id: int) -> Finding:
    finding = session.scalar(_findings_scoped(scope).where(Finding.finding_id == finding_id))
    if finding is None:
        raise NotFound(f"no finding {finding_id}")
    return finding


def get_findings(*, session: Session, scope: Scope, filters: FindingFilter, as_of: datetime | None = None,
                 page: int = 1, size: int = 50) -> tuple[list[Finding], int]:
    """Findings in the caller's subtree by deadline; `overdue` = not rectified by its deadline at `as_of`."""
    query = _findings_scoped(scope)
    if filters.status is not None:
        query = query.where(Finding.status == filters.status)
    if filters.category is not None:
        query = query.where(Finding.category == filters.category)
    if filters.department is not None:
        query = query.where(Finding.department == filters.department)
    if filters.overdue:
        as_of = as_of or clock.now()
        query = query.where(Finding.rectify_by < as_of,
                            (Finding.status == FindingStatus.open) | (Finding.rectified_at > as_of))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Finding.rectify_by, Finding.finding_id).offset((page - 1) * size).limit(size))
    return list(rows), total


def close(*, session: Session, finding: Finding, note: str, actor: str, at: datetime | None = None,
          origin: str | None = None) -> Finding:
    """Record that a finding was rectified; closes its task (on time or late by its deadline)."""
    if finding.status is not FindingStatus.open:
        raise Conflict(f"finding {finding.finding_id} is already {finding.status.value}")
    at = at or clock.now()
    finding.status, finding.rectified_at, finding.closure_note, finding.closed_by = FindingStatus.rectified, at, note, actor
    tasks.complete_by_source(session=session, kind=TaskKind.rectification, source_key=f"finding:{finding.finding_id}",
                             at=at, actor=actor)
    timeline.record(session, subject_type="inspection", subject_id=str(finding.inspection_id), actor=actor,
                    action="finding.rectified", at=at,
                    detail=f"finding {finding.finding_id} " + ("on time" if at <= finding.rectify_by else "late"))
    return finding


def repeated_findings(*, session: Session, scope: Scope, at_least: int = 2) -> list[RepeatedFinding]:
    """Gaps found again and again under the same responsible party (area, department, unit, person)."""
    rows = session.execute(
        _scoped(select(Inspection.area_id, Finding.department, Finding.unit, Finding.person, Finding.category)
                .join(Finding, Finding.inspection_id == Inspection.inspection_id), scope)
    ).all()
    pairs = []
    for area_id, department, unit, person, category in rows:
        pairs.append((f"area:{area_id}", category))
        pairs.extend((f"{kind}:{name}", category) for kind, name in
                     (("department", department), ("unit", unit), ("person", person)) if name)
    found = rules.repeated(pairs, at_least=at_least)
    return [RepeatedFinding(party=party, category=category, count=count)
            for (party, category), count in sorted(found.items(), key=lambda item: (-item[1], item[0]))]
