"""The lifting clock of a risk area (DESIGN.md section 3). Pure: no I/O.

Given the hits on one unit (its cases, see `kinds.Hit`) and its residents' screening verdict of
each local day, `follow` replays the unit's levels up to a time and says when it may next step
down and what blocks it. The protocol's rules, and the choices made where it is silent:

* quiet days count from the local day of the last hit (day 0): high needs `high_quiet_days`
  without a new case, medium `medium_quiet_days`, a demoted high `demoted_high_quiet_days`;
* and an all-negative screening round of all its residents on the phase's round day — day
  `screening_day`, or the phase's last quiet day when that is earlier (a 3-day phase has no day 7).
  A round that fails (someone missing, a tube pending or positive) may be redone on a later day:
  the first all-negative round from the round day on counts, and the step down is dated on
  `max(last quiet day, that round's day)`. A unit without residents (a mall) needs no round;
* a new case in a high unit restarts its clock (only residents count: a case who merely passed
  through is not a case "there"); a resident case in a medium unit makes it high at once (a new
  `since`, the same episode); a new long stay in a medium unit restarts its clock with the full
  medium count (a demoted high exposed again is an ordinary medium area);
* a medium unit that steps down leaves the zones (it is part of its district's low area while
  the district has other zones) and its episode ends; a later hit starts a new episode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ringfence.protocols.models import ZoneRules
from ringfence.zones.kinds import Blocker, BlockerKind, Episode, Hit, ZoneLevel


@dataclass(frozen=True)
class RoundVerdict:
    """A unit's residents on one local day: how many were sampled and are negative, pending, positive.

    A resident counts once: positive if any tube of theirs that day is, else pending if any has no
    result yet, else negative if one reads negative (a tube whose only result is invalid covers no
    one). Everyone else — unsampled, or invalid only — is missing.
    """

    residents: int
    negative: int = 0
    pending: int = 0
    positive: int = 0

    @property
    def missing(self) -> int:
        return max(0, self.residents - self.negative - self.pending - self.positive)

    @property
    def all_negative(self) -> bool:
        return self.positive == 0 and self.pending == 0 and self.missing == 0


@dataclass(frozen=True)
class Phase:
    """The unit at one level: since when, the day its quiet count started, whether it was demoted."""

    level: ZoneLevel
    since: datetime
    clock_day: date
    demoted: bool
    episode_start: datetime
    quiet: int  # quiet days it needs (`quiet_days`)
    round_on: int  # the quiet day whose round counts (`round_day`)

    @classmethod
    def start(cls, level: ZoneLevel, since: datetime, clock_day: date, demoted: bool, episode_start: datetime,
              rules: ZoneRules) -> Phase:
        return cls(level, since, clock_day, demoted, episode_start, quiet_days(level, demoted, rules),
                   round_day(level, demoted, rules))


@dataclass(frozen=True)
class UnitState:
    """A unit as of a time: its level (None: not a zone), its clock, and its whole history."""

    phase: Phase | None
    next_change: date | None
    next_level: ZoneLevel | None
    blockers: tuple[Blocker, ...]
    episodes: tuple[Episode, ...]
    changes: tuple[tuple[datetime, ZoneLevel | None], ...]  # every level change, in order

    @property
    def level(self) -> ZoneLevel | None:
        return self.phase.level if self.phase else None


def quiet_days(level: ZoneLevel, demoted: bool, rules: ZoneRules) -> int:
    """Days without a new case a phase needs before it may step down."""
    if level is ZoneLevel.high:
        return rules.high_quiet_days
    return rules.demoted_high_quiet_days if demoted else rules.medium_quiet_days


def round_day(level: ZoneLevel, demoted: bool, rules: ZoneRules) -> int:
    """The quiet day whose screening round counts: `screening_day`, or the last quiet day if earlier."""
    return min(rules.screening_day, quiet_days(level, demoted, rules))


def step_down_day(phase: Phase, verdicts: Mapping[date, RoundVerdict], *, residents: int, until: date) -> date | None:
    """The local day `phase` steps down on, if it does on or before `until` (no hit before then)."""
    earliest = phase.clock_day + timedelta(days=phase.quiet)
    if residents == 0:
        return earliest if earliest <= until else None
    if not verdicts:
        return None
    first_round = phase.clock_day + timedelta(days=phase.round_on)
    for day in sorted(d for d in verdicts if first_round <= d <= until):
        if verdicts[day].all_negative:
            change = max(earliest, day)
            return change if change <= until else None
    return None


def follow(
    hits: Iterable[Hit],
    verdicts: Mapping[date, RoundVerdict],
    rules: ZoneRules,
    *,
    residents: int,
    as_of: datetime,
    tz: tzinfo,
) -> UnitState:
    """Replay a unit's hits and screening up to `as_of`: its level, episodes, next change and blockers."""
    today = as_of.astimezone(tz).date()
    ordered = sorted((h for h in hits if h.at <= as_of), key=_hit_order)
    phase: Phase | None = None
    episodes: list[Episode] = []
    changes: list[tuple[datetime, ZoneLevel | None]] = []
    for hit in [*ordered, None]:
        hit_day = hit.at.astimezone(tz).date() if hit else None
        bound = hit_day - ONE_DAY if hit_day else today
        while phase is not None:
            day = step_down_day(phase, verdicts, residents=residents, until=bound)
            if day is None:
                break
            at = _start_of_day(day, tz)
            if phase.level is ZoneLevel.high:
                phase = Phase.start(ZoneLevel.medium, at, day, True, phase.episode_start, rules)
                changes.append((at, ZoneLevel.medium))
            else:
                episodes.append(Episode(phase.episode_start, at))
                changes.append((at, None))
                phase = None
        if hit is None:
            break
        phase = _apply(phase, hit, hit_day, rules, changes)
    if phase is None:
        return UnitState(None, None, None, (), tuple(episodes), tuple(changes))
    episodes.append(Episode(phase.episode_start, None))
    next_change, blockers = _clock(phase, verdicts, residents=residents, today=today, tz=tz)
    next_level = ZoneLevel.medium if phase.level is ZoneLevel.high else ZoneLevel.low
    return UnitState(phase, next_change, next_level, blockers, tuple(episodes), tuple(changes))


