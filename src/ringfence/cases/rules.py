"""Case status transitions and the consistency of a case's times. Pure."""

from __future__ import annotations

from datetime import datetime

from ringfence.cases.models import CaseStatus
from ringfence.core.errors import Conflict, InvalidInput

ALLOWED = {
    CaseStatus.confirmed: {CaseStatus.isolated, CaseStatus.recovered, CaseStatus.deceased, CaseStatus.discarded},
    CaseStatus.isolated: {CaseStatus.recovered, CaseStatus.deceased, CaseStatus.discarded},
    CaseStatus.recovered: set(),
    CaseStatus.deceased: set(),
    CaseStatus.discarded: set(),
}


def ensure_transition(current: CaseStatus, target: CaseStatus) -> None:
    if target not in ALLOWED[current]:
        raise Conflict(f"a case cannot go from {current.value} to {target.value}")


def check_times(*, confirmed_at: datetime, onset_at: datetime | None, sampled_at: datetime | None) -> None:
    """Onset and the positive sample cannot come after the confirmation they led to."""
    if onset_at is not None and onset_at > confirmed_at:
        raise InvalidInput("onset_at is after confirmed_at")
    if sampled_at is not None and sampled_at > confirmed_at:
        raise InvalidInput("sampled_at is after confirmed_at")
