"""Enterprises in the store: whitelist decisions, roster compliance from the event log, help tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.eventlog.worlds import events
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.core.errors import Conflict, NotFound
from ringfence.enterprises import service, tickets
from ringfence.enterprises.models import (
    ApplicationStatus,
    Enterprise,
    ProductionStatus,
    ProjectBatch,
    TicketCategory,
    TicketStatus,
)
from ringfence.enterprises.schemas import ApplicationCreate, ProjectCreate, TicketCreate, TicketFilter
from ringfence.eventlog.store import open_store
from ringfence.people.models import Person
from ringfence.protocols.service import load
from ringfence.tasks import service as task_service
from ringfence.tasks.models import Task, TaskKind, TaskStatus

PROTOCOL = load("covid19-cn-9")
AS_OF = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)
CITY = Scope(actor="hq", role=Role.commander, subtree=None)
DISTRICT_1 = Scope(actor="d1", role=Role.district, subtree="/C/D1/")
DISTRICT_2 = Scope(actor="d2", role=Role.district, subtree="/C/D2/")
FIRM = Scope(actor="firm", role=Role.enterprise, subtree=None, unit_id="E1")


@pytest.fixture
def firm(session):
    build_small_city(session)
    session.add(Enterprise(enterprise_id="E1", name="Foxconn Line 3", building_id="B1", industry="electronics"))
    session.add(Enterprise(enterprise_id="E2", name="Cold Store", building_id="B2", industry="cold_chain"))
    for person_id in ("P1", "P2", "P3"):
        session.get(Person, person_id).workplace_id = "E1"
    session.flush()
    return session.get(Enterprise, "E1")


def test_an_enterprise_user_sees_their_own_enterprise_only(session, firm) -> None:
    assert service.get(session=session, scope=FIRM, enterprise_id="E1") is firm
    with pytest.raises(NotFound):
        service.get(session=session, scope=FIRM, enterprise_id="E2")
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_2, enterprise_id="E1")
    assert [e.enterprise_id for e in service.get_all(session=session, scope=CITY, filters=service.EnterpriseFilter())[0]] == ["E1", "E2"]


def test_approving_an_application_whitelists_the_enterprise_in_a_closed_loop(session, firm) -> None:
    application = service.apply(session=session, scope=FIRM, actor="firm",
                                application_in=ApplicationCreate(enterprise_id="E1", closed_loop=True, plan="dorms"))
    assert application.status is ApplicationStatus.pending and not firm.whitelisted
    service.decide(session=session, application=application, status=ApplicationStatus.approved, actor="hq")
    assert (firm.whitelisted, firm.closed_loop, firm.production_status) == (True, True, ProductionStatus.closed_loop)
    with pytest.raises(Conflict):
        service.decide(session=session, application=application, status=ApplicationStatus.rejected, actor="hq")
    service.decide(session=session, application=application, status=ApplicationStatus.revoked, actor="hq")
    assert not firm.whitelisted


def test_projects_move_through_the_three_batches(session, firm) -> None:
    for project_id, batch in [("K1", ProjectBatch.signed), ("K2", ProjectBatch.signed), ("K3", ProjectBatch.started)]:
        service.create_project(session=session, scope=CITY, actor="hq", project_in=ProjectCreate(
            project_id=project_id, name=project_id, enterprise_id="E1", batch=batch, batch_at=AS_OF))
    service.advance_project(session=session, project=service.get_project(session=session, scope=CITY, project_id="K2"),
                            batch=ProjectBatch.completed, actor="hq")
    assert service.batch_counts(session=session, scope=CITY) == {"signed": 1, "started": 1, "completed": 1}
    with pytest.raises(Exception, match="cannot go back"):
        service.advance_project(session=session, project=service.get_project(session=session, scope=CITY, project_id="K2"),
                                batch=ProjectBatch.signed, actor="hq")


def write_tests(settings, rows: list[tuple[str, datetime, str]]) -> None:
    """(person, collected_at, result) rows: one single tube each, reported an hour later."""
    with open_store(settings) as store:
        store.append("samples", events("samples", [
            {"sample_id": f"s{i}", "person_id": p, "tube_id": f"t{i}", "collected_at": at} for i, (p, at, _) in enumerate(rows)
        ]), batch_id="samples")
        store.append("tube_results", events("tube_results", [
            {"tube_id": f"t{i}", "result": result, "reported_at": at + timedelta(hours=1)}
            for i, (_, at, result) in enumerate(rows)
        ]), batch_id="results")


def test_the_roster_reads_each_staff_members_last_negative_test(session, settings, firm) -> None:
    write_tests(settings, [
        ("P1", AS_OF - timedelta(hours=60), "negative"),
        ("P1", AS_OF - timedelta(hours=20), "negative"),
        ("P2", AS_OF - timedelta(hours=50), "negative"),  # older than 48 h
        ("P3", AS_OF - timedelta(hours=5), "positive"),
        ("P3", AS_OF - timedelta(minutes=30), "negative"),  # reported after AS_OF: not known yet
    ])
    with open_store(settings) as store:
        roster = service.roster(session=session, scope=FIRM, enterprise_id="E1", as_of=AS_OF, protocol=PROTOCOL,
                                events=store, tz=settings.tz)
    assert {m.person_id: (m.last_negative_at, m.compliant) for m in roster.members} == {
        "P1": (AS_OF - timedelta(hours=20), True),
        "P2": (AS_OF - timedelta(hours=50), False),
        "P3": (None, False),
    }
    assert (roster.staff, roster.compliant, roster.alert) == (3, 1, False)  # not whitelisted: no alert


def test_a_whitelisted_enterprise_below_the_threshold_is_alerted_once_a_day_and_cleared(session, settings, firm) -> None:
    firm.whitelisted = True
    write_tests(settings, [("P1", AS_OF - timedelta(hours=3), "negative"), ("P2", AS_OF - timedelta(hours=3), "negative")])

    def check(at: datetime) -> dict[str, int]:
        with open_store(settings) as store:
            return service.check_compliance(session=session, as_of=at, protocol=PROTOCOL, events=store, actor="r",
                                            tz=settings.tz)

    assert check(AS_OF) == {"checked": 1, "alerts": 1, "recovered": 0}
    assert check(AS_OF + timedelta(minutes=5)) == {"checked": 1, "alerts": 0, "recovered": 0}
    [alert] = session.scalars(select(Task).where(Task.kind == TaskKind.compliance_alert))
    assert (alert.subject_id, alert.area_id, alert.status) == ("E1", "M1", TaskStatus.open)
    session.get(Person, "P3").workplace_id = None  # P3 leaves: the two who remain are screened
    assert check(AS_OF + timedelta(hours=1)) == {"checked": 1, "alerts": 0, "recovered": 1}
    assert alert.status is TaskStatus.done


def test_a_help_ticket_must_be_answered_by_its_deadline(session, firm) -> None:
    ticket = tickets.report(session=session, scope=FIRM, enterprise_id="E1", actor="firm", protocol=PROTOCOL, at=AS_OF,
                            ticket_in=TicketCreate(category=TicketCategory.staff_stuck, description="12 staff sealed in"))
    due = AS_OF + timedelta(hours=PROTOCOL.responsibility.help_ticket_hours)
    assert ticket.due_at == due
    task = session.get(Task, ticket.task_id)
    assert (task.kind, task.area_id, task.due_at) == (TaskKind.help_ticket, "M1", due)
    tickets.assign(session=session, ticket=ticket, assignee="official.zhang", actor="desk", at=AS_OF)
    assert task.assignee == "official.zhang"

    def overdue_at(at: datetime) -> list[int]:
        found, _ = tickets.get_all(session=session, scope=DISTRICT_1, filters=TicketFilter(overdue=True), as_of=at)
        return [t.ticket_id for t in found]

    assert overdue_at(due) == []
    assert overdue_at(due + timedelta(seconds=1)) == [ticket.ticket_id]
    task_service.escalate(session=session, as_of=due + timedelta(hours=1), protocol=PROTOCOL, actor="r")
    assert task.escalated_to == "S1"
    tickets.answer(session=session, ticket=ticket, text="pass issued", actor="official.zhang", at=due + timedelta(hours=2))
    assert (ticket.status, task.status, task.done_at) == (TicketStatus.answered, TaskStatus.done, due + timedelta(hours=2))
    assert tickets.is_overdue(ticket, as_of=due + timedelta(hours=1))
    assert not tickets.is_overdue(ticket, as_of=due + timedelta(hours=3))
    with pytest.raises(NotFound):
        tickets.get(session=session, scope=DISTRICT_2, ticket_id=ticket.ticket_id)
