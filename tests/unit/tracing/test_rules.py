from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ringfence.protocols import service as protocols
from ringfence.tracing.rules import (
    CaseFacts,
    Contact,
    ContactCategory,
    ExposureVia,
    Interval,
    follow_up,
    infectious_window,
    is_venue_exposure,
    stay,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
P = protocols.load("covid19-cn-9")


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2022, 10, day, hour, minute, tzinfo=UTC)


def test_touching_intervals_do_not_overlap() -> None:
    assert Interval(at(10), at(11)).overlap(Interval(at(11), at(12))) == timedelta(0)
    assert Interval(at(10), at(11)).overlap(Interval(at(10, 59), at(12))) == timedelta(minutes=1)


def test_fifteen_minutes_is_an_exposure_and_fourteen_is_not() -> None:
    case_stay = Interval(at(12), at(13))
    assert is_venue_exposure(case_stay.overlap(Interval(at(12, 45), at(14))), P.contact)
    assert not is_venue_exposure(case_stay.overlap(Interval(at(12, 46), at(14))), P.contact)


def test_a_check_in_without_check_out_lasts_its_dwell() -> None:
    assert stay(at(12), None, 60).end == at(13)
    assert stay(at(12), at(12, 5), 60).end == at(12, 5)


def test_the_window_opens_four_days_before_onset_and_closes_at_confirmation() -> None:
    case = CaseFacts("P1", confirmed_at=at(9, day=12), onset_at=at(8, day=10), sampled_at=at(7, day=11))
    window = infectious_window(case, P.contact)
    assert window == Interval(at(8, day=6), at(9, day=12))


def test_without_onset_the_window_opens_before_the_first_positive_sample() -> None:
    case = CaseFacts("P1", confirmed_at=at(9, day=12), sampled_at=at(7, day=11))
    assert infectious_window(case, P.contact).start == at(7, day=7)


def test_without_onset_or_sample_the_window_opens_before_confirmation() -> None:
    case = CaseFacts("P1", confirmed_at=at(9, day=12))
    assert infectious_window(case, P.contact).start == at(9, day=8)


def test_an_earlier_isolation_closes_the_window_and_so_does_as_of() -> None:
    case = CaseFacts("P1", confirmed_at=at(9, day=12), isolated_at=at(9, day=11))
    assert infectious_window(case, P.contact).end == at(9, day=11)
    assert infectious_window(case, P.contact, as_of=at(0, day=11)).end == at(0, day=11)


def test_a_close_contact_is_isolated_seven_days_then_monitored_three_with_the_protocol_test_days() -> None:
    contact = Contact("P2", ContactCategory.close, ExposureVia.venue, last_exposure=datetime(2022, 10, 10, 2, tzinfo=UTC))
    plan = follow_up(contact, P, traced_at=at(12, day=11), tz=SHANGHAI)
    assert plan.measure == "central_isolation"
    assert plan.measure_until == date(2022, 10, 17)
    assert plan.monitoring_until == date(2022, 10, 20)
    assert plan.test_dates == [date(2022, 10, d) for d in (11, 12, 13, 15, 17, 20)]


@pytest.mark.parametrize("category, measure, days", [(ContactCategory.secondary, "home_isolation", 7), (ContactCategory.companion, "tests", 3)])
def test_secondary_contacts_and_companions_follow_their_own_measures(category, measure, days) -> None:
    contact = Contact("P2", category, ExposureVia.household, last_exposure=at(12, day=9))
    plan = follow_up(contact, P, traced_at=at(1, day=11), tz=SHANGHAI)
    assert plan.measure == measure
    assert (plan.measure_until - date(2022, 10, 11)).days == days
