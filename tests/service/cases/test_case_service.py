"""Cases in the store: scoping by the case's home, the timeline of status changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.cases import service
from ringfence.cases.models import CaseStatus, Classification
from ringfence.cases.schemas import CaseCreate
from ringfence.core.errors import Conflict, NotFound

DISTRICT_A = Scope(actor="a.staff", role=Role.district, subtree="/C/D1/")
DISTRICT_B = Scope(actor="b.staff", role=Role.district, subtree="/C/D2/")
CITY = Scope(actor="hq", role=Role.commander, subtree=None)


@pytest.fixture
def cases(session):
    build_small_city(session)
    made = {}
    for person, day in (("P1", 10), ("P3", 11), ("P0", 12)):
        made[person] = service.create(session=session, actor="test", case_in=CaseCreate(
            person_id=person, classification=Classification.confirmed,
            confirmed_at=datetime(2022, 10, day, tzinfo=UTC)))
    return made


def test_a_district_sees_the_cases_living_in_its_subtree_only(session, cases) -> None:
    assert [c.person_id for c in service.get_page(session=session, scope=DISTRICT_A)[0]] == ["P1"]
    assert [c.person_id for c in service.get_page(session=session, scope=CITY)[0]] == ["P0", "P3", "P1"]
    with pytest.raises(NotFound):
        service.get_visible(session=session, scope=DISTRICT_B, case_id=cases["P1"].case_id)
    with pytest.raises(NotFound):  # no home: city-wide roles only
        service.get_visible(session=session, scope=DISTRICT_A, case_id=cases["P0"].case_id)


def test_status_changes_follow_the_allowed_transitions_and_land_on_the_timeline(session, cases) -> None:
    case = cases["P1"]
    isolated_at = datetime(2022, 10, 10, 6, tzinfo=UTC)
    service.transition(session=session, case=case, to=CaseStatus.isolated, at=isolated_at, actor="cdc")
    service.transition(session=session, case=case, to=CaseStatus.recovered, at=datetime(2022, 10, 20, tzinfo=UTC),
                       actor="cdc")
    assert case.isolated_at == isolated_at
    with pytest.raises(Conflict):
        service.transition(session=session, case=case, to=CaseStatus.isolated, at=isolated_at, actor="cdc")
    assert [(e.actor, e.action) for e in service.history(session=session, case=case)] == [
        ("test", "case.confirmed"), ("cdc", "case.isolated"), ("cdc", "case.recovered")]


def test_a_person_is_a_case_once(session, cases) -> None:
    with pytest.raises(Conflict):
        service.create(session=session, actor="test", case_in=CaseCreate(
            person_id="P1", classification=Classification.asymptomatic, confirmed_at=datetime(2022, 10, 13, tzinfo=UTC)))
