"""Sentinel surveillance, read from the event log: follow-ups owed, daily counts, aberration per district.

Public API (keyword-only; the event store is the caller's, opened and closed by the entry point):

    followups(*, store, protocol, as_of, since=None) -> FollowUpDocument
        every follow-up owed for events in [since (default as_of − 7 days), as_of], judged as of as_of
    visible_followups(rows, scope) -> list[FollowUpRow]          (the caller's subtree only)
    counts(*, store, first: date, last: date, by=(site, district, category)) -> CountsDocument
    district_series(*, store, first, last) -> dict[str, list[float]]   (daily totals per district)
    alarms(*, store, day: date, methods=METHODS) -> AlarmsDocument
        EARS C1–C3 and flexible Farrington on each district's daily totals, judging `day`
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from ringfence.auth.rules import Scope
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import Protocol
from ringfence.surveillance import aberration, queries, rules
from ringfence.surveillance.aberration import METHODS, AlarmMethod
from ringfence.surveillance.schemas import (
    AlarmRow,
    AlarmsDocument,
    CountDimension,
    CountRow,
    CountsDocument,
    FollowUpDocument,
    FollowUpRow,
)

# the longest history a method needs (Farrington: 3 weeks + 2 days), with a margin
ALARM_HISTORY_DAYS = 28
ALL_DIMENSIONS = (CountDimension.site, CountDimension.district, CountDimension.category)


def followups(
    *, store: EventStore, protocol: Protocol, as_of: datetime, since: datetime | None = None
) -> FollowUpDocument:
    """Every sentinel visitor or buyer owing a test for an event in [since, as_of], judged as of `as_of`."""
    since = since or as_of - rules.FOLLOWUP_LOOKBACK
    facts = queries.followup_facts(store, categories=protocol.sentinel.categories, since=since, as_of=as_of)
    grouped: dict[tuple[str, datetime, str], list[dict]] = defaultdict(list)
    for row in facts:
        grouped[(row["site_id"], row["occurred_at"], row["person_id"])].append(row)
    rows = []
    for (site_id, occurred_at, person_id), parts in grouped.items():
        first = parts[0]
        first_sample = first["first_sample_at"]
        verdict = rules.judge(occurred_at, [first_sample] if first_sample else [], as_of=as_of, protocol=protocol)
        rows.append(FollowUpRow(
            person_id=person_id, site_id=site_id, site_kind=first["site_kind"], occurred_at=occurred_at,
            categories=sorted({p["category"] for p in parts}), community_id=first["community_id"],
            test_by=verdict.test_by, status=verdict.status, tested_at=verdict.tested_at,
            first_sample_at=first_sample, community_path=first["community_path"],
        ))
    rows.sort(key=lambda r: (r.occurred_at, r.person_id, r.site_id))
    return FollowUpDocument(as_of=as_of, since=since, followups=rows)


def visible_followups(rows: Iterable[FollowUpRow], scope: Scope) -> list[FollowUpRow]:
    """The follow-ups of people living in the caller's subtree (people of no known home: city-wide only)."""
    return [row for row in rows if scope.covers(row.community_path)]


def _district_paths(store: EventStore) -> dict[str, str]:
    return {d["path"]: d["area_id"] for d in queries.districts(store)}


def counts(
    *, store: EventStore, first: date, last: date, by: Sequence[CountDimension] = ALL_DIMENSIONS
) -> CountsDocument:
    """Sentinel events per day, summed over the dimensions not in `by` (site, district, category)."""
    rules.check_day(first), rules.check_day(last)
    wanted = set(by)
    paths = _district_paths(store)
    totals: dict[tuple, int] = defaultdict(int)
    for row in queries.daily_counts(store, first=first, last=last):
        key = (
            row["day"],
            row["site_id"] if CountDimension.site in wanted else None,
            row["site_kind"] if CountDimension.site in wanted else None,
            rules.district_of(row["community_path"], paths) if CountDimension.district in wanted else None,
            row["category"] if CountDimension.category in wanted else None,
        )
        totals[key] += int(row["events"])
    rows = [
        CountRow(day=day, site_id=site, site_kind=kind, district_id=district, category=category, count=n)
        for (day, site, kind, district, category), n in totals.items()
    ]
    rows.sort(key=lambda r: (r.day, r.district_id or "", r.site_id or "", r.category or ""))
    return CountsDocument(first=first, last=last, by=[d for d in ALL_DIMENSIONS if d in wanted], counts=rows)


def district_series(*, store: EventStore, first: date, last: date) -> dict[str, list[float]]:
    """Daily sentinel events of every district first..last (zero-filled), plus `unknown` if it has any."""
    by_day: dict[str, dict[date, float]] = {d["area_id"]: {} for d in queries.districts(store)}
    for row in counts(store=store, first=first, last=last, by=[CountDimension.district]).counts:
        by_day.setdefault(row.district_id, {})[row.day] = float(row.count)
    return {district: rules.daily_series(days, first, last) for district, days in by_day.items()}


def alarms(*, store: EventStore, day: date, methods: Sequence[AlarmMethod] = METHODS) -> AlarmsDocument:
    """Each method's verdict on `day` for every district, from the district's daily events before it.

    The series starts at the first day the sentinel feed holds (never earlier: days before the
    feed began are unknown, not zero), at most `ALARM_HISTORY_DAYS` before `day`.
    """
    rules.check_day(day)
    feed_start = queries.first_day(store)
    if feed_start is None or feed_start > day:
        return AlarmsDocument(day=day, history_from=None, alarms=[])
    first = max(feed_start, day - timedelta(days=ALARM_HISTORY_DAYS - 1))
    series = district_series(store=store, first=first, last=day)
    rows = []
    for district_id, values in sorted(series.items()):
        for verdict in aberration.judge_series(values, methods):
            rows.append(AlarmRow(
                day=day, district_id=district_id, method=verdict.method, observed=verdict.observed,
                upperbound=verdict.upperbound, alarm=verdict.alarm, judged=verdict.judged,
            ))
    return AlarmsDocument(day=day, history_from=first, alarms=rows)
