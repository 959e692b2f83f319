"""The lifting clock: each rule at its boundary (day 6 vs day 7, a missing or pending round)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ringfence.protocols.service import load
from ringfence.zones.kinds import BlockerKind, Hit, ZoneLevel
from ringfence.zones.lifecycle import RoundVerdict, follow

RULES = load("covid19-cn-9").zones  # high 7 quiet days, medium 7, demoted high 3, round on day 7
TZ = ZoneInfo("Asia/Shanghai")
DAY0 = date(2022, 10, 1)
RESIDENTS = 3


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def local(n: int, hour: int = 10) -> datetime:
    """Hour `hour` of quiet day `n`, Shanghai time."""
    return datetime(2022, 10, 1, hour, tzinfo=TZ) + timedelta(days=n)


def case(n: int, person: str = "P1", level: ZoneLevel = ZoneLevel.high) -> Hit:
    return Hit(local(n), level, person)


NEGATIVE = RoundVerdict(RESIDENTS, negative=RESIDENTS)


def follow_as_of(hits, verdicts, n: int, hour: int = 23, residents: int = RESIDENTS):
    return follow(hits, verdicts, RULES, residents=residents, as_of=local(n, hour), tz=TZ)


def test_an_all_negative_round_on_day_6_does_not_lift_a_high_area():
    unit = follow_as_of([case(0)], {day(6): NEGATIVE}, 6)

    assert unit.level is ZoneLevel.high
    assert unit.next_change == day(7)
    assert unit.blockers == ()


def test_a_round_on_day_6_does_not_count_for_day_7_either():
    unit = follow_as_of([case(0)], {day(6): NEGATIVE}, 7)

    assert unit.level is ZoneLevel.high
    assert [b.kind for b in unit.blockers] == [BlockerKind.missing_round]
    assert unit.next_change == day(7)


def test_an_all_negative_round_on_day_7_demotes_a_high_area_to_medium_that_day():
    unit = follow_as_of([case(0)], {day(7): NEGATIVE}, 7)

    assert unit.level is ZoneLevel.medium
    assert unit.phase.demoted
    assert unit.phase.since == datetime(2022, 10, 8, tzinfo=TZ)  # the start of day 7, local
    assert unit.phase.episode_start == local(0)
    assert unit.next_change == day(7 + 3)
    assert unit.next_level is ZoneLevel.low


def test_a_resident_missing_from_the_day_7_round_blocks_the_step_down():
    unit = follow_as_of([case(0)], {day(7): RoundVerdict(RESIDENTS, negative=RESIDENTS - 1)}, 7)

    assert unit.level is ZoneLevel.high
    assert [(b.kind, b.day) for b in unit.blockers] == [(BlockerKind.missing_round, day(7))]
    assert "1 of 3" in unit.blockers[0].detail


def test_a_pending_tube_blocks_the_step_down_until_its_result_is_known():
    pending = follow_as_of([case(0)], {day(7): RoundVerdict(RESIDENTS, negative=2, pending=1)}, 7)
    assert pending.level is ZoneLevel.high
    assert [b.kind for b in pending.blockers] == [BlockerKind.pending_tube]

    # the same round once the result came back negative: the step down is dated on the round's day
    known = follow_as_of([case(0)], {day(7): NEGATIVE}, 8)
    assert known.level is ZoneLevel.medium
    assert known.phase.since == datetime(2022, 10, 8, tzinfo=TZ)


def test_a_positive_resident_in_the_round_is_a_new_case_coming():
    unit = follow_as_of([case(0)], {day(7): RoundVerdict(RESIDENTS, negative=2, positive=1)}, 7)

    assert unit.level is ZoneLevel.high
    assert [b.kind for b in unit.blockers] == [BlockerKind.new_case]


def test_a_round_redone_on_day_9_lifts_the_area_on_day_9():
    verdicts = {day(7): RoundVerdict(RESIDENTS, negative=1), day(9): NEGATIVE}

    assert follow_as_of([case(0)], verdicts, 8).level is ZoneLevel.high
    unit = follow_as_of([case(0)], verdicts, 9)
    assert unit.level is ZoneLevel.medium
    assert unit.phase.clock_day == day(9)


def test_a_new_case_restarts_the_high_clock():
    hits = [case(0), case(5, "P2")]
    verdicts = {day(7): NEGATIVE, day(11): NEGATIVE, day(12): NEGATIVE}

    at_7 = follow_as_of(hits, verdicts, 7)
    assert at_7.level is ZoneLevel.high
    assert at_7.next_change == day(12)
    assert [b.kind for b in at_7.blockers] == [BlockerKind.new_case]
    assert at_7.phase.since == local(0)  # since stays the first case of the episode

    assert follow_as_of(hits, verdicts, 11).level is ZoneLevel.high
    assert follow_as_of(hits, verdicts, 12).level is ZoneLevel.medium


def test_a_demoted_high_area_leaves_the_zones_after_three_more_quiet_days_and_a_round():
    verdicts = {day(7): NEGATIVE, day(9): NEGATIVE, day(10): NEGATIVE}

    day_9 = follow_as_of([case(0)], verdicts, 9)
    assert day_9.level is ZoneLevel.medium  # day 2 of the demoted phase: its round is due on day 3
    day_10 = follow_as_of([case(0)], verdicts, 10)
    assert day_10.level is None
    assert day_10.episodes[-1].end == datetime(2022, 10, 11, tzinfo=TZ)


def test_a_demoted_area_without_its_day_3_round_stays_medium_and_says_so():
    unit = follow_as_of([case(0)], {day(7): NEGATIVE}, 10)

    assert unit.level is ZoneLevel.medium
    assert [(b.kind, b.day) for b in unit.blockers] == [(BlockerKind.missing_round, day(10))]


def test_a_medium_area_from_a_stay_lifts_after_seven_quiet_days_and_a_round_on_day_7():
    stay = case(0, level=ZoneLevel.medium)

    assert follow_as_of([stay], {day(6): NEGATIVE}, 6).level is ZoneLevel.medium
    lifted = follow_as_of([stay], {day(7): NEGATIVE}, 7)
    assert lifted.level is None


def test_a_new_case_in_a_medium_area_makes_it_high_at_once():
    hits = [case(0, level=ZoneLevel.medium), case(3, "P9", ZoneLevel.high)]

    unit = follow_as_of(hits, {}, 3, hour=11)

    assert unit.level is ZoneLevel.high
    assert unit.phase.since == local(3)
    assert unit.phase.episode_start == local(0)
    assert unit.next_change == day(3 + 7)


def test_a_stay_in_a_high_area_is_not_a_new_case_there():
    hits = [case(0), case(4, "P9", ZoneLevel.medium)]

    unit = follow_as_of(hits, {day(7): NEGATIVE}, 7)

    assert unit.level is ZoneLevel.medium


def test_a_new_stay_in_a_demoted_area_restarts_the_full_medium_count():
    hits = [case(0), case(8, "P9", ZoneLevel.medium)]

    unit = follow_as_of(hits, {day(7): NEGATIVE, day(11): NEGATIVE}, 11)

    assert unit.level is ZoneLevel.medium
    assert not unit.phase.demoted
    assert unit.next_change == day(8 + 7)


def test_a_building_without_residents_needs_no_round():
    stay = case(0, level=ZoneLevel.medium)

    assert follow_as_of([stay], {}, 6, residents=0).level is ZoneLevel.medium
    assert follow_as_of([stay], {}, 7, residents=0).level is None


def test_cases_confirmed_after_as_of_are_not_seen():
    assert follow([case(2)], {}, RULES, residents=RESIDENTS, as_of=local(1), tz=TZ).level is None
