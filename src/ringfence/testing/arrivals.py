"""Arrivals from elsewhere: the measure their origin's risk calls for, their advance report, their tests.

Arrivals live in the relational store (thousands a day); their samples are read from the event log
for just those people, in chunks of parameters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas import service as areas_service
from ringfence.areas.models import Area, Building
from ringfence.auth.rules import Scope
from ringfence.eventlog.store import EventStore
from ringfence.protocols.models import ArrivalMeasure, Protocol
from ringfence.testing import routine, rules
from ringfence.testing.models import Arrival
from ringfence.testing.rules import ArrivalTestState, ReportState
from ringfence.testing.schemas import ArrivalCheck, ArrivalsDocument


class Problem:
    """The problems an arrival can have; each missing thing becomes a follow-up task."""

    no_advance_report = "no_advance_report"
    late_advance_report = "late_advance_report"
    arrival_test_missing = "arrival_test_missing"
    later_test_missing = "later_test_missing"


FOLLOWED_UP = (Problem.no_advance_report, Problem.arrival_test_missing, Problem.later_test_missing)


def default_since(as_of: datetime, protocol: Protocol) -> datetime:
    """Arrivals still being followed: those of the last (longest measure + 1) days."""
    days = max([protocol.arrivals.tests.within_days, *protocol.arrivals.isolation_days.values()]) + 1
    return as_of - timedelta(days=days)


def check(
    *, session: Session, store: EventStore, scope: Scope, protocol: Protocol, as_of: datetime,
    since: datetime | None = None,
) -> ArrivalsDocument:
    """Every arrival in (since, as_of] in the caller's jurisdiction, with its measure and what is missing."""
    since = since or default_since(as_of, protocol)
    query = (
        select(Arrival, Area.area_id)
        .join(Building, Building.building_id == Arrival.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(Arrival.arrive_at > since, Arrival.arrive_at <= as_of)
        .order_by(Arrival.arrive_at, Arrival.arrival_id)
    )
    if not scope.everywhere:
        query = query.where(areas_service.in_subtree(Area.path, scope.subtree))
    arrivals = list(session.execute(query))
    tested = [a.person_id for a, _ in arrivals
              if rules.arrival_measure(a.origin_risk, protocol.arrivals) is ArrivalMeasure.tests]
    sampled: dict[str, list[datetime]] = defaultdict(list)
    if tested:
        window_end = as_of
        table = routine.samples_of(store, person_ids=tested, start=since, end=window_end, as_of=as_of)
        for row in table.to_pylist():
            sampled[row["person_id"]].append(row["collected_at"])
    return ArrivalsDocument(as_of=as_of, arrivals=[
        _judge(arrival, community_id, sampled.get(arrival.person_id, []), protocol, as_of)
        for arrival, community_id in arrivals
    ])


def _judge(arrival: Arrival, community_id: str, sampled_at: list[datetime], protocol: Protocol, as_of: datetime) -> ArrivalCheck:
    measure = rules.arrival_measure(arrival.origin_risk, protocol.arrivals)
    report = rules.advance_report(arrival.arrive_at, arrival.reported_at, protocol.arrivals)
    problems = []
    if report is ReportState.missing:
        problems.append(Problem.no_advance_report)
    elif report is ReportState.late:
        problems.append(Problem.late_advance_report)
    first = later = None
    if measure is ArrivalMeasure.tests:
        tests = rules.arrival_tests(arrival.arrive_at, sampled_at, as_of, protocol.arrivals)
        first, later = tests.arrival_test, tests.later_test
        if first is ArrivalTestState.missing:
            problems.append(Problem.arrival_test_missing)
        if later is ArrivalTestState.missing:
            problems.append(Problem.later_test_missing)
    return ArrivalCheck(
        arrival_id=arrival.arrival_id, person_id=arrival.person_id, origin=arrival.origin,
        origin_risk=arrival.origin_risk, arrive_at=arrival.arrive_at, building_id=arrival.building_id,
        community_id=community_id,
        measure=measure, advance_report=report, arrival_test=first, later_test=later, problems=problems,
    )


def missed_at(check_row: ArrivalCheck, problem: str, protocol: Protocol) -> datetime:
    """When the thing `problem` names was due (the follow-up task's clock starts there)."""
    if problem == Problem.arrival_test_missing:
        return check_row.arrive_at + rules.DAY
    if problem == Problem.later_test_missing:
        return check_row.arrive_at + rules.DAY * protocol.arrivals.tests.within_days
    return check_row.arrive_at
