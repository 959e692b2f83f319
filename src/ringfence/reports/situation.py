"""The situation read side: the figures of one day, each from a small function over the stores.

`situation(...)` gathers them all for `/api/situation` and the daily report. Capabilities still
being built elsewhere (contact records, isolation, tasks) are read defensively: when one is
missing, its figure says `available: false` instead of failing the report.

Given a `subtree` (an `Area.path` prefix), the figures are those of that part of the city only
(`reports.scoped` says how each is placed); without one, the whole city's.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, aliased

from ringfence.areas.models import Area, AreaLevel, Building
from ringfence.areas.service import in_subtree
from ringfence.cases.models import Case, CaseStatus, FoundVia
from ringfence.core import clock
from ringfence.eventlog.store import EventStore
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.reports import rules, scoped
from ringfence.reports.rules import CaseFact
from ringfence.reports.schemas import (
    CoverageFigures,
    CoverageRow,
    DailyCaseRow,
    DistrictRow,
    Headline,
    OccupancyFigures,
    OverdueFigures,
    OverdueTaskRow,
    PlacementFigures,
    RtFigures,
    RtPoint,
    SentinelFigures,
    Situation,
)
from ringfence.surveillance.rules import check_day, district_of

log = logging.getLogger(__name__)

CURVE_DAYS = 28  # days the epidemic curve shows, ending on the report day
LONGEST_OVERDUE = 10  # overdue tasks listed by name in the report
RT_WINDOW = 7


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The report's `as_of`: the first instant of the next local day."""
    return clock.start_of_day(day + timedelta(days=1), tz)


def districts(*, session: Session, subtree: str | None = None) -> list[Area]:
    """The city's districts, by path (with `subtree`: those it touches)."""
    found = session.scalars(select(Area).where(Area.level == AreaLevel.district).order_by(Area.path))
    return [a for a in found if scoped.touches(a.path, subtree)]


def district_paths(areas: list[Area]) -> dict[str, str]:
    return {a.path: a.area_id for a in areas}


def case_facts(
    *, session: Session, until: datetime, paths: dict[str, str], subtree: str | None = None
) -> list[CaseFact]:
    """Cases confirmed before `until` (not discarded), with their home district and building position
    (with `subtree`: the cases living in it)."""
    community = aliased(Area)
    query = (
        select(Case.case_id, Case.confirmed_at, Case.sampled_at, Case.found_via, community.path,
               Building.lon, Building.lat)
        .outerjoin(Person, Person.person_id == Case.person_id)
        .outerjoin(Building, Building.building_id == Person.building_id)
        .outerjoin(community, community.area_id == Building.community_id)
        .where(Case.confirmed_at < until, Case.status != CaseStatus.discarded)
        .order_by(Case.confirmed_at, Case.case_id)
    )
    if subtree is not None:
        query = query.where(in_subtree(community.path, subtree))
    return [
        CaseFact(case_id=case_id, confirmed_at=confirmed_at, sampled_at=sampled_at, found_via=found_via,
                 district_id=district_of(path, paths), lon=lon, lat=lat)
        for case_id, confirmed_at, sampled_at, found_via, path, lon, lat in session.execute(query)
    ]


def headline(facts: list[CaseFact], *, day: date, tz: ZoneInfo) -> Headline:
    """The day's new cases, how many were found in the community, and the last week against the one before."""
    today = rules.confirmed_on(facts, day, tz)
    week = rules.confirmed_between(facts, day - timedelta(days=rules.RECENT_DAYS - 1), day, tz)
    before = rules.confirmed_between(
        facts, day - timedelta(days=2 * rules.RECENT_DAYS - 1), day - timedelta(days=rules.RECENT_DAYS), tz
    )
    community = sum(1 for c in today if rules.is_community(c.found_via))
    return Headline(
        new_cases=len(today), community_cases=community, controlled_cases=len(today) - community,
        community_share=rules.community_share(c.found_via for c in today),
        cases_last_7_days=len(week), cases_previous_7_days=len(before),
        change_7_days=rules.change(len(week), len(before)),
        community_share_7_days=rules.community_share(c.found_via for c in week),
    )


