"""Inspections: findings become rectification tasks, overdue ones show, repeated gaps per party."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.core import timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.protocols.service import load
from ringfence.supervision import service
from ringfence.supervision.models import FindingStatus, PlaceKind
from ringfence.supervision.schemas import FindingCreate, FindingFilter, InspectionCreate
from ringfence.tasks import service as tasks
from ringfence.tasks.models import Task, TaskKind, TaskStatus

PROTOCOL = load("covid19-cn-9")
AT = datetime(2022, 10, 10, 9, 0, tzinfo=UTC)
CITY = Scope(actor="hq", role=Role.commander, subtree=None)
DISTRICT_1 = Scope(actor="d1", role=Role.district, subtree="/C/D1/")
DISTRICT_2 = Scope(actor="d2", role=Role.district, subtree="/C/D2/")


@pytest.fixture
def city(session):
    return build_small_city(session)


def inspect(session, place: str, area: str, *categories: str, at: datetime = AT, scope: Scope = CITY):
    return service.record(session=session, scope=scope, actor="team-3", protocol=PROTOCOL, inspection_in=InspectionCreate(
        place_kind=PlaceKind.sealed_building, place_id=place, area_id=area, team="team-3", inspector="li",
        inspected_at=at, findings=[
            FindingCreate(category=c, description=f"{c} at {place}", department="territorial", unit="M1 committee",
                          person="zhao", rectify_by=at + timedelta(hours=24))
            for c in categories
        ],
    ))


def test_each_finding_gets_a_rectification_task_due_at_its_deadline(session, city) -> None:
    inspection = inspect(session, "B1", "M1", "unsealed_exit")
    [finding] = service.findings_of(session=session, inspection=inspection)
    task = session.get(Task, finding.task_id)
    assert (task.kind, task.area_id, task.due_at, task.assignee, task.unit) == (
        TaskKind.rectification, "M1", AT + timedelta(hours=24), "zhao", "M1 committee")


def test_an_unrectified_finding_is_overdue_after_its_deadline_and_its_task_escalates(session, city) -> None:
    inspection = inspect(session, "B1", "M1", "unsealed_exit")
    [finding] = service.findings_of(session=session, inspection=inspection)
    deadline = AT + timedelta(hours=24)

    def overdue(at: datetime) -> list[int]:
        rows, _ = service.get_findings(session=session, scope=DISTRICT_1, filters=FindingFilter(overdue=True), as_of=at)
        return [f.finding_id for f in rows]

    assert overdue(deadline) == []
    assert overdue(deadline + timedelta(minutes=1)) == [finding.finding_id]
    tasks.escalate(session=session, as_of=deadline + timedelta(minutes=1), protocol=PROTOCOL, actor="r")
    assert session.get(Task, finding.task_id).escalated_to == "S1"
    service.close(session=session, finding=finding, note="exit welded", actor="zhao", at=deadline + timedelta(hours=2))
    assert (finding.status, session.get(Task, finding.task_id).status) == (FindingStatus.rectified, TaskStatus.done)
    assert overdue(deadline + timedelta(hours=3)) == []
    assert overdue(deadline + timedelta(hours=1)) == [finding.finding_id]  # it was still open then
    with pytest.raises(Conflict):
        service.close(session=session, finding=finding, note="again", actor="zhao")
    actions = [e.action for e in timeline.history(session, subject_type="inspection",
                                                   subject_id=str(inspection.inspection_id))]
    assert actions == ["inspection.recorded", "finding.recorded", "finding.rectified"]


def test_repeated_findings_are_counted_per_responsible_party(session, city) -> None:
    inspect(session, "B1", "M1", "unsealed_exit", "no_register")
    inspect(session, "B1", "M1", "unsealed_exit", at=AT + timedelta(days=2))
    inspect(session, "B2", "M2", "no_register")
    repeated = {(r.party, r.category): r.count for r in service.repeated_findings(session=session, scope=CITY)}
    assert repeated[("area:M1", "unsealed_exit")] == 2
    assert repeated[("person:zhao", "unsealed_exit")] == 2
    assert repeated[("unit:M1 committee", "no_register")] == 2  # same unit named in both districts
    assert ("area:M1", "no_register") not in repeated
    in_d2 = service.repeated_findings(session=session, scope=DISTRICT_2)
    assert in_d2 == []


def test_an_inspection_outside_the_jurisdiction_is_refused_and_hidden(session, city) -> None:
    with pytest.raises(NotFound):
        inspect(session, "B2", "M2", "x", scope=DISTRICT_1)
    inspection = inspect(session, "B2", "M2", "x")
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_1, inspection_id=inspection.inspection_id)


def test_a_deadline_before_the_inspection_is_refused(session, city) -> None:
    with pytest.raises(InvalidInput):
        service.record(session=session, scope=CITY, actor="t", protocol=PROTOCOL, inspection_in=InspectionCreate(
            place_kind=PlaceKind.venue, place_id="V1", area_id="M1", team="t", inspector="i", inspected_at=AT,
            findings=[FindingCreate(category="x", description="d", rectify_by=AT - timedelta(hours=1))]))
