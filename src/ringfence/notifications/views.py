"""`/api/notifications/recipients`: the address book of who is notified where (IT and headquarters)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ringfence.api.deps import DbSession, scoped
from ringfence.api.params import Page, Paging
from ringfence.auth.rules import Permission, Scope
from ringfence.notifications import service
from ringfence.notifications.schemas import RecipientCreate, RecipientFilter, RecipientRead
from ringfence.tasks.views import RecordId

router = APIRouter(prefix="/notifications/recipients", tags=["notifications"])

Keeper = Annotated[Scope, Depends(scoped(Permission.NOTIFICATION_ADMIN))]


@router.get("", response_model=Page[RecipientRead])
def list_recipients(
    session: DbSession, scope: Keeper, paging: Paging, filters: Annotated[RecipientFilter, Query()]
) -> Page[RecipientRead]:
    """Registered addresses by party; masked unless the role needs them in full."""
    rows, total = service.get_recipients(session=session, filters=filters, page=paging.page, size=paging.size)
    return Page.of([RecipientRead.shown_to(r, scope) for r in rows], total, paging)


@router.post("", response_model=RecipientRead, status_code=201)
def add_recipient(recipient_in: RecipientCreate, session: DbSession, scope: Keeper) -> RecipientRead:
    """Register an address for a party (registering the same one again changes nothing)."""
    recipient = service.add_recipient(session=session, party=recipient_in.party, channel=recipient_in.channel,
                                      address=recipient_in.address, actor=scope.actor, origin=scope.origin)
    return RecipientRead.shown_to(recipient, scope)


@router.delete("/{recipient_id}", status_code=204)
def remove_recipient(recipient_id: RecordId, session: DbSession, scope: Keeper) -> None:
    recipient = service.get_recipient(session=session, recipient_id=recipient_id)
    service.remove_recipient(session=session, recipient=recipient, actor=scope.actor, origin=scope.origin)
