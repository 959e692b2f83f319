from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringfence.core.errors import Conflict
from ringfence.enterprises import rules
from ringfence.enterprises.models import ApplicationStatus, TicketStatus

AS_OF = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)


def roster(screened: int, unscreened: int) -> rules.Compliance:
    staff = [f"S{i}" for i in range(screened + unscreened)]
    last = {person: AS_OF - timedelta(hours=10) for person in staff[:screened]}
    return rules.staff_compliance(staff, last, as_of=AS_OF, period_hours=48)


@pytest.mark.parametrize(("screened", "unscreened", "alert"), [
    (20, 0, False), (19, 1, False), (18, 2, True), (0, 3, True),
])
def test_the_alert_fires_only_below_the_threshold(screened, unscreened, alert) -> None:
    compliance = roster(screened, unscreened)
    assert compliance.share == pytest.approx(screened / (screened + unscreened))
    assert rules.below_threshold(compliance, 0.95) is alert


def test_an_empty_roster_raises_no_alert() -> None:
    compliance = rules.staff_compliance([], {}, as_of=AS_OF)
    assert (compliance.staff, compliance.share, rules.below_threshold(compliance, 0.95)) == (0, None, False)


@pytest.mark.parametrize(("age", "screened"), [
    (timedelta(hours=47, minutes=59), True),
    (timedelta(hours=48), True),
    (timedelta(hours=48, seconds=1), False),
    (timedelta(hours=-1), False),  # a test after the time asked does not count yet
])
def test_a_negative_test_counts_for_the_routine_period_of_its_key_group(age, screened) -> None:
    assert rules.is_screened(AS_OF - age, as_of=AS_OF, period_hours=48) is screened


def test_each_staff_member_is_judged_by_their_own_group_period() -> None:
    last = {"courier": AS_OF - timedelta(hours=30), "medic": AS_OF - timedelta(hours=30)}
    periods = {"courier": 48, "medic": 24}
    compliance = rules.staff_compliance(last, last, as_of=AS_OF, period_hours=periods.__getitem__)
    assert {m.person_id: m.compliant for m in compliance.members} == {"courier": True, "medic": False}


def test_routine_hours_fall_back_to_the_default_outside_listed_groups() -> None:
    assert rules.routine_hours("medical", {"medical": 24}) == 24
    assert rules.routine_hours(None, {"medical": 24}) == rules.DEFAULT_ROUTINE_HOURS


def test_only_pending_applications_are_decided_and_only_approved_ones_revoked() -> None:
    rules.check_decision(ApplicationStatus.pending, ApplicationStatus.approved)
    rules.check_decision(ApplicationStatus.approved, ApplicationStatus.revoked)
    for current, new in [(ApplicationStatus.rejected, ApplicationStatus.approved),
                         (ApplicationStatus.pending, ApplicationStatus.revoked),
                         (ApplicationStatus.approved, ApplicationStatus.approved)]:
        with pytest.raises(Conflict):
            rules.check_decision(current, new)


def test_a_closed_ticket_takes_no_further_step() -> None:
    with pytest.raises(Conflict):
        rules.check_ticket_step(TicketStatus.closed, TicketStatus.answered)
