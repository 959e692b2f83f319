"""`/api/incidents`: outbreak points, their handling teams and the report a district gives."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.incidents import service
from ringfence.incidents.models import IncidentStatus
from ringfence.incidents.schemas import (
    IncidentCreate,
    IncidentRead,
    IncidentView,
    LinkIn,
    MemberIn,
    StatusChange,
)
from ringfence.tasks.views import RecordId, aware_or_now

router = APIRouter(prefix="/incidents", tags=["incidents"])

Reader = Annotated[Scope, Depends(scoped(Permission.INCIDENT_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.INCIDENT_EDIT))]


@router.get("", response_model=Page[IncidentRead])
def list_incidents(session: DbSession, scope: Reader, paging: Paging,
                   status: IncidentStatus | None = None) -> Page[IncidentRead]:
    rows, total = service.get_all(session=session, scope=scope, status=status, page=paging.page, size=paging.size)
    return Page.of([IncidentRead.model_validate(i) for i in rows], total, paging)


@router.post("", response_model=IncidentRead, status_code=201)
def open_incident(incident_in: IncidentCreate, session: DbSession, scope: Editor) -> IncidentRead:
    return IncidentRead.model_validate(
        service.open_incident(session=session, scope=scope, incident_in=incident_in, actor=scope.actor))


@router.get("/{incident_id}", response_model=IncidentView)
def report(incident_id: RecordId, session: DbSession, scope: Reader, as_of: datetime | None = None) -> IncidentView:
    incident = service.get(session=session, scope=scope, incident_id=incident_id)
    return service.report(session=session, incident=incident, as_of=aware_or_now(as_of))


@router.post("/{incident_id}/members", response_model=MemberIn)
def add_member(incident_id: RecordId, member_in: MemberIn, session: DbSession, scope: Editor) -> MemberIn:
    incident = service.get(session=session, scope=scope, incident_id=incident_id)
    return MemberIn.model_validate(service.add_member(session=session, incident=incident, member_in=member_in,
                                                      actor=scope.actor))


@router.post("/{incident_id}/links", response_model=IncidentView)
def link(incident_id: RecordId, link_in: LinkIn, session: DbSession, scope: Editor) -> IncidentView:
    incident = service.get(session=session, scope=scope, incident_id=incident_id)
    service.link(session=session, incident=incident, link_in=link_in, actor=scope.actor)
    return service.report(session=session, incident=incident)


@router.post("/{incident_id}/status", response_model=IncidentRead)
def change_status(incident_id: RecordId, change: StatusChange, session: DbSession, scope: Editor) -> IncidentRead:
    incident = service.get(session=session, scope=scope, incident_id=incident_id)
    return IncidentRead.model_validate(service.change_status(session=session, incident=incident, status=change.status,
                                                             actor=scope.actor, note=change.note))
