"""`/api/audit`: the audit log, for admins and commanders (core knows no face, so its view lives here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ringfence.api.deps import DbSession, require
from ringfence.api.params import Page, Paging
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.models import User
from ringfence.auth.rules import Permission
from ringfence.core import audit
from ringfence.core.errors import InvalidInput

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditFilter(BaseModel):
    since: datetime | None = Field(default=None, description="entries at or after this time (with an offset)")
    user: str | None = Field(default=None, max_length=120, pattern=ID_PATTERN)
    action: str | None = Field(default=None, max_length=80, pattern=ID_PATTERN)
    subject: str | None = Field(default=None, max_length=200, pattern=ID_PATTERN)


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    user: str
    action: str
    subject: str
    origin: str | None
    detail: str | None


@router.get("", response_model=Page[AuditRead])
def list_entries(
    session: DbSession,
    reader: Annotated[User, Depends(require(Permission.AUDIT_READ))],
    paging: Paging,
    filters: Annotated[AuditFilter, Query()],
) -> Page[AuditRead]:
    """Who read or wrote which personal data, when: newest first."""
    since = filters.since
    if since is not None:
        if since.tzinfo is None:
            raise InvalidInput("since needs a UTC offset, e.g. 2022-10-20T08:00:00+08:00")
        try:
            since = since.astimezone(UTC)
        except OverflowError:
            raise InvalidInput("since is out of range") from None
    entries, total = audit.search(
        session, since=since, user=filters.user, action=filters.action, subject=filters.subject,
        page=paging.page, size=paging.size,
    )
    return Page.of([AuditRead.model_validate(e) for e in entries], total, paging)
