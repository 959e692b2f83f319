"""The respond step of risk areas: delineate as of the cycle's time, keep the proposals, apply lifting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ringfence.zones import service

if TYPE_CHECKING:
    from ringfence.respond import Context


def derive_zones(session: Session, context: Context) -> dict[str, int]:
    """Store the zones the rules draw as of `as_of` (idempotent): new ones proposed (or auto-approved by
    `settings.auto_approve_zones`), clocks refreshed, zones that stepped down or lifted ended."""
    states = service.delineate(
        session=session, store=context.events, protocol=context.protocol, as_of=context.as_of, tz=context.settings.tz
    )
    return service.sync(
        session=session, states=states, as_of=context.as_of, actor=context.actor,
        auto_approve=context.settings.auto_approve_zones,
    )
