"""Contact records: a traced contact stored once per (case, person), with its follow-up from the protocol."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from sqlalchemy import insert, select, update
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
    actor: str, registered: set[str] | None = None,
) -> int:
    """Store the contacts of `case` not stored yet, each with its follow-up; how many records were created.

    A person already recorded for this case keeps their record (tracing again adds, never rewrites).
    Contacts outside the person register (no record to link) are left out; a batch of cases passes
    the `registered` people of all their contacts (see `in_register`) instead of asking per case.
    One bulk INSERT: a case at a crowded place has thousands of contacts.
    """
    wanted = {c.person_id: c for c in contacts}
    if not wanted:
        return 0
    held = set(session.scalars(select(ContactRecord.person_id).where(ContactRecord.case_id == case.case_id)))
    known = registered if registered is not None else in_register(session=session, person_ids=wanted)
    rows = []
    for person_id, contact in sorted(wanted.items()):
        if person_id in held or person_id not in known:
            continue
        plan = rules.follow_up(contact, protocol, traced_at=traced_at, tz=tz)
        rows.append({
            "case_id": case.case_id, "person_id": person_id, "category": contact.category, "via": contact.via,
            "through": contact.through, "venue_id": contact.venue_id, "last_exposure": contact.last_exposure,
            "overlap_minutes": contact.overlap_minutes, "traced_at": traced_at, "measure": Measure(plan.measure),
            "measure_until": plan.measure_until, "monitoring_until": plan.monitoring_until,
            "test_dates": [d.isoformat() for d in plan.test_dates], "status": ContactStatus.traced,
        })
    if not rows:
        return 0
    session.execute(insert(ContactRecord.__table__), rows)
    timeline.record(
        session, subject_type="case", subject_id=str(case.case_id), actor=actor, action="case.traced",
        detail=f"{len(rows)} contacts recorded", at=traced_at,
    )
    return len(rows)


_CHUNK = 1000  # ids per query: within every engine's limit of bound parameters


def in_register(*, session: Session, person_ids: Iterable[str]) -> set[str]:
    """The `person_ids` that name a person in the register."""
    ids = sorted(set(person_ids))
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        found.update(session.scalars(select(Person.person_id).where(Person.person_id.in_(ids[start:start + _CHUNK]))))
    return found


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
