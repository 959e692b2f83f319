"""`/api/cases`: cases, their status changes and timeline, their contacts and the transmission graph."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.cases import service as cases_service
from ringfence.cases.schemas import CaseCreate, CaseDetail, CaseRead, CaseStatusChange, TimelineRead
from ringfence.core import audit, clock
from ringfence.eventlog.store import EventStore, open_store
from ringfence.protocols import service as protocols
from ringfence.tracing import flows as tracing_flows
from ringfence.tracing import service as tracing_service
from ringfence.tracing.schemas import GraphRead, TraceRead

router = APIRouter(prefix="/cases", tags=["cases"])

Reader = Annotated[Scope, Depends(scoped(Permission.CASE_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.CASE_EDIT))]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def event_store(request: Request) -> Iterator[EventStore]:
    """The event log for one request, closed when it is answered."""
    store = open_store(request.app.state.settings)
    try:
        yield store
    finally:
        store.close()


Events = Annotated[EventStore, Depends(event_store)]


def _detail(session, case) -> CaseDetail:
    entries = [TimelineRead.model_validate(e) for e in cases_service.history(session=session, case=case)]
    return CaseDetail(**CaseRead.model_validate(case).model_dump(), timeline=entries)


@router.get("", response_model=Page[CaseRead])
def list_cases(session: DbSession, scope: Reader, paging: Paging) -> Page[CaseRead]:
    cases, total = cases_service.get_page(session=session, scope=scope, page=paging.page, size=paging.size)
    return Page.of([CaseRead.model_validate(c) for c in cases], total, paging)


@router.post("", response_model=CaseDetail, status_code=201)
def create_case(case_in: CaseCreate, session: DbSession, scope: Editor) -> CaseDetail:
    case = cases_service.create(session=session, case_in=case_in, actor=scope.actor)
    audit.record(session, user=scope.actor, action="case.create", subject=f"case:{case.case_id}", origin=scope.origin)
    return _detail(session, case)


# before /{case_id}: "graph" is not a case id
@router.get("/graph", response_model=GraphRead)
def transmission_graph(
    session: DbSession, scope: Reader,
    cases_only: Annotated[bool, Query(description="leave out contacts who are not cases")] = False,
) -> GraphRead:
    audit.record(session, user=scope.actor, action="case.graph", subject="cases", origin=scope.origin)
    return GraphRead.of(tracing_service.graph(session=session, scope=scope, with_contacts=not cases_only))


@router.get("/{case_id}", response_model=CaseDetail)
def get_case(case_id: CaseId, session: DbSession, scope: Reader) -> CaseDetail:
    case = cases_service.get_visible(session=session, scope=scope, case_id=case_id)
    audit.record(session, user=scope.actor, action="case.read", subject=f"case:{case_id}", origin=scope.origin)
    return _detail(session, case)


@router.post("/{case_id}/status", response_model=CaseDetail)
def change_status(case_id: CaseId, change: CaseStatusChange, session: DbSession, scope: Editor) -> CaseDetail:
    case = cases_service.get_visible(session=session, scope=scope, case_id=case_id)
    cases_service.transition(session=session, case=case, to=change.status, at=change.at or clock.now(),
                             actor=scope.actor)
    audit.record(session, user=scope.actor, action=f"case.{change.status.value}", subject=f"case:{case_id}",
                 origin=scope.origin)
    return _detail(session, case)


@router.get("/{case_id}/contacts", response_model=TraceRead)
def case_contacts(
    case_id: CaseId, request: Request, session: DbSession, scope: Reader, events: Events,
    as_of: Annotated[datetime | None, Query(description="trace as of this time (default: now)")] = None,
) -> TraceRead:
    """Everyone exposed to the case (DESIGN.md section 5), for a case in the caller's jurisdiction."""
    settings = request.app.state.settings
    at = clock.now() if as_of is None else (as_of if as_of.tzinfo else as_of.replace(tzinfo=settings.tz))
    at = at.astimezone(UTC)
    return tracing_flows.contacts_of_case(
        session=session, scope=scope, events=events, protocol=protocols.load(settings.protocol), case_id=case_id,
        as_of=at, tz=settings.tz,
    )
