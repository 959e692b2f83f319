"""Enterprise arithmetic: staff screening compliance and the whitelist's alert threshold. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ringfence.core.errors import Conflict
from ringfence.enterprises.models import ApplicationStatus, TicketStatus

DEFAULT_ROUTINE_HOURS = 48  # staff outside any listed key group: the protocol's common 常态筛 rhythm


@dataclass(frozen=True)
class StaffScreening:
    person_id: str
    last_negative_at: datetime | None
    period_hours: int
    compliant: bool


@dataclass(frozen=True)
class Compliance:
    staff: int
    compliant: int
    share: float | None  # None for an empty roster: nobody to screen, nothing to alert on
    members: tuple[StaffScreening, ...]


def routine_hours(key_group: str | None, by_group: Mapping[str, int], default: int = DEFAULT_ROUTINE_HOURS) -> int:
    """Hours between routine tests for a person of `key_group` (the protocol's screening.routine_hours)."""
    return by_group.get(key_group or "", default)


def is_screened(last_negative_at: datetime | None, *, as_of: datetime, period_hours: int) -> bool:
    """A negative test no older than the period at `as_of` (exactly `period_hours` old still counts)."""
    if last_negative_at is None or last_negative_at > as_of:
        return False
    return as_of - last_negative_at <= timedelta(hours=period_hours)


def staff_compliance(
    staff_ids: Iterable[str],
    last_negative: Mapping[str, datetime],
    *,
    as_of: datetime,
    period_hours: Callable[[str], int] | int = DEFAULT_ROUTINE_HOURS,
) -> Compliance:
    """The share of `staff_ids` with a negative test within their routine period at `as_of`."""
    hours_of = period_hours if callable(period_hours) else (lambda _person: period_hours)
    members = []
    for person_id in sorted(set(staff_ids)):
        hours = hours_of(person_id)
        last = last_negative.get(person_id)
        members.append(StaffScreening(person_id, last, hours, is_screened(last, as_of=as_of, period_hours=hours)))
    compliant = sum(m.compliant for m in members)
    share = compliant / len(members) if members else None
    return Compliance(staff=len(members), compliant=compliant, share=share, members=tuple(members))


def below_threshold(compliance: Compliance, threshold: float) -> bool:
    """Whether a whitelisted enterprise must be alerted: a roster screened below the threshold."""
    return compliance.share is not None and compliance.share < threshold


_DECISIONS = {
    ApplicationStatus.pending: {ApplicationStatus.approved, ApplicationStatus.rejected},
    ApplicationStatus.approved: {ApplicationStatus.revoked},
}


def check_decision(current: ApplicationStatus, new: ApplicationStatus) -> None:
    """Pending applications are approved or rejected; approved ones may be revoked; nothing else."""
    if new not in _DECISIONS.get(current, set()):
        raise Conflict(f"a {current.value} application cannot become {new.value}")


_TICKET_STEPS = {
    TicketStatus.open: {TicketStatus.assigned, TicketStatus.answered, TicketStatus.closed},
    TicketStatus.assigned: {TicketStatus.assigned, TicketStatus.answered, TicketStatus.closed},
    TicketStatus.answered: {TicketStatus.closed},
}


def check_ticket_step(current: TicketStatus, new: TicketStatus) -> None:
    """A ticket goes open → assigned (again, to someone else) → answered → closed."""
    if new not in _TICKET_STEPS.get(current, set()):
        raise Conflict(f"a {current.value} help ticket cannot become {new.value}")
