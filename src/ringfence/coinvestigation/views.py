"""`/api/requests`: co-investigation requests (协查) with their acknowledgement and answer deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.coinvestigation import service
from ringfence.coinvestigation.schemas import RequestAnswer, RequestCreate, RequestFilter, RequestRead
from ringfence.tasks.views import RecordId, aware_or_now

router = APIRouter(prefix="/requests", tags=["co-investigation"])

Reader = Annotated[Scope, Depends(scoped(Permission.COINVESTIGATION_READ))]
Editor = Annotated[Scope, Depends(scoped(Permission.COINVESTIGATION_EDIT))]


@router.get("", response_model=Page[RequestRead])
def list_requests(session: DbSession, scope: Reader, paging: Paging, filters: Annotated[RequestFilter, Query()],
                  as_of: datetime | None = None) -> Page[RequestRead]:
    at = aware_or_now(as_of)
    rows, total = service.get_all(session=session, scope=scope, filters=filters, as_of=at, page=paging.page,
                                  size=paging.size)
    return Page.of([service.read(r, as_of=at) for r in rows], total, paging)


@router.post("", response_model=RequestRead, status_code=201)
def send(request_in: RequestCreate, session: DbSession, scope: Editor, request: Request) -> RequestRead:
    from ringfence.tasks.service import load_protocol

    protocol = load_protocol(request.app.state.settings.protocol)
    return service.read(service.send(session=session, scope=scope, request_in=request_in, actor=scope.actor,
                                     protocol=protocol))


@router.get("/{request_id}", response_model=RequestRead)
def get_request(request_id: RecordId, session: DbSession, scope: Reader) -> RequestRead:
    return service.read(service.get(session=session, scope=scope, request_id=request_id))


@router.post("/{request_id}/acknowledge", response_model=RequestRead)
def acknowledge(request_id: RecordId, session: DbSession, scope: Editor) -> RequestRead:
    found = service.get(session=session, scope=scope, request_id=request_id)
    return service.read(service.acknowledge(session=session, request=found, actor=scope.actor))


@router.post("/{request_id}/answer", response_model=RequestRead)
def answer(request_id: RecordId, reply: RequestAnswer, session: DbSession, scope: Editor) -> RequestRead:
    found = service.get(session=session, scope=scope, request_id=request_id)
    return service.read(service.answer(session=session, request=found, text=reply.answer, actor=scope.actor,
                                       origin=scope.origin))


@router.post("/{request_id}/withdraw", response_model=RequestRead)
def withdraw(request_id: RecordId, session: DbSession, scope: Editor) -> RequestRead:
    found = service.get(session=session, scope=scope, request_id=request_id)
    return service.read(service.withdraw(session=session, request=found, actor=scope.actor))
