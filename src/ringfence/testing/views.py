"""`/api/samples`, `/api/tube-results` (labs), `/api/rounds` and `/api/testing/…`: thin, scoped, audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.auth.rules import Permission, Scope
from ringfence.config import Settings
from ringfence.core import clock
from ringfence.core.errors import InvalidInput
from ringfence.eventlog.store import EventStore, open_store
from ringfence.protocols.models import Protocol
from ringfence.testing import flows, service
from ringfence.testing.schemas import (
    Coverage,
    LabUploadResult,
    RecallDocument,
    RoundRead,
    SamplesUpload,
    TubeResultsUpload,
    UncoveredRow,
)

lab_router = APIRouter(tags=["testing"])
rounds_router = APIRouter(prefix="/rounds", tags=["testing"])
router = APIRouter(prefix="/testing", tags=["testing"])

Lab = Annotated[Scope, Depends(scoped(Permission.IMPORT_LAB))]
Reader = Annotated[Scope, Depends(scoped(Permission.SCREENING_READ))]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput("times need a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
    return value.astimezone(UTC) if value is not None else None


AwareTime = Annotated[datetime, AfterValidator(_aware)]


def app_settings(request: Request) -> Settings:
    return request.app.state.settings


def event_store(request: Request) -> Iterator[EventStore]:
    """The event log for this request, closed when it is answered."""
    with open_store(request.app.state.settings) as store:
        yield store


def protocol(request: Request) -> Protocol:
    from ringfence.protocols import service as protocols

    return protocols.load(request.app.state.settings.protocol)


AppSettings = Annotated[Settings, Depends(app_settings)]
Events = Annotated[EventStore, Depends(event_store)]
CurrentProtocol = Annotated[Protocol, Depends(protocol)]


@lab_router.post("/samples", response_model=LabUploadResult)
def post_samples(upload: SamplesUpload, scope: Lab, settings: AppSettings) -> LabUploadResult:
    """Samples as the `samples` feed takes them: invalid rows are refused with a reason, valid ones kept."""
    rows = [row.model_dump(exclude_none=True) for row in upload.rows]
    return flows.upload(settings=settings, kind="samples", rows=rows, actor=scope.actor)


@lab_router.post("/tube-results", response_model=LabUploadResult)
def post_tube_results(upload: TubeResultsUpload, scope: Lab, settings: AppSettings) -> LabUploadResult:
    """Tube results; a tube with no samples is refused; a result contradicting another is flagged."""
    rows = [row.model_dump(exclude_none=True) for row in upload.rows]
    return flows.upload(settings=settings, kind="tube-results", rows=rows, actor=scope.actor)


@rounds_router.get("", response_model=Page[RoundRead])
def list_rounds(session: DbSession, scope: Reader, paging: Paging) -> Page[RoundRead]:
    rounds = service.get_rounds(session=session, scope=scope)
    shown = rounds[(paging.page - 1) * paging.size: paging.page * paging.size]
    return Page.of([RoundRead.model_validate(r) for r in shown], len(rounds), paging)


@rounds_router.get("/{round_id}", response_model=RoundRead)
def get_round(round_id: PathId, session: DbSession, scope: Reader) -> RoundRead:
    return RoundRead.model_validate(service.get_round(session=session, scope=scope, round_id=round_id))


@rounds_router.get("/{round_id}/coverage", response_model=Coverage)
def get_coverage(
    round_id: PathId, session: DbSession, scope: Reader, store: Events,
    as_of: Annotated[AwareTime | None, Query(description="judge as of (default: now)")] = None,
) -> Coverage:
    screening_round = service.get_round(session=session, scope=scope, round_id=round_id)
    return service.coverage(session=session, store=store, screening_round=screening_round, as_of=as_of or clock.now())


@router.get("/recall", response_model=RecallDocument)
def get_recall(
    session: DbSession, scope: Reader, store: Events, in_force: CurrentProtocol,
    as_of: Annotated[AwareTime | None, Query(description="judge as of (default: now)")] = None,
) -> RecallDocument:
    """Members of positive pools in the caller's jurisdiction still to re-sample; positive single tubes."""
    at = as_of or clock.now()
    statuses = flows.person_statuses(session=session)
    document = service.recall(session=session, store=store, scope=scope, protocol=in_force, as_of=at, statuses=statuses)
    shown = [r.person_id for r in document.recall] + [c.person_id for c in document.candidates]
    service.audit_listing(session=session, scope=scope, action="screening.recall", person_ids=shown,
                          detail=f"as of {at.isoformat()}")
    return document


@router.get("/uncovered", response_model=Page[UncoveredRow])
def get_uncovered(
    session: DbSession, scope: Reader, store: Events, paging: Paging,
    area_id: Annotated[str, Query(min_length=1, max_length=64, description="root of the subtree")],
    since: Annotated[AwareTime, Query(description="a covering sample collected at or after this time")],
    as_of: Annotated[AwareTime | None, Query(description="judge as of (default: now)")] = None,
) -> Page[UncoveredRow]:
    """Residents of the area's subtree without a covering sample since `since`, by building, paged."""
    statuses = flows.person_statuses(session=session)
    document = service.uncovered(
        session=session, store=store, scope=scope, area_id=area_id, since=since, as_of=as_of or clock.now(),
        statuses=statuses,
    )
    shown = document.uncovered[(paging.page - 1) * paging.size: paging.page * paging.size]
    service.audit_listing(session=session, scope=scope, action="screening.uncovered",
                          person_ids=[r.person_id for r in shown], detail=f"area {area_id} page {paging.page}")
    return Page.of(shown, len(document.uncovered), paging)
