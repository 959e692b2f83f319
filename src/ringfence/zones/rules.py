"""Risk-area delineation (DESIGN.md section 3): which buildings, communities and districts are
high, medium and low risk as of a time. Pure: no I/O; the lifting clock is `lifecycle.follow`.

The protocol's rules, and the choices made where it is silent:

* a case is active from its confirmation (discarded cases never count);
* **high** = the home unit of each case: its building, or its community when
  `high_unit = "community"`; the case is a hit on that unit at its confirmation;
* **medium** = the building of a venue where a case stayed ≥ `medium_min_stay_minutes` in one stay,
  counted inside its infectious window (the caller clips the stays); the hit is dated at the
  case's confirmation. A venue without a building makes no zone;
* a building zone is not shown when its community is a zone of the same or a higher level
  ("unless high"); its own clock keeps running underneath;
* **low** = the rest of each district holding a shown high or medium zone: one zone per district,
  its residents those of the district outside those zones, its `since` the start of the district's
  current unbroken stretch of high or medium zones.

A screening round must cover "all its residents": everyone living in the unit but its own cases
(isolated or in hospital, they are not screened with their neighbours).

`since`: of a high zone, the confirmation of the case that made it high; of a medium zone drawn
from a stay, the confirmation of the episode's first case; of a demoted zone, the start of the
local day it stepped down. A zone's identity across re-delineation is (level, unit, unit_id,
episode start): an approval holds while the episode lasts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo

from ringfence.protocols.models import HighUnit, ZoneRules
from ringfence.zones.kinds import LEVEL_RANK, Blocker, Episode, Hit, UnitKey, ZoneLevel, ZoneUnit
from ringfence.zones.lifecycle import RoundVerdict, follow


@dataclass(frozen=True)
class ActiveCase:
    """A case as delineation sees it: who, when confirmed, and where they live (None: unknown)."""

    person_id: str
    confirmed_at: datetime
    home_building: str | None
    home_community: str | None


@dataclass(frozen=True)
class VenueStay:
    """A case's stay at a venue of a building, already clipped to the case's infectious window."""

    person_id: str
    building_id: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class CityMap:
    """Where each building lies and how many people live in each unit (the register snapshots)."""

    building_community: Mapping[str, str]
    community_district: Mapping[str, str]
    residents: Mapping[UnitKey, int]

    def community_of(self, key: UnitKey) -> str | None:
        if key.unit is ZoneUnit.community:
            return key.unit_id
        return self.building_community.get(key.unit_id) if key.unit is ZoneUnit.building else None

    def district_of(self, key: UnitKey) -> str | None:
        if key.unit is ZoneUnit.district:
            return key.unit_id
        community = self.community_of(key)
        return self.community_district.get(community) if community else None

    def residents_of(self, key: UnitKey) -> int:
        return self.residents.get(key, 0)


@dataclass(frozen=True)
class ZoneState:
    """One zone as of a time, with its lifting clock: what `zones delineate` and `zones status` print."""

    level: ZoneLevel
    unit: ZoneUnit
    unit_id: str
    since: datetime
    residents: int
    episode_start: datetime
    community_id: str | None = None
    district_id: str | None = None
    demoted: bool = False
    next_change: date | None = None  # the earliest local day it may step down (None: when its district empties)
    next_level: ZoneLevel | None = None
    blockers: tuple[Blocker, ...] = ()
    episodes: tuple[Episode, ...] = field(default=(), compare=False, repr=False)

    @property
    def key(self) -> UnitKey:
        return UnitKey(self.unit, self.unit_id)


def high_unit_of(case: ActiveCase, rules: ZoneRules) -> UnitKey | None:
    """The unit a case makes high: its home building, or its home community (per `high_unit`)."""
    if rules.high_unit == HighUnit.community:
        return UnitKey(ZoneUnit.community, case.home_community) if case.home_community else None
    return UnitKey(ZoneUnit.building, case.home_building) if case.home_building else None


def qualifies(stay: VenueStay, rules: ZoneRules) -> bool:
    """A stay makes its building medium when it lasts `medium_min_stay_minutes` or more in one go."""
    return stay.minutes >= rules.medium_min_stay_minutes


def hits_by_unit(
    cases: Iterable[ActiveCase], stays: Iterable[VenueStay], rules: ZoneRules, *, as_of: datetime
) -> dict[UnitKey, list[Hit]]:
    """Every unit some case confirmed by `as_of` has touched, with its hits in time order."""
    confirmed = {c.person_id: c for c in cases if c.confirmed_at <= as_of}
    hits: dict[UnitKey, set[Hit]] = defaultdict(set)
    for case in confirmed.values():
        unit = high_unit_of(case, rules)
        if unit is not None:
            hits[unit].add(Hit(case.confirmed_at, ZoneLevel.high, case.person_id))
    for stay in stays:
        case = confirmed.get(stay.person_id)
        if case is not None and qualifies(stay, rules):
            hits[UnitKey(ZoneUnit.building, stay.building_id)].add(
                Hit(case.confirmed_at, ZoneLevel.medium, case.person_id)
            )
    return {unit: sorted(found) for unit, found in hits.items()}


def delineate(
    hits: Mapping[UnitKey, Sequence[Hit]],
    verdicts: Mapping[UnitKey, Mapping[date, RoundVerdict]],
    city: CityMap,
    rules: ZoneRules,
    *,
    as_of: datetime,
    tz: tzinfo,
) -> list[ZoneState]:
    """The zones as of `as_of`: each hit unit's current level by its clock, then the districts' low zones."""
    states: list[ZoneState] = []
    episodes_by_district: dict[str, list[Episode]] = defaultdict(list)
    for key, unit_hits in hits.items():
        residents = city.residents_of(key)
        # the unit's own cases are isolated or in hospital: its screening rounds cover everyone else
        screened = max(0, residents - len({h.person_id for h in unit_hits if h.level is ZoneLevel.high}))
        unit_verdicts = {day: replace(v, residents=screened) for day, v in verdicts.get(key, {}).items()}
        unit = follow(unit_hits, unit_verdicts, rules, residents=screened, as_of=as_of, tz=tz)
        district = city.district_of(key)
        if district is not None:
            episodes_by_district[district].extend(unit.episodes)
        if unit.phase is None:
            continue
        states.append(ZoneState(
            level=unit.phase.level, unit=key.unit, unit_id=key.unit_id, since=unit.phase.since,
            residents=residents, episode_start=unit.phase.episode_start, community_id=city.community_of(key),
            district_id=district, demoted=unit.phase.demoted, next_change=unit.next_change,
            next_level=unit.next_level, blockers=unit.blockers, episodes=unit.episodes,
        ))
    visible = shown(states)
    return order([*visible, *low_zones(visible, city, episodes_by_district, as_of=as_of)])


def shown(states: Sequence[ZoneState]) -> list[ZoneState]:
    """Drop building zones whose community is a zone of the same or a higher level."""
    community_rank = {s.unit_id: LEVEL_RANK[s.level] for s in states if s.unit is ZoneUnit.community}
    return [
        s for s in states
        if not (s.unit is ZoneUnit.building and community_rank.get(s.community_id or "", 0) >= LEVEL_RANK[s.level])
    ]


def low_zones(
    states: Sequence[ZoneState], city: CityMap, episodes: Mapping[str, Sequence[Episode]], *, as_of: datetime
) -> list[ZoneState]:
    """One low zone per district holding a high or medium zone in `states`: the rest of that district."""
    inside: dict[str, list[ZoneState]] = defaultdict(list)
    for state in states:
        if state.district_id is not None:
            inside[state.district_id].append(state)
    lows = []
    for district_id, zones in sorted(inside.items()):
        since = stretch_start(episodes.get(district_id, ()), as_of) or min(s.since for s in zones)
        taken = sum(s.residents for s in zones)
        residents = max(0, city.residents_of(UnitKey(ZoneUnit.district, district_id)) - taken)
        lows.append(ZoneState(
            level=ZoneLevel.low, unit=ZoneUnit.district, unit_id=district_id, since=since, residents=residents,
            episode_start=since, district_id=district_id,
        ))
    return lows


def stretch_start(episodes: Iterable[Episode], as_of: datetime) -> datetime | None:
    """The start of the unbroken union of `episodes` that holds `as_of` (None if none holds it)."""
    start: datetime | None = None
    reach: datetime | None = None  # the union's end so far; None while it is open-ended
    for begin, end in sorted(((e.start, e.end) for e in episodes if e.start <= as_of), key=lambda p: p[0]):
        if start is None or (reach is not None and begin > reach):
            start, reach = begin, end
        elif reach is not None:
            reach = None if end is None else max(reach, end)
    if start is None or (reach is not None and reach <= as_of):
        return None
    return start


def order(states: Iterable[ZoneState]) -> list[ZoneState]:
    """High first, then medium, then low; by unit and id within a level."""
    return sorted(states, key=lambda s: (-LEVEL_RANK[s.level], s.unit.value, s.unit_id))
