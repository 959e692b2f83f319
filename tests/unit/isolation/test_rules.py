from __future__ import annotations

from datetime import date, timedelta

import pytest

from ringfence.isolation import rules
from ringfence.isolation.rules import DayLoad, Newcomer, PlacementKind, RoomState
from ringfence.protocols import service as protocols


@pytest.fixture(scope="module")
def protocol():
    return protocols.load("covid19-cn-9")


def rooms(*capacities: int, facility: str = "F1") -> list[RoomState]:
    return [RoomState(facility, f"R{i}{c}", c) for i, c in enumerate(capacities, start=1)]


def occupancy_of(states: list[RoomState]) -> dict[str, list[str | None]]:
    return {s.room_id: s.households for s in states if s.households}


def test_a_household_of_three_shares_a_triple_room(protocol) -> None:
    states = rooms(1, 1, 3, 2)
    family = [Newcomer(p, "H1") for p in ("A", "B", "C")]
    chosen = rules.allocate([family], states)
    assert set(chosen.values()) == {("F1", "R33")}
    assert occupancy_of(states) == {"R33": ["H1", "H1", "H1"]}


def test_strangers_never_share_a_room_even_when_it_has_beds() -> None:
    states = rooms(3, 1)
    chosen = rules.allocate(rules.households_of([Newcomer("A", None), Newcomer("B", "H2"), Newcomer("C", None)]), states)
    assert chosen == {"A": ("F1", "R21"), "B": ("F1", "R13"), "C": None}
    assert all(len(set(s.households)) <= 1 for s in states)


def test_two_people_without_a_household_are_strangers_to_each_other() -> None:
    assert rules.refusal(RoomState("F1", "R1", 2, [None]), None) is not None


def test_a_household_larger_than_any_room_is_split_and_capacity_is_never_exceeded() -> None:
    states = rooms(2, 2, 1)
    family = [Newcomer(i, "H1") for i in range(4)]
    chosen = rules.allocate([family], states)
    assert all(room is not None for room in chosen.values())
    assert all(len(s.households) <= s.capacity for s in states)
    assert sorted(len(s.households) for s in states) == [0, 2, 2]


def test_a_newcomer_joins_their_household_before_taking_an_empty_room() -> None:
    states = [RoomState("F1", "R1", 1), RoomState("F1", "R2", 3, ["H1"])]
    assert rules.allocate([[Newcomer("B", "H1")]], states) == {"B": ("F1", "R2")}


def test_when_every_room_is_taken_the_rest_wait() -> None:
    states = [RoomState("F1", "R1", 2, ["H9"])]
    assert rules.allocate([[Newcomer("A", "H1")], [Newcomer("B", None)]], states) == {"A": None, "B": None}


def test_a_full_room_is_refused_naming_its_beds() -> None:
    why = rules.refusal(RoomState("F1", "R1", 2, ["H1", "H1"]), "H1")
    assert why == "room R1 of facility F1 is full (2 of 2 beds taken)"


def test_a_room_of_another_household_is_refused() -> None:
    why = rules.refusal(RoomState("F1", "R1", 3, ["H1"]), "H2")
    assert why is not None and "another household" in why


def test_central_isolation_follows_the_close_contact_schedule(protocol) -> None:
    start = date(2022, 10, 1)
    plan = rules.schedule(PlacementKind.central, start, protocol)
    assert plan.until == start + timedelta(days=protocol.close_contact.central_isolation_days)
    assert plan.test_dates == [start + timedelta(days=d) for d in protocol.close_contact.isolation_test_days]
    assert plan.until == date(2022, 10, 8) and plan.test_dates[0] == date(2022, 10, 2)


def test_home_isolation_follows_the_secondary_contact_schedule(protocol) -> None:
    plan = rules.schedule(PlacementKind.home, date(2022, 10, 1), protocol)
    assert plan.until == date(2022, 10, 8)
    assert plan.test_dates == [date(2022, 10, 2), date(2022, 10, 5), date(2022, 10, 8)]


def test_a_placement_is_released_on_its_until_day_and_not_before() -> None:
    until = date(2022, 10, 8)
    assert not rules.is_due_for_release(until, date(2022, 10, 7))
    assert rules.is_due_for_release(until, date(2022, 10, 8))


def test_projection_counts_people_until_their_until_day_and_the_waiting_from_today() -> None:
    today = date(2022, 10, 1)
    loads = rules.project(beds=4, placed_until=[today + timedelta(days=1), today + timedelta(days=3)],
                          waiting_until=[today + timedelta(days=2)], today=today, days=4)
    assert [(ld.day.day, ld.demand) for ld in loads] == [(1, 3), (2, 2), (3, 1), (4, 0)]


@pytest.mark.parametrize(("demand", "alert"), [(84, False), (85, False), (86, True)])
def test_the_alert_fires_only_above_85_percent(demand, alert) -> None:
    assert rules.passes_alert(DayLoad(day=date(2022, 10, 1), beds=100, demand=demand), 0.85) is alert


@pytest.mark.parametrize(("demand", "alert"), [(17, False), (18, True)])
def test_the_alert_boundary_holds_for_odd_bed_counts(demand, alert) -> None:
    assert rules.passes_alert(DayLoad(day=date(2022, 10, 1), beds=20, demand=demand), 0.85) is alert


def test_the_first_alert_is_the_first_day_above_the_share() -> None:
    loads = [DayLoad(date(2022, 10, d), beds=10, demand=n) for d, n in [(1, 8), (2, 9), (3, 10)]]
    assert rules.first_alert(loads, 0.85).day == date(2022, 10, 2)
    assert rules.first_alert(loads[:1], 0.85) is None
