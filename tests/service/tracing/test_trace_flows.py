"""Tracing a recorded case end to end: feeds naming people three ways, the window, records and tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.service.tracing.outbreak import CONFIRMED, seed_outbreak

from ringfence import respond
from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, Classification, FoundVia
from ringfence.cases.schemas import CaseCreate
from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.eventlog.store import open_store
from ringfence.protocols import service as protocols
from ringfence.tasks.models import Task, TaskKind
from ringfence.tracing import exposures, flows
from ringfence.tracing.models import ContactRecord, ContactStatus, Measure
from ringfence.tracing.rules import ContactCategory, ExposureVia

PROTOCOL = protocols.load("covid19-cn-9")
AS_OF = datetime(2022, 10, 10, 8, tzinfo=UTC)  # 16:00 local, after the confirmation


@pytest.fixture
def case(session, settings, tmp_path: Path) -> Case:
    return seed_outbreak(session, settings, tmp_path)


def trace(session, settings, person_id: str, as_of: datetime = AS_OF):
    with open_store(settings) as store:
        return flows.trace_person(session=session, events=store, protocol=PROTOCOL, person_id=person_id,
                                  as_of=as_of, tz=settings.tz, actor="analyst")


def test_people_named_by_id_number_or_phone_with_any_offset_are_found(session, settings, case) -> None:
    traced = trace(session, settings, "P1")
    venue = {c.person_id: c for c in traced.contacts if c.via is ExposureVia.venue}
    assert sorted(venue) == ["P3", "P4"]  # P0: 14 minutes
    assert (venue["P3"].overlap_minutes, venue["P3"].last_exposure) == (30, datetime(2022, 10, 9, 3, 30, tzinfo=UTC))
    assert venue["P4"].overlap_minutes == 16


def test_the_trace_gives_the_window_and_the_household(session, settings, case) -> None:
    traced = trace(session, settings, "P1")
    assert traced.case == "P1"
    assert traced.window.start == CONFIRMED - timedelta(days=4)
    assert traced.window.end == CONFIRMED
    household = [c for c in traced.contacts if c.via is ExposureVia.household]
    assert [(c.person_id, c.category) for c in household] == [("P2", ContactCategory.close)]


def test_tracing_is_audited(session, settings, case) -> None:
    trace(session, settings, "P1")
    traces = [(e.user, e.subject) for e in audit.entries(session) if e.action == "case.trace"]
    assert traces == [("analyst", f"case:{case.case_id}")]


def test_tracing_a_person_who_is_not_a_case_says_so(session, settings, case) -> None:
    with pytest.raises(NotFound, match="P3 is not a case"):
        trace(session, settings, "P3")
    with pytest.raises(NotFound, match="P1 is not a case"):
        trace(session, settings, "P1", as_of=CONFIRMED - timedelta(minutes=1))


def test_as_of_an_earlier_time_the_window_closes_then(session, settings, case) -> None:
    traced = trace(session, settings, "P1", as_of=CONFIRMED)
    assert traced.window.end == CONFIRMED
    earlier = CONFIRMED - timedelta(hours=1)
    assert flows.window_of(session=session, case=case, protocol=PROTOCOL, as_of=earlier).end == earlier


def run_trace_step(session, settings, as_of: datetime = AS_OF) -> dict[str, int]:
    context = respond.Context(as_of=as_of, settings=settings, protocol=PROTOCOL, actor="respond")
    try:
        counts = flows.trace_new_cases(session, context)
    finally:
        context.events.close()
    session.commit()
    return counts


def test_the_daily_step_records_contacts_with_their_follow_up_and_placement_tasks(session, settings, case) -> None:
    counts = run_trace_step(session, settings)
    assert (counts["cases"], counts["contacts"], counts["place_contact"]) == (1, 3, 3)
    records = {r.person_id: r for r in session.scalars(select(ContactRecord))}
    assert sorted(records) == ["P2", "P3", "P4"]
    p3 = records["P3"]
    assert (p3.category, p3.measure, p3.status) == (ContactCategory.close, Measure.central_isolation, ContactStatus.traced)
    # last exposure 9 October 11:30 local: day 0; isolated to day 7, monitored to day 10
    assert (p3.measure_until, p3.monitoring_until) == (date(2022, 10, 16), date(2022, 10, 19))
    assert p3.test_dates[0] == "2022-10-10"
    tasks = {t.subject_id: t for t in session.scalars(select(Task).where(Task.kind == TaskKind.place_contact))}
    assert {p: t.area_id for p, t in tasks.items()} == {"P2": "M1", "P3": "M2", "P4": "M_"}
    assert all(t.due_at == CONFIRMED + timedelta(hours=24) for t in tasks.values())
    assert session.get(Case, case.case_id).traced_at == AS_OF


def test_the_daily_step_is_idempotent(session, settings, case) -> None:
    run_trace_step(session, settings)
    again = run_trace_step(session, settings, AS_OF + timedelta(hours=1))
    assert (again["cases"], again["contacts"], again["place_contact"]) == (0, 0, 0)
    assert len(list(session.scalars(select(ContactRecord)))) == 3


def test_cases_confirmed_after_as_of_wait_for_a_later_day(session, settings, case) -> None:
    counts = run_trace_step(session, settings, CONFIRMED - timedelta(hours=1))
    assert counts["cases"] == 0
    assert session.get(Case, case.case_id).traced_at is None


@pytest.mark.parametrize("passes", ["one pass", "a pass a case"])
def test_the_daily_step_records_each_case_s_contacts_whatever_the_passes(
    session, settings, case, passes: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if passes == "a pass a case":
        monkeypatch.setattr(exposures, "FIRST_PASS", 1)
        monkeypatch.setattr(exposures, "MOST_CONTACTS", 1)
    # P3 shared the mall with P1 (30 min), P4 (46 min) and P0 (44 min); P2 is P1's household
    p3 = cases_service.create(session=session, case_in=CaseCreate(
        person_id="P3", classification=Classification.confirmed, confirmed_at=CONFIRMED,
        found_via=FoundVia.screening), actor="test")
    session.commit()
    counts = run_trace_step(session, settings)
    assert (counts["cases"], counts["contacts"], counts["place_contact"]) == (2, 7, 7)
    records = {(r.case_id, r.person_id): (r.category, r.through) for r in session.scalars(select(ContactRecord))}
    close, secondary = ContactCategory.close, ContactCategory.secondary
    assert records == {
        (case.case_id, "P2"): (close, None), (case.case_id, "P3"): (close, None), (case.case_id, "P4"): (close, None),
        (p3.case_id, "P1"): (close, None), (p3.case_id, "P4"): (close, None), (p3.case_id, "P0"): (close, None),
        (p3.case_id, "P2"): (secondary, "P1"),
    }
    assert session.get(Case, p3.case_id).traced_at == session.get(Case, case.case_id).traced_at == AS_OF
