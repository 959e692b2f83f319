"""Contact records: a traced contact stored once per (case, person), with its follow-up from the protocol."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ringfence.auth.rules import Scope
from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, CaseStatus
from ringfence.core import timeline
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.tracing import rules, transmission
from ringfence.tracing.models import ContactRecord, ContactStatus, Measure
from ringfence.tracing.rules import Contact


def get_all(*, session: Session, case_id: int) -> list[ContactRecord]:
    """The stored contacts of a case, by person."""
    query = select(ContactRecord).where(ContactRecord.case_id == case_id).order_by(ContactRecord.person_id)
    return list(session.scalars(query))


def record(
    *, session: Session, case: Case, contacts: Iterable[Contact], traced_at: datetime, protocol: Protocol, tz: tzinfo,
    actor: str,
) -> list[ContactRecord]:
    """Store the contacts of `case` not stored yet, each with its follow-up; the records created.

    A person already recorded for this case keeps their record (tracing again adds, never rewrites).
    Contacts outside the person register (no record to link) are left out.
    """
    wanted = {c.person_id: c for c in contacts}
    if not wanted:
        return []
    held = set(session.scalars(select(ContactRecord.person_id).where(
        ContactRecord.case_id == case.case_id, ContactRecord.person_id.in_(list(wanted)))))
    known = set(session.scalars(select(Person.person_id).where(Person.person_id.in_(list(wanted)))))
    created = []
    for person_id, contact in sorted(wanted.items()):
        if person_id in held or person_id not in known:
            continue
        plan = rules.follow_up(contact, protocol, traced_at=traced_at, tz=tz)
        created.append(ContactRecord(
            case_id=case.case_id, person_id=person_id, category=contact.category, via=contact.via,
            through=contact.through, venue_id=contact.venue_id, last_exposure=contact.last_exposure,
            overlap_minutes=contact.overlap_minutes, traced_at=traced_at, measure=Measure(plan.measure),
            measure_until=plan.measure_until, monitoring_until=plan.monitoring_until,
            test_dates=[d.isoformat() for d in plan.test_dates], status=ContactStatus.traced,
        ))
    session.add_all(created)
    session.flush()
    if created:
        timeline.record(
            session, subject_type="case", subject_id=str(case.case_id), actor=actor, action="case.traced",
            detail=f"{len(created)} contacts recorded", at=traced_at,
        )
    return created


def mark_became_cases(*, session: Session) -> int:
    """Contacts who are now cases themselves get the status `became_case`; how many changed."""
    became = select(Case.person_id).where(Case.status != CaseStatus.discarded)
    changed = session.execute(
        update(ContactRecord)
        .where(ContactRecord.person_id.in_(became), ContactRecord.status != ContactStatus.became_case)
        .values(status=ContactStatus.became_case)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount or 0


def graph(*, session: Session, scope: Scope, with_contacts: bool = True) -> transmission.Graph:
    """The transmission graph of the cases in the caller's jurisdiction (and of their recorded contacts)."""
    visible = cases_service.in_scope(select(Case), scope).where(Case.status != CaseStatus.discarded)
    cases = [
        transmission.CaseNode(c.person_id, c.case_id, c.confirmed_at) for c in session.scalars(visible)
    ]
    by_id = {c.case_id: c.person_id for c in cases}
    case_people = {c.person_id for c in cases}
    rows = session.execute(
        select(ContactRecord.case_id, ContactRecord.person_id, ContactRecord.category, ContactRecord.via)
        .where(ContactRecord.case_id.in_(list(by_id)))
    ).all() if by_id else []
    exposures = [
        transmission.Exposure(by_id[case_id], person_id, category, via)
        for case_id, person_id, category, via in rows
        if with_contacts or person_id in case_people
    ]
    return transmission.transmission_graph(cases, exposures)
