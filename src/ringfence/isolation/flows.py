"""Isolation's step of the daily cycle (`ringfence respond`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ringfence.isolation import release

if TYPE_CHECKING:
    from ringfence.respond import Context


def release_isolation(session: Session, context: Context) -> dict[str, int]:
    """End placements of new cases and those due by their until day, then place the waiting list."""
    return release.release_isolation(session=session, as_of=context.as_of, actor=context.actor, tz=context.settings.tz)
