"""Deadlines of a co-investigation request: acknowledged, then answered, each by its time. Pure."""

from __future__ import annotations

from datetime import datetime

from ringfence.coinvestigation.models import RequestStatus
from ringfence.core.errors import Conflict

_NEXT = {
    RequestStatus.sent: {RequestStatus.acknowledged, RequestStatus.answered, RequestStatus.withdrawn},
    RequestStatus.acknowledged: {RequestStatus.answered, RequestStatus.withdrawn},
}


def check_step(current: RequestStatus, new: RequestStatus) -> None:
    if new not in _NEXT.get(current, set()):
        raise Conflict(f"a {current.value} request cannot become {new.value}")


def lateness(
    *, status: RequestStatus, ack_due: datetime, answer_due: datetime, acknowledged_at: datetime | None,
    answered_at: datetime | None, as_of: datetime,
) -> list[str]:
    """Which deadlines are missed at `as_of`: "acknowledgement", "answer" (none for a withdrawn request)."""
    if status is RequestStatus.withdrawn:
        return []
    missed = []
    acknowledged = acknowledged_at or answered_at  # an answer acknowledges too
    if as_of > ack_due and (acknowledged is None or acknowledged > as_of):
        missed.append("acknowledgement")
    if as_of > answer_due and (answered_at is None or answered_at > as_of):
        missed.append("answer")
    return missed
