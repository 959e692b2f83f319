"""`/api/people`: the person register, scoped and audited by the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging, PathId
from ringfence.auth.rules import Permission, Scope
from ringfence.people import service as people_service
from ringfence.people.schemas import PersonFilter, PersonRead

router = APIRouter(prefix="/people", tags=["people"])

Reader = Annotated[Scope, Depends(scoped(Permission.PERSON_READ))]


@router.get("", response_model=Page[PersonRead])
def list_people(
    session: DbSession, scope: Reader, paging: Paging, filters: Annotated[PersonFilter, Query()]
) -> Page[PersonRead]:
    people, total = people_service.get_all(
        session=session, scope=scope, filters=filters, page=paging.page, size=paging.size
    )
    return Page.of([PersonRead.shown_to(p, scope) for p in people], total, paging)


@router.get("/{person_id}", response_model=PersonRead)
def get_person(person_id: PathId, session: DbSession, scope: Reader) -> PersonRead:
    return PersonRead.shown_to(people_service.get(session=session, scope=scope, person_id=person_id), scope)
