"""Contact records in bulk: a case at a crowded place has thousands of contacts, stored once each."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from tests.service.areas.small_city import build_small_city

from ringfence.cases.models import Case, Classification
from ringfence.core.timeline import TimelineEntry
from ringfence.people.models import Person
from ringfence.protocols import service as protocols
from ringfence.tracing import service
from ringfence.tracing.models import ContactRecord, ContactStatus, Measure
from ringfence.tracing.rules import Contact, ContactCategory, ExposureVia

PROTOCOL = protocols.load("covid19-cn-9")
CONFIRMED = datetime(2022, 10, 10, 4, tzinfo=UTC)
TRACED = datetime(2022, 10, 10, 8, tzinfo=UTC)
CROWD = 1_500  # more people than one query's list of bound parameters holds


def crowded_case(session) -> Case:
    build_small_city(session)
    session.add_all([Person(person_id=f"Q{i:05d}", building_id="B2") for i in range(CROWD)])
    case = Case(person_id="P1", classification=Classification.confirmed, confirmed_at=CONFIRMED)
    session.add(case)
    session.flush()
    return case


def at_the_mall(person_id: str) -> Contact:
    return Contact(person_id, ContactCategory.close, ExposureVia.venue, venue_id="V2",
                   last_exposure=datetime(2022, 10, 9, 3, 30, tzinfo=UTC), overlap_minutes=40)


def record(session, case: Case, contacts: list[Contact]) -> int:
    return service.record(session=session, case=case, contacts=contacts, traced_at=TRACED, protocol=PROTOCOL,
                          tz=UTC, actor="respond")


def test_every_registered_contact_of_a_crowded_case_is_recorded_once_with_its_follow_up(session) -> None:
    case = crowded_case(session)
    contacts = [at_the_mall(f"Q{i:05d}") for i in range(CROWD)] + [at_the_mall("NOT-REGISTERED")]
    assert record(session, case, contacts) == CROWD
    assert record(session, case, contacts[:10] + [at_the_mall("P3")]) == 1  # only P3 is new
    stored = session.scalars(select(ContactRecord).where(ContactRecord.person_id == "Q01234")).one()
    assert (stored.category, stored.measure, stored.status) == (
        ContactCategory.close, Measure.central_isolation, ContactStatus.traced)
    # day 0 is the day of the last exposure: isolated to day 7, monitored to day 10, tested on days 1, 2, 3, 5, 7, 10
    assert (stored.measure_until, stored.monitoring_until) == (date(2022, 10, 16), date(2022, 10, 19))
    assert stored.test_dates == ["2022-10-10", "2022-10-11", "2022-10-12", "2022-10-14", "2022-10-16", "2022-10-19"]
    assert (stored.venue_id, stored.overlap_minutes, stored.traced_at) == ("V2", 40, TRACED)
    assert session.scalar(select(func.count()).select_from(ContactRecord)) == CROWD + 1
    details = list(session.scalars(select(TimelineEntry.detail).where(TimelineEntry.action == "case.traced")))
    assert details == [f"{CROWD} contacts recorded", "1 contacts recorded"]


def test_a_case_without_new_contacts_writes_nothing(session) -> None:
    case = crowded_case(session)
    assert record(session, case, []) == 0
    assert record(session, case, [at_the_mall("NOT-REGISTERED")]) == 0
    assert session.scalar(select(func.count()).select_from(ContactRecord)) == 0
    assert session.scalar(select(func.count()).select_from(TimelineEntry)) == 0
