"""`/api/enterprises` (whitelist, projects, production, rosters) and `/api/help-tickets`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.rules import Permission, Scope
from ringfence.core import clock
from ringfence.enterprises import service, tickets
from ringfence.enterprises.models import ApplicationStatus, ProjectBatch
from ringfence.enterprises.schemas import (
    ApplicationCreate,
    ApplicationDecision,
    ApplicationRead,
    EnterpriseFilter,
    EnterpriseRead,
    ProductionUpdate,
    ProjectBatchUpdate,
    ProjectCreate,
    ProjectRead,
    RosterRead,
    TicketAnswer,
    TicketAssign,
    TicketCreate,
    TicketFilter,
    TicketRead,
)
from ringfence.tasks.views import RecordId, aware_or_now, deliver_notifications

router = APIRouter(prefix="/enterprises", tags=["enterprises"])
tickets_router = APIRouter(prefix="/help-tickets", tags=["enterprises"])

Reader = Annotated[Scope, Depends(scoped(Permission.ENTERPRISE_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.ENTERPRISE_EDIT))]
Approver = Annotated[Scope, Depends(scoped(Permission.ENTERPRISE_APPROVE))]
Official = Annotated[Scope, Depends(scoped(Permission.TASK_EDIT))]


def _protocol(request: Request):
    from ringfence.tasks.service import load_protocol

    return load_protocol(request.app.state.settings.protocol)


@router.get("", response_model=Page[EnterpriseRead])
def list_enterprises(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[EnterpriseFilter, Query()]
) -> Page[EnterpriseRead]:
    rows, total = service.get_all(session=session, scope=scope, filters=filters, page=paging.page, size=paging.size)
    return Page.of([EnterpriseRead.model_validate(e) for e in rows], total, paging)


@router.get("/applications", response_model=Page[ApplicationRead])
def list_applications(
    session: DbSession, scope: Reader, paging: Paging, status: ApplicationStatus | None = None
) -> Page[ApplicationRead]:
    rows, total = service.get_applications(session=session, scope=scope, status=status, page=paging.page,
                                           size=paging.size)
    return Page.of([ApplicationRead.model_validate(a) for a in rows], total, paging)


@router.post("/applications", response_model=ApplicationRead, status_code=201)
def apply(application_in: ApplicationCreate, session: DbSession, scope: Editor) -> ApplicationRead:
    return ApplicationRead.model_validate(
        service.apply(session=session, scope=scope, application_in=application_in, actor=scope.actor))


@router.post("/applications/{application_id}/decision", response_model=ApplicationRead)
def decide(application_id: RecordId, decision: ApplicationDecision, session: DbSession, scope: Approver) -> ApplicationRead:
    application = service.get_application(session=session, scope=scope, application_id=application_id)
    return ApplicationRead.model_validate(service.decide(
        session=session, application=application, status=decision.status, reason=decision.reason, actor=scope.actor))


@router.get("/projects", response_model=list[ProjectRead])
def list_projects(session: DbSession, scope: Reader, batch: ProjectBatch | None = None) -> list[ProjectRead]:
    return [ProjectRead.model_validate(p) for p in service.get_projects(session=session, scope=scope, batch=batch)]


@router.get("/projects/batches", response_model=dict[str, int])
def project_batches(session: DbSession, scope: Reader) -> dict[str, int]:
    """How many key projects are signed, started and completed."""
    return service.batch_counts(session=session, scope=scope)


@router.post("/projects", response_model=ProjectRead, status_code=201)
def create_project(project_in: ProjectCreate, session: DbSession, scope: Editor) -> ProjectRead:
    return ProjectRead.model_validate(
        service.create_project(session=session, scope=scope, project_in=project_in, actor=scope.actor))


@router.post("/projects/{project_id}/batch", response_model=ProjectRead)
def advance_project(project_id: PathId, update: ProjectBatchUpdate, session: DbSession, scope: Editor) -> ProjectRead:
    project = service.get_project(session=session, scope=scope, project_id=project_id)
    return ProjectRead.model_validate(
        service.advance_project(session=session, project=project, batch=update.batch, actor=scope.actor))


@router.get("/{enterprise_id}", response_model=EnterpriseRead)
def get_enterprise(enterprise_id: PathId, session: DbSession, scope: Reader) -> EnterpriseRead:
    return EnterpriseRead.model_validate(service.get(session=session, scope=scope, enterprise_id=enterprise_id))


@router.put("/{enterprise_id}/production", response_model=EnterpriseRead)
def set_production(enterprise_id: PathId, update: ProductionUpdate, session: DbSession, scope: Editor) -> EnterpriseRead:
    enterprise = service.get(session=session, scope=scope, enterprise_id=enterprise_id)
    return EnterpriseRead.model_validate(service.set_production(
        session=session, enterprise=enterprise, status=update.production_status, actor=scope.actor))


@router.get("/{enterprise_id}/roster", response_model=RosterRead)
def roster(
    enterprise_id: PathId, session: DbSession, scope: Reader, request: Request, as_of: datetime | None = None
) -> RosterRead:
    """The staff and their routine-screening compliance (a read of personal data: audited)."""
    from ringfence.eventlog.store import open_store

    settings = request.app.state.settings
    service.get(session=session, scope=scope, enterprise_id=enterprise_id)
    with open_store(settings) as events:
        return service.roster(session=session, scope=scope, enterprise_id=enterprise_id, as_of=aware_or_now(as_of),
                              protocol=_protocol(request), events=events, tz=settings.tz)


@tickets_router.get("", response_model=Page[TicketRead])
def list_tickets(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[TicketFilter, Query()],
    as_of: datetime | None = None,
) -> Page[TicketRead]:
    rows, total = tickets.get_all(session=session, scope=scope, filters=filters, as_of=aware_or_now(as_of),
                                  page=paging.page, size=paging.size)
    return Page.of([TicketRead.model_validate(t) for t in rows], total, paging)


@tickets_router.post("", response_model=TicketRead, status_code=201)
def report_ticket(
    ticket_in: TicketCreate, session: DbSession, scope: Editor, request: Request,
    enterprise_id: Annotated[str, Query(min_length=1, max_length=64, pattern=ID_PATTERN)],
) -> TicketRead:
    """An enterprise reports a problem; it gets a deadline and a task."""
    return TicketRead.model_validate(tickets.report(
        session=session, scope=scope, enterprise_id=enterprise_id, ticket_in=ticket_in, actor=scope.actor,
        protocol=_protocol(request)))


@tickets_router.get("/{ticket_id}", response_model=TicketRead)
def get_ticket(ticket_id: RecordId, session: DbSession, scope: Reader) -> TicketRead:
    return TicketRead.model_validate(tickets.get(session=session, scope=scope, ticket_id=ticket_id))


@tickets_router.post("/{ticket_id}/assign", response_model=TicketRead)
def assign_ticket(
    ticket_id: RecordId, assignment: TicketAssign, session: DbSession, scope: Official, background: BackgroundTasks,
    request: Request,
) -> TicketRead:
    ticket = tickets.get(session=session, scope=scope, ticket_id=ticket_id)
    tickets.assign(session=session, ticket=ticket, assignee=assignment.assignee, actor=scope.actor, origin=scope.origin)
    deliver_notifications(background, request)
    return TicketRead.model_validate(ticket)


@tickets_router.post("/{ticket_id}/answer", response_model=TicketRead)
def answer_ticket(
    ticket_id: RecordId, reply: TicketAnswer, session: DbSession, scope: Official, background: BackgroundTasks,
    request: Request,
) -> TicketRead:
    ticket = tickets.get(session=session, scope=scope, ticket_id=ticket_id)
    tickets.answer(session=session, ticket=ticket, text=reply.answer, actor=scope.actor, origin=scope.origin)
    deliver_notifications(background, request)
    return TicketRead.model_validate(ticket)


@tickets_router.post("/{ticket_id}/close", response_model=TicketRead)
def close_ticket(ticket_id: RecordId, session: DbSession, scope: Editor) -> TicketRead:
    ticket = tickets.get(session=session, scope=scope, ticket_id=ticket_id)
    return TicketRead.model_validate(tickets.close(session=session, ticket=ticket, actor=scope.actor, at=clock.now()))
