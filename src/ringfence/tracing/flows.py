"""Tracing a case end to end: its facts from the stores, its window, its contacts from the event log.

Also the daily cycle's `trace` step: every case confirmed by `as_of` and not yet traced is traced in
one batch pass, its contacts stored as records and a `place_contact` task made for each close and
secondary contact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import Building
from ringfence.auth.rules import Scope
from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, CaseStatus
from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.eventlog.store import EventStore
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.tracing import exposures, rules
from ringfence.tracing import service as tracing_service
from ringfence.tracing.rules import CaseFacts, ContactCategory, Interval
from ringfence.tracing.schemas import TraceRead

if TYPE_CHECKING:
    from ringfence.respond import Context


def case_facts(*, session: Session, case: Case) -> CaseFacts:
    """The times that set a case's window; an isolation placement running at confirmation isolated it earlier."""
    isolated_at = case.isolated_at
    placed_at = _placed_before(session, case)
    if placed_at is not None and (isolated_at is None or placed_at < isolated_at):
        isolated_at = placed_at
    return CaseFacts(case.person_id, case.confirmed_at, case.onset_at, case.sampled_at, isolated_at)


def _placed_before(session: Session, case: Case) -> datetime | None:
    from ringfence.isolation.models import Placement  # isolation is optional to tracing

    placed = session.execute(
        select(Placement.placed_at, Placement.ended_at)
        .where(Placement.person_id == case.person_id, Placement.placed_at.is_not(None),
               Placement.placed_at <= case.confirmed_at)
    ).all()
    running = [at for at, ended in placed if ended is None or ended >= case.confirmed_at]
    return min(running, default=None)


def window_of(*, session: Session, case: Case, protocol: Protocol, as_of: datetime | None) -> Interval:
    return rules.infectious_window(case_facts(session=session, case=case), protocol.contact, as_of=as_of)


def case_of_person(*, session: Session, person_id: str, as_of: datetime) -> Case:
    """The person's case as of `as_of`; NotFound says the person is not a case (then)."""
    case = cases_service.get_by_person(session=session, person_id=person_id)
    if case is None or case.status is CaseStatus.discarded or case.confirmed_at > as_of:
        raise NotFound(f"person {person_id} is not a case as of {as_of.isoformat()}")
    return case


def trace(
    *, session: Session, events: EventStore, protocol: Protocol, case: Case, as_of: datetime, tz: tzinfo,
) -> TraceRead:
    """One case's window and contacts, as `ringfence trace --json` prints them."""
    window = window_of(session=session, case=case, protocol=protocol, as_of=as_of)
    found = exposures.trace_batch(events, [exposures.CaseWindow(case.person_id, window)], protocol, tz=tz)
    return TraceRead.of(case.person_id, window, found.contacts_of(case.person_id))


def trace_person(
    *, session: Session, events: EventStore, protocol: Protocol, person_id: str, as_of: datetime, tz: tzinfo,
    actor: str, origin: str | None = None,
) -> TraceRead:
    """`ringfence trace PERSON`: NotFound when the person is not a case; the read is audited."""
    case = case_of_person(session=session, person_id=person_id, as_of=as_of)
    audit.record(session, user=actor, action="case.trace", subject=f"case:{case.case_id}", origin=origin)
    return trace(session=session, events=events, protocol=protocol, case=case, as_of=as_of, tz=tz)


def contacts_of_case(
    *, session: Session, scope: Scope, events: EventStore, protocol: Protocol, case_id: int, as_of: datetime,
    tz: tzinfo,
) -> TraceRead:
    """`/api/cases/{id}/contacts`: the case must lie in the caller's jurisdiction (else NotFound); audited."""
    case = cases_service.get_visible(session=session, scope=scope, case_id=case_id)
    if case.status is CaseStatus.discarded or case.confirmed_at > as_of:
        raise NotFound(f"no case {case_id}")
    audit.record(session, user=scope.actor, action="case.contacts", subject=f"case:{case_id}", origin=scope.origin)
    return trace(session=session, events=events, protocol=protocol, case=case, as_of=as_of, tz=tz)


def trace_new_cases(session: Session, context: Context) -> dict[str, int]:
    """The daily cycle's `trace` step: trace the cases confirmed by `as_of` not traced yet; idempotent."""
    pending = list(session.scalars(
        select(Case).where(Case.confirmed_at <= context.as_of, Case.traced_at.is_(None),
                           Case.status != CaseStatus.discarded)
        .order_by(Case.case_id)
    ))
    counts = {"cases": len(pending), "contacts": 0, "place_contact": 0, "unregistered_phones": 0}
    tz = context.settings.tz
    windows = [
        exposures.CaseWindow(c.person_id, window_of(session=session, case=c, protocol=context.protocol,
                                                    as_of=context.as_of))
        for c in pending
    ]
    unregistered: set[int] = set()
    done = 0
    for batch in exposures.trace_in_passes(context.events, windows, context.protocol, tz=tz):
        unregistered |= batch.unregistered_phones
        # the cases of a day share most of their contacts (a town's crowded places): ask the register once a pass
        registered = tracing_service.in_register(
            session=session, person_ids=set(batch.contacts.column("person_id").unique().to_pylist()),
        )
        placed: list[tuple[Case, list[str]]] = []  # each case's close and secondary contacts
        for case in pending[done:done + len(batch.cases)]:
            contacts = batch.contacts_of(case.person_id)
            counts["contacts"] += tracing_service.record(
                session=session, case=case, contacts=contacts, traced_at=context.as_of,
                protocol=context.protocol, tz=tz, actor=context.actor, registered=registered,
            )
            case.traced_at = context.as_of
            placed.append((case, [c.person_id for c in contacts
                                  if c.category in (ContactCategory.close, ContactCategory.secondary)]))
        counts["place_contact"] += _placement_tasks(session, context, placed)
        done += len(batch.cases)
    counts["unregistered_phones"] = len(unregistered)
    counts["became_cases"] = tracing_service.mark_became_cases(session=session)
    return counts


def _placement_tasks(session: Session, context: Context, placed: list[tuple[Case, list[str]]]) -> int:
    """A `place_contact` task per close and secondary contact (`placed`: each case's) in the contact's community;
    the new ones."""
    from ringfence.tasks import service as tasks  # the task register is another capability's
    from ringfence.tasks.models import TaskKind

    community: dict[str, str | None] = {}  # registered people: their community, when their building is known
    ids = sorted({person_id for _case, people in placed for person_id in people})
    for start in range(0, len(ids), 1000):
        community.update(session.execute(
            select(Person.person_id, Building.community_id)
            .outerjoin(Building, Building.building_id == Person.building_id)
            .where(Person.person_id.in_(ids[start:start + 1000]))
        ).all())
    hours = timedelta(hours=context.protocol.deadlines.place_contacts)
    specs = [
        tasks.TaskSpec(
            subject_id=person_id, area_id=community.get(person_id), due_at=case.confirmed_at + hours,
            source_key=f"case:{case.case_id}:contact:{person_id}",
        )
        for case, people in placed
        for person_id in people
        if person_id in community
    ]
    if not specs:
        return 0
    return tasks.ensure_many(
        session=session, kind=TaskKind.place_contact, specs=specs, actor=context.actor,
        protocol=context.protocol, created_at=context.as_of,
    )