def daily_case_rows(facts: list[CaseFact], *, first: date, last: date, tz: ZoneInfo) -> list[DailyCaseRow]:
    """New cases per day first..last, district and way found (only the combinations that occur)."""
    counted = rules.new_cases_by_day(rules.confirmed_between(facts, first, last, tz), tz)
    return [
        DailyCaseRow(day=day, district_id=district, found_via=via, cases=n)
        for (day, district, via), n in sorted(counted.items(), key=lambda item: (item[0][0], item[0][1], item[0][2].value))
    ]


def rt_figures(facts: list[CaseFact], *, last: date, tz: ZoneInfo, protocol: Protocol) -> RtFigures:
    """R(t) (Cori et al., as EpiEstim) over 7-day windows of the city's daily cases up to `last`.

    Cases found on arrival are imported (they count in the infectivity, not in R's numerator);
    the serial interval is the protocol's `[disease]` one.
    """
    disease = protocol.disease
    figures = RtFigures(si_mean=disease.serial_interval_mean_days, si_sd=disease.serial_interval_sd_days,
                        window=RT_WINDOW, first_day=None, points=[], latest=None)
    days = [rules.report_day(c.confirmed_at, tz) for c in facts]
    days = [d for d in days if d <= last]
    if not days:
        return figures
    first = min(days)
    figures.first_day = first
    local = rules.daily_totals([c for c in facts if c.found_via is not FoundVia.arrival], first, last, tz)
    imported = rules.daily_totals([c for c in facts if c.found_via is FoundVia.arrival], first, last, tz)
    if len(local) < RT_WINDOW + 1:
        return figures
    from ringfence.analytics import reproduction  # SciPy loads only when a report is made

    incidence = reproduction.incidence_from_split(local, imported)
    si = reproduction.parametric_si(disease.serial_interval_mean_days, disease.serial_interval_sd_days, incidence.days)
    windows = reproduction.sliding_windows(incidence.days, RT_WINDOW)
    for estimate in reproduction.estimate_r(incidence, si, windows):
        if not estimate.estimable:
            continue
        figures.points.append(RtPoint(
            day=first + timedelta(days=estimate.t_end - 1), t_start=estimate.t_start, t_end=estimate.t_end,
            mean=estimate.mean, q025=estimate.quantile(0.025), q975=estimate.quantile(0.975),
        ))
    figures.latest = figures.points[-1] if figures.points else None
    return figures


def _has_table(session: Session, name: str) -> bool:
    return inspect(session.get_bind()).has_table(name)


def placement_figures(*, session: Session, facts: list[CaseFact]) -> PlacementFigures:
    """Median hours from positive sample to the last isolating contact placed, over `facts`' cases."""
    try:
        from ringfence.isolation.models import Placement
        from ringfence.tracing.models import ContactRecord, Measure
    except ImportError:
        return PlacementFigures(available=False)
    if not (_has_table(session, ContactRecord.__tablename__) and _has_table(session, Placement.__tablename__)):
        return PlacementFigures(available=False)
    by_case = {c.case_id: c for c in facts}
    if not by_case:
        return PlacementFigures(available=True)
    contacts: dict[int, list[str]] = {}
    for case_id, person_id in session.execute(
        select(ContactRecord.case_id, ContactRecord.person_id).where(
            ContactRecord.case_id.in_(sorted(by_case)),
            ContactRecord.measure.in_([Measure.central_isolation, Measure.home_isolation]),
        )
    ):
        contacts.setdefault(case_id, []).append(person_id)
    people = sorted({p for persons in contacts.values() for p in persons})
    placements: dict[str, list[tuple[datetime | None, datetime | None]]] = {}
    for start in range(0, len(people), 500):
        for person_id, placed_at, ended_at in session.execute(
            select(Placement.person_id, Placement.placed_at, Placement.ended_at)
            .where(Placement.person_id.in_(people[start:start + 500]))
        ):
            placements.setdefault(person_id, []).append((placed_at, ended_at))
    hours, waiting = [], 0
    for case_id, persons in contacts.items():
        fact = by_case[case_id]
        positive_at = fact.sampled_at or fact.confirmed_at
        placed = [rules.contact_placed_at(positive_at, placements.get(p, [])) for p in persons]
        value = rules.placement_hours(positive_at, placed)
        if value is None:
            waiting += 1
        else:
            hours.append(value)
    return PlacementFigures(available=True, median_hours=rules.median(hours), cases_measured=len(hours),
                            cases_waiting=waiting)