def _apply(phase: Phase | None, hit: Hit, day: date, rules: ZoneRules, changes: list) -> Phase | None:
    """The unit's phase after one hit on local day `day`."""
    if phase is None:
        changes.append((hit.at, hit.level))
        return Phase.start(hit.level, hit.at, day, False, hit.at, rules)
    if hit.level is ZoneLevel.high:
        if phase.level is ZoneLevel.high:
            return replace(phase, clock_day=day)
        changes.append((hit.at, ZoneLevel.high))
        return Phase.start(ZoneLevel.high, hit.at, day, False, phase.episode_start, rules)
    if phase.level is ZoneLevel.medium:
        return Phase.start(ZoneLevel.medium, phase.since, day, False, phase.episode_start, rules)
    return phase  # a stay in a high unit is not a case "there"


def _hit_order(hit: Hit) -> datetime:
    return hit.at


def _clock(
    phase: Phase, verdicts: Mapping[date, RoundVerdict], *, residents: int, today: date, tz: tzinfo
) -> tuple[date, tuple[Blocker, ...]]:
    """The earliest day the current phase may step down, and what stands in the way as of `today`."""
    quiet, round_on = phase.quiet, phase.round_on
    earliest = phase.clock_day + timedelta(days=quiet)
    first_round = phase.clock_day + timedelta(days=round_on)
    seen = [d for d in sorted(verdicts) if phase.clock_day < d <= today] if verdicts else []
    blockers: list[Blocker] = []
    if phase.clock_day > phase.since.astimezone(tz).date():
        blockers.append(Blocker(
            BlockerKind.new_case, phase.clock_day,
            f"a new case on {phase.clock_day} restarted the {quiet}-day count",
        ))
    positive = [d for d in seen if verdicts[d].positive]
    if positive:
        day = positive[-1]
        blockers.append(Blocker(
            BlockerKind.new_case, day,
            f"{verdicts[day].positive} resident(s) tested positive on {day}: a new case is coming",
        ))
    if today < first_round or residents == 0:
        return earliest, tuple(blockers)
    rounds = [d for d in seen if d >= first_round]
    if any(verdicts[d].all_negative for d in rounds):
        return earliest, tuple(blockers)  # the round is done; only quiet days remain
    if not rounds:
        blockers.append(Blocker(
            BlockerKind.missing_round, first_round,
            f"no screening round since {first_round} (day {round_on}): {residents} resident(s) unsampled",
        ))
    else:
        day, verdict = rounds[-1], verdicts[rounds[-1]]
        if verdict.pending:
            blockers.append(Blocker(
                BlockerKind.pending_tube, day, f"{verdict.pending} resident(s) sampled on {day} await a result",
            ))
        if verdict.missing:
            blockers.append(Blocker(
                BlockerKind.missing_round, day,
                f"{verdict.missing} of {residents} resident(s) without a valid sample on {day}",
            ))
    return max(earliest, today), tuple(blockers)


ONE_DAY = timedelta(days=1)


def _start_of_day(day: date, tz: tzinfo) -> datetime:
    """Midnight of a local day, as an aware UTC instant."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
