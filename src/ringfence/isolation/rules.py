"""Isolation arithmetic: who may share a room, which room a newcomer gets, release and test days,
projected occupancy and its alert. Pure: no I/O; every number comes from the protocol.

A room takes people of one household only (up to its capacity); a person without a household
never shares. Day k of a placement is k days after its start; it ends on its `until` day.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from ringfence.protocols.models import Protocol


class PlacementKind(StrEnum):
    central = "central"  # 集中隔离: a room in a facility
    home = "home"  # 居家隔离: at the person's home building, no room


class PlacementStatus(StrEnum):
    waiting = "waiting"  # no free room yet: on the waiting list
    placed = "placed"
    released = "released"  # ended on its until date (or released early by hand)
    became_case = "became_case"  # a new positive test: the person is now a case
    lapsed = "lapsed"  # the measure ended while still waiting: never got a room


ACTIVE_STATUSES = frozenset({PlacementStatus.waiting, PlacementStatus.placed})


@dataclass
class RoomState:
    """A room and the households of the people in it now (None: a person without a household)."""

    facility_id: str
    room_id: str
    capacity: int
    households: list[str | None] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.facility_id, self.room_id)

    @property
    def free_beds(self) -> int:
        return max(0, self.capacity - len(self.households))

    @property
    def empty(self) -> bool:
        return not self.households


@dataclass(frozen=True)
class Newcomer:
    """Someone to be given a room: `key` names them to the caller (a person id, a placement)."""

    key: Hashable
    household_id: str | None


def refusal(room: RoomState, household_id: str | None) -> str | None:
    """Why `room` cannot take one more person of `household_id`, or None when it can."""
    label = f"room {room.room_id} of facility {room.facility_id}"
    if room.free_beds <= 0:
        return f"{label} is full ({len(room.households)} of {room.capacity} beds taken)"
    if room.empty:
        return None
    if household_id is None or any(h != household_id for h in room.households):
        return f"{label} holds another household; only members of one household share a room"
    return None


def can_take(room: RoomState, household_id: str | None) -> bool:
    return refusal(room, household_id) is None


def households_of(newcomers: Iterable[Newcomer]) -> list[list[Newcomer]]:
    """Newcomers grouped by household in order of first appearance; no household: one group each."""
    groups: dict[Hashable, list[Newcomer]] = {}
    for newcomer in newcomers:
        group_key = ("household", newcomer.household_id) if newcomer.household_id else ("alone", newcomer.key)
        groups.setdefault(group_key, []).append(newcomer)
    return list(groups.values())


def allocate(groups: Sequence[Sequence[Newcomer]], rooms: list[RoomState]) -> dict[Hashable, tuple[str, str] | None]:
    """A room for each newcomer, group by group in the order given (None: no room, they wait).

    A household first fills rooms its members already hold, then the smallest empty room that
    takes all who remain (best fit keeps the big rooms for big households), else the largest
    empty room and so on. `rooms` is updated with whom it placed.
    """
    assigned: dict[Hashable, tuple[str, str] | None] = {}
    ordered = sorted(rooms, key=lambda r: (r.capacity, r.facility_id, r.room_id))
    for group in groups:
        waiting = list(group)
        household_id = waiting[0].household_id if waiting else None
        if household_id is not None:
            for room in ordered:
                while waiting and not room.empty and can_take(room, household_id):
                    _seat(room, waiting.pop(0), assigned)
        while waiting:
            empties = [r for r in ordered if r.empty and r.capacity > 0]
            if not empties:
                break
            fitting = [r for r in empties if r.capacity >= len(waiting)]
            room = fitting[0] if fitting else empties[-1]
            while waiting and can_take(room, waiting[0].household_id):
                _seat(room, waiting.pop(0), assigned)
                if household_id is None:
                    break  # strangers never share: the next one needs a room of their own
        for newcomer in waiting:
            assigned[newcomer.key] = None
    return assigned


def _seat(room: RoomState, newcomer: Newcomer, assigned: dict[Hashable, tuple[str, str] | None]) -> None:
    room.households.append(newcomer.household_id)
    assigned[newcomer.key] = room.key


@dataclass(frozen=True)
class Schedule:
    until: date
    test_dates: list[date]


def schedule(kind: PlacementKind, start: date, protocol: Protocol) -> Schedule:
    """The protocol's end and test days for a placement starting on `start` (its day 0).

    Central isolation is the close contact's measure (tests on its isolation test days), home
    isolation the secondary contact's.
    """
    if kind is PlacementKind.central:
        rules = protocol.close_contact
        return Schedule(
            start + timedelta(days=rules.central_isolation_days),
            [start + timedelta(days=d) for d in rules.isolation_test_days],
        )
    home = protocol.secondary_contact
    return Schedule(start + timedelta(days=home.home_isolation_days), [start + timedelta(days=d) for d in home.test_days])


def is_due_for_release(until: date, today: date) -> bool:
    """A placement ends on its until day."""
    return today >= until


@dataclass(frozen=True)
class DayLoad:
    """One projected day of a facility (or of all of them): beds wanted against beds there are."""

    day: date
    beds: int
    demand: int  # people placed still there that day, plus those waiting whose measure still runs

    @property
    def occupied(self) -> int:
        return min(self.demand, self.beds)

    @property
    def occupancy(self) -> float:
        """Demand over beds; above 1 when the waiting list outgrows the facility."""
        return self.demand / self.beds if self.beds else (0.0 if self.demand == 0 else float("inf"))


def project(
    *, beds: int, placed_until: Iterable[date], waiting_until: Iterable[date], today: date, days: int
) -> list[DayLoad]:
    """Demand for beds on each of `days` days from `today`: everyone whose until day is still ahead.

    People on the waiting list count from today: they take a bed as soon as one frees.
    """
    ends = list(placed_until) + list(waiting_until)
    loads = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        loads.append(DayLoad(day=day, beds=beds, demand=sum(1 for until in ends if until > day)))
    return loads


def passes_alert(load: DayLoad, threshold: float) -> bool:
    """Whether projected occupancy is above the protocol's alert share (exactly at it is not)."""
    if load.beds == 0:
        return load.demand > 0
    # Decimal of the protocol's text: 0.85 × 100 beds is 85 exactly, not 85.00000000000001
    return Decimal(load.demand) > Decimal(str(threshold)) * load.beds


def first_alert(loads: Sequence[DayLoad], threshold: float) -> DayLoad | None:
    """The first projected day above the alert share, if any."""
    return next((load for load in loads if passes_alert(load, threshold)), None)
