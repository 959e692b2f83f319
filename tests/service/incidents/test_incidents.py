"""Incidents: opened with a team and cases, their tasks gathered, moved from opened to extinguished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.cases.models import Case, Classification
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.incidents import service
from ringfence.incidents.models import IncidentStatus, LinkKind, Party, TeamRole
from ringfence.incidents.schemas import IncidentCreate, LinkIn, MemberIn
from ringfence.protocols.service import load
from ringfence.tasks import service as tasks
from ringfence.tasks.models import TaskKind

PROTOCOL = load("covid19-cn-9")
AT = datetime(2022, 10, 10, 9, 0, tzinfo=UTC)
DISTRICT_1 = Scope(actor="d1", role=Role.district, subtree="/C/D1/")
DISTRICT_2 = Scope(actor="d2", role=Role.district, subtree="/C/D2/")


@pytest.fixture
def outbreak(session):
    build_small_city(session)
    cases = [Case(person_id=p, classification=Classification.confirmed, confirmed_at=AT) for p in ("P1", "P2")]
    session.add_all(cases)
    session.flush()
    for case in cases:
        tasks.ensure(session=session, kind=TaskKind.investigate_case, subject_id=case.person_id, area_id="M1",
                     due_at=AT + timedelta(hours=24), source_key=f"case:{case.case_id}", actor="t", protocol=PROTOCOL)
    incident = service.open_incident(session=session, scope=DISTRICT_1, actor="d1", incident_in=IncidentCreate(
        name="Market cluster", area_id="D1", opened_at=AT, case_ids=[cases[0].case_id],
        team=[MemberIn(name="Director Wu", role=TeamRole.lead, party=Party.territory),
              MemberIn(name="Dr Chen", party=Party.department, organisation="district CDC")],
    ))
    return incident, cases


def test_the_report_gathers_team_cases_zones_and_the_tasks_of_its_cases(session, outbreak) -> None:
    incident, cases = outbreak
    service.link(session=session, incident=incident, link_in=LinkIn(kind=LinkKind.case, ref=str(cases[1].case_id)), actor="d1")
    service.link(session=session, incident=incident, link_in=LinkIn(kind=LinkKind.zone, ref="high:B1"), actor="d1")
    service.link(session=session, incident=incident, link_in=LinkIn(kind=LinkKind.zone, ref="high:B1"), actor="d1")
    view = service.report(session=session, incident=incident, as_of=AT + timedelta(hours=49))
    assert (view.lead, [m.name for m in view.team]) == ("Director Wu", ["Director Wu", "Dr Chen"])
    assert [c.person_id for c in view.cases] == ["P1", "P2"]
    assert view.zones == ["high:B1"]
    assert sorted(t.subject_id for t in view.tasks) == ["P1", "P2"]
    assert (view.open_tasks, view.overdue_tasks) == (2, 2)
    assert {t.escalated_to for t in view.tasks} == {"D1"}  # overdue 25 h: two levels up
    assert [e.action for e in view.timeline].count("incident.zone_linked") == 1


def test_an_incident_moves_from_opened_to_extinguished_and_no_further(session, outbreak) -> None:
    incident, _ = outbreak
    for status in (IncidentStatus.controlling, IncidentStatus.contained, IncidentStatus.controlling,
                   IncidentStatus.contained, IncidentStatus.extinguished):
        service.change_status(session=session, incident=incident, status=status, actor="d1")
    assert incident.status is IncidentStatus.extinguished
    with pytest.raises(Conflict):
        service.change_status(session=session, incident=incident, status=IncidentStatus.controlling, actor="d1")
    actions = [e.action for e in service.report(session=session, incident=incident).timeline]
    assert actions[0] == "incident.opened" and actions[-1] == "incident.extinguished"


def test_a_new_lead_replaces_the_old_one(session, outbreak) -> None:
    incident, _ = outbreak
    service.add_member(session=session, incident=incident, actor="d1",
                       member_in=MemberIn(name="Deputy Sun", role=TeamRole.lead, party=Party.unit))
    view = service.report(session=session, incident=incident)
    assert view.lead == "Deputy Sun"
    assert {m.name: m.role for m in view.team}["Director Wu"] is TeamRole.member


def test_incidents_are_seen_in_their_district_only_and_links_must_exist(session, outbreak) -> None:
    incident, _ = outbreak
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_2, incident_id=incident.incident_id)
    with pytest.raises(InvalidInput):
        service.link(session=session, incident=incident, link_in=LinkIn(kind=LinkKind.case, ref="9999"), actor="d1")
