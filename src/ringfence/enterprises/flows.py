"""The respond step of enterprises: whitelisted enterprises' routine-screening compliance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ringfence.enterprises import service as enterprises

if TYPE_CHECKING:
    from ringfence.respond import Context


def check_compliance(session: Session, context: Context) -> dict[str, int]:
    """Alert whitelisted enterprises whose staff screening fell below the protocol's threshold."""
    if not enterprises.any_whitelisted(session=session):
        return {"checked": 0, "alerts": 0, "recovered": 0}  # no need to open the event log
    return enterprises.check_compliance(
        session=session, as_of=context.as_of, protocol=context.protocol, events=context.events,
        actor=context.actor, tz=context.settings.tz,
    )