def coverage_figures(
    *, store: EventStore, as_of: datetime, paths: dict[str, str], subtree: str | None = None
) -> CoverageFigures:
    """Residents (of `subtree`, else the city) with a covering sample in the `COVERAGE_WINDOW` before
    `as_of`, per district and in all."""
    window_hours = int(rules.COVERAGE_WINDOW.total_seconds() // 3600)
    try:
        from ringfence.testing import screening
    except ImportError:
        return CoverageFigures(available=False, window_hours=window_hours)
    per_community = screening.coverage_by_community(
        store, root_path=subtree or "/", since=as_of - rules.COVERAGE_WINDOW, as_of=as_of
    ).to_pylist()
    community_paths = {
        row["area_id"]: row["path"]
        for row in store.query("SELECT area_id, path FROM areas WHERE level = 'community'").to_pylist()
    }
    totals: dict[str, list[int]] = {district: [0, 0] for district in paths.values()}
    for row in per_community:
        district = district_of(community_paths.get(row["community_id"]), paths)
        figures = totals.setdefault(district, [0, 0])
        figures[0] += int(row["residents"])
        figures[1] += int(row["sampled"])
    residents = sum(f[0] for f in totals.values())
    sampled = sum(f[1] for f in totals.values())
    return CoverageFigures(
        available=True, window_hours=window_hours, residents=residents, sampled=sampled,
        coverage=rules.share(sampled, residents),
        districts=[CoverageRow(district_id=d, residents=r, sampled=s, coverage=rules.share(s, r))
                   for d, (r, s) in sorted(totals.items())],
    )


def occupancy_figures(
    *, session: Session, day: date, protocol: Protocol, subtree: str | None = None
) -> OccupancyFigures:
    """Isolation beds and occupancy of all facilities now (with `subtree`: of those standing in it), and
    the first projected day past the alert share."""
    if subtree is not None:
        return scoped.occupancy_in(session=session, day=day, protocol=protocol, subtree=subtree)
    try:
        from ringfence.isolation import occupancy
    except ImportError:
        return OccupancyFigures(available=False)
    status = occupancy.status(session=session, today=day, protocol=protocol)
    total = status.total
    return OccupancyFigures(
        available=True, beds=total.beds, occupied=total.occupied, waiting=total.waiting,
        occupancy=total.occupancy if total.beds else None, threshold=status.threshold, alert_on=total.alert_on,
    )


def overdue_figures(
    *, session: Session, as_of: datetime, protocol: Protocol, paths: dict[str, str], subtree: str | None = None
) -> OverdueFigures:
    """Tasks overdue at `as_of` (with `subtree`: those whose territory lies in it): how many, by kind and
    district (counted in SQL), and the longest overdue."""
    from sqlalchemy import func, or_

    try:
        from ringfence.tasks import service as tasks
        from ringfence.tasks.models import Task, TaskStatus
    except ImportError:
        return OverdueFigures(available=False)
    # overdue at as_of as tasks.service.get_all(overdue_at=…) judges it: due before, and still to do then
    overdue = (Task.due_at < as_of) & or_(
        Task.status == TaskStatus.open, (Task.status == TaskStatus.done) & (Task.done_at > as_of)
    )
    if subtree is not None:
        overdue = overdue & Task.area_id.in_(scoped.areas_in(subtree))
    area_paths = dict(session.execute(select(Area.area_id, Area.path)).all())
    by_kind: Counter[str] = Counter()
    by_district: Counter[str] = Counter()
    for kind, area_id, count in session.execute(
        select(Task.kind, Task.area_id, func.count()).where(overdue).group_by(Task.kind, Task.area_id)
    ):
        by_kind[kind.value] += count
        by_district[district_of(area_paths.get(area_id), paths)] += count
    longest = list(session.scalars(select(Task).where(overdue).order_by(Task.due_at, Task.task_id)
                                   .limit(LONGEST_OVERDUE)))
    raised = tasks.escalations(session=session, tasks=longest, as_of=as_of, protocol=protocol)
    rows = [
        OverdueTaskRow(
            task_id=t.task_id, kind=t.kind.value, area_id=t.area_id,
            district_id=district_of(area_paths.get(t.area_id), paths), due_at=t.due_at,
            hours_overdue=rules.hours_between(t.due_at, as_of), escalated_to=raised[t.task_id][0],
        )
        for t in longest
    ]
    return OverdueFigures(
        available=True, total=sum(by_kind.values()), by_kind=dict(sorted(by_kind.items())),
        by_district=dict(sorted(by_district.items())), longest=rows,
    )


def sentinel_figures(
    *, store: EventStore, protocol: Protocol, day: date, as_of: datetime, subtree: str | None = None,
    district_ids: set[str] | None = None,
) -> SentinelFigures:
    """Follow-ups missed and pending at `as_of`, the day's sentinel events, and the day's raised alarms.

    With `subtree`: the follow-ups of its residents; events and alarms of `district_ids` (judged per district).
    """
    from ringfence.surveillance import service as surveillance
    from ringfence.surveillance.rules import FollowUpStatus
    from ringfence.surveillance.schemas import CountDimension

    owed = surveillance.followups(store=store, protocol=protocol, as_of=as_of).followups
    events = surveillance.counts(store=store, first=day, last=day, by=[CountDimension.district]).counts
    judged = surveillance.alarms(store=store, day=day)
    raised = [a for a in judged.alarms if a.alarm]
    if subtree is not None:
        inside = district_ids or set()
        owed = [r for r in owed if r.community_path is not None and r.community_path.startswith(subtree)]
        events = [r for r in events if r.district_id in inside]
        raised = [a for a in raised if a.district_id in inside]
    return SentinelFigures(
        followups_missed=sum(1 for r in owed if r.status is FollowUpStatus.missed),
        followups_pending=sum(1 for r in owed if r.status is FollowUpStatus.pending),
        events_today=sum(r.count for r in events), history_from=judged.history_from, alarms=raised,
    )


def situation(
    *, session: Session, store: EventStore, protocol: Protocol, day: date, tz: ZoneInfo, subtree: str | None = None
) -> Situation:
    """Every figure of the situation on `day`, as known at the end of that local day (with `subtree`:
    of that part of the city only)."""
    check_day(day)
    as_of = end_of_day(day, tz)
    areas = districts(session=session, subtree=subtree)
    paths = district_paths(areas)
    facts = case_facts(session=session, until=as_of, paths=paths, subtree=subtree)
    week = rules.confirmed_between(facts, day - timedelta(days=rules.RECENT_DAYS - 1), day, tz)
    return Situation(
        day=day, as_of=as_of,
        districts=[DistrictRow(district_id=a.area_id, name=a.name) for a in areas],
        headline=headline(facts, day=day, tz=tz),
        daily_cases=daily_case_rows(facts, first=day - timedelta(days=CURVE_DAYS - 1), last=day, tz=tz),
        rt=rt_figures(facts, last=day, tz=tz, protocol=protocol),
        placement=placement_figures(session=session, facts=week),
        coverage=coverage_figures(store=store, as_of=as_of, paths=paths, subtree=subtree),
        occupancy=occupancy_figures(session=session, day=day, protocol=protocol, subtree=subtree),
        overdue=overdue_figures(session=session, as_of=as_of, protocol=protocol, paths=paths, subtree=subtree),
        sentinel=sentinel_figures(store=store, protocol=protocol, day=day, as_of=as_of, subtree=subtree,
                                  district_ids=set(paths.values())),
    )
