"""`/api/inspections`: inspections of places, their findings, rectification and repeated gaps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.supervision import service
from ringfence.supervision.schemas import (
    FindingClose,
    FindingCreate,
    FindingFilter,
    FindingRead,
    InspectionCreate,
    InspectionRead,
    RepeatedFinding,
)
from ringfence.tasks.views import RecordId, aware_or_now

router = APIRouter(prefix="/inspections", tags=["supervision"])

Reader = Annotated[Scope, Depends(scoped(Permission.SUPERVISION_READ))]
Inspector = Annotated[Scope, Depends(scoped(Permission.SUPERVISION_EDIT))]
Rectifier = Annotated[Scope, Depends(scoped(Permission.TASK_EDIT))]


@router.get("", response_model=Page[InspectionRead])
def list_inspections(session: DbSession, scope: Reader, paging: Paging) -> Page[InspectionRead]:
    rows, total = service.get_all(session=session, scope=scope, page=paging.page, size=paging.size)
    return Page.of([service.read(session=session, inspection=i) for i in rows], total, paging)


@router.post("", response_model=InspectionRead, status_code=201)
def record_inspection(inspection_in: InspectionCreate, session: DbSession, scope: Inspector) -> InspectionRead:
    inspection = service.record(session=session, scope=scope, inspection_in=inspection_in, actor=scope.actor)
    return service.read(session=session, inspection=inspection)


@router.get("/findings", response_model=Page[FindingRead])
def list_findings(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[FindingFilter, Query()],
    as_of: datetime | None = None,
) -> Page[FindingRead]:
    rows, total = service.get_findings(session=session, scope=scope, filters=filters, as_of=aware_or_now(as_of),
                                       page=paging.page, size=paging.size)
    return Page.of([FindingRead.model_validate(f) for f in rows], total, paging)


@router.get("/findings/repeated", response_model=list[RepeatedFinding])
def repeated_findings(session: DbSession, scope: Reader) -> list[RepeatedFinding]:
    """The same gap found at least twice under the same responsible party."""
    return service.repeated_findings(session=session, scope=scope)


@router.post("/findings/{finding_id}/close", response_model=FindingRead)
def close_finding(finding_id: RecordId, closure: FindingClose, session: DbSession, scope: Rectifier) -> FindingRead:
    finding = service.get_finding(session=session, scope=scope, finding_id=finding_id)
    return FindingRead.model_validate(service.close(session=session, finding=finding, note=closure.note,
                                                    actor=scope.actor, origin=scope.origin))


@router.get("/{inspection_id}", response_model=InspectionRead)
def get_inspection(inspection_id: RecordId, session: DbSession, scope: Reader) -> InspectionRead:
    return service.read(session=session, inspection=service.get(session=session, scope=scope, inspection_id=inspection_id))


@router.post("/{inspection_id}/findings", response_model=FindingRead, status_code=201)
def add_finding(inspection_id: RecordId, finding_in: FindingCreate, session: DbSession, scope: Inspector) -> FindingRead:
    """Another gap found at an inspected place, with its rectification deadline and task."""
    inspection = service.get(session=session, scope=scope, inspection_id=inspection_id)
    return FindingRead.model_validate(service.add_finding(session=session, inspection=inspection,
                                                          finding_in=finding_in, actor=scope.actor))
