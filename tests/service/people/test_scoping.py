from __future__ import annotations

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.people import service as people_service
from ringfence.people.schemas import PersonCreate, PersonFilter, PersonUpdate

DISTRICT_A = Scope(actor="a.staff", role=Role.district, subtree="/C/D1/", origin="10.0.0.1")
DISTRICT_B = Scope(actor="b.staff", role=Role.district, subtree="/C/D2/", origin="10.0.0.2")
WILDCARD = Scope(actor="w.staff", role=Role.district, subtree="/C/D_/", origin="10.0.0.3")
COMMANDER = Scope(actor="hq", role=Role.commander, subtree=None, origin="10.0.0.9")


def listed(session, scope: Scope, **filters) -> list[str]:
    people, _total = people_service.get_all(session=session, scope=scope, filters=PersonFilter(**filters))
    return [p.person_id for p in people]


@pytest.fixture
def city(session):
    return build_small_city(session)


def test_a_district_lists_only_the_people_of_its_subtree(session, city) -> None:
    assert listed(session, DISTRICT_A) == ["P1", "P2"]
    assert listed(session, DISTRICT_B) == ["P3"]


def test_a_wildcard_in_an_area_id_matches_itself_only(session, city) -> None:
    assert listed(session, WILDCARD) == ["P4"]


def test_the_commander_lists_the_whole_city_including_people_without_a_home(session, city) -> None:
    assert listed(session, COMMANDER) == ["P0", "P1", "P2", "P3", "P4"]


def test_a_person_outside_the_jurisdiction_is_not_found(session, city) -> None:
    with pytest.raises(NotFound):
        people_service.get(session=session, scope=DISTRICT_B, person_id="P1")
    with pytest.raises(NotFound):
        people_service.get(session=session, scope=DISTRICT_A, person_id="P0")


def test_a_missing_and_a_hidden_person_get_the_same_answer(session, city) -> None:
    messages = []
    for person_id in ("P1", "P-missing"):
        with pytest.raises(NotFound) as refused:
            people_service.get(session=session, scope=DISTRICT_B, person_id=person_id)
        messages.append(str(refused.value).replace(person_id, "ID"))
    assert messages[0] == messages[1]


def test_filters_narrow_the_list_inside_the_jurisdiction(session, city) -> None:
    assert listed(session, DISTRICT_A, key_group="courier") == ["P1"]
    assert listed(session, COMMANDER, household_id="H1") == ["P1", "P2"]
    assert listed(session, COMMANDER, building_id="B2") == ["P3"]
    assert listed(session, COMMANDER, area_id="S1") == ["P1", "P2"]


def test_an_area_filter_outside_the_jurisdiction_finds_nobody(session, city) -> None:
    assert listed(session, DISTRICT_A, area_id="D2") == []
    assert listed(session, DISTRICT_B, building_id="B1") == []


def test_pages_split_the_list_and_the_total_counts_all(session, city) -> None:
    people, total = people_service.get_all(session=session, scope=COMMANDER, filters=PersonFilter(), page=2, size=2)
    assert [p.person_id for p in people] == ["P2", "P3"] and total == 5


def test_reading_a_person_is_audited(session, city) -> None:
    people_service.get(session=session, scope=DISTRICT_A, person_id="P2")
    assert [(e.user, e.action, e.subject, e.origin) for e in audit.entries(session)] == [
        ("a.staff", "person.read", "person:P2", "10.0.0.1")
    ]


def test_listing_people_audits_each_person_shown(session, city) -> None:
    listed(session, DISTRICT_A)
    assert [(e.action, e.subject) for e in audit.entries(session)] == [
        ("person.list", "person:P1"), ("person.list", "person:P2")
    ]


def test_a_refused_read_reveals_nothing_in_the_audit_log(session, city) -> None:
    with pytest.raises(NotFound):
        people_service.get(session=session, scope=DISTRICT_B, person_id="P1")
    assert audit.entries(session) == []


def test_creating_a_person_inside_the_jurisdiction_is_audited(session, city) -> None:
    people_service.create(session=session, scope=DISTRICT_A, person_in=PersonCreate(person_id="P9", building_id="B1"))
    assert listed(session, DISTRICT_A) == ["P1", "P2", "P9"]
    assert ("person.create", "person:P9") in [(e.action, e.subject) for e in audit.entries(session)]


def test_a_district_cannot_create_people_in_another_district(session, city) -> None:
    with pytest.raises(NotFound):
        people_service.create(session=session, scope=DISTRICT_A, person_in=PersonCreate(person_id="P9", building_id="B2"))


def test_a_district_cannot_move_its_people_out_of_its_jurisdiction(session, city) -> None:
    with pytest.raises(NotFound):
        people_service.update(session=session, scope=DISTRICT_A, person_id="P1", person_in=PersonUpdate(building_id="B2"))


def test_updating_a_person_changes_the_given_fields_and_is_audited(session, city) -> None:
    person = people_service.update(
        session=session, scope=DISTRICT_A, person_id="P1", person_in=PersonUpdate(phone="13000000000")
    )
    assert person.phone == "13000000000" and person.key_group == "courier"
    assert [(e.action, e.detail) for e in audit.entries(session)] == [("person.update", "fields: phone")]
