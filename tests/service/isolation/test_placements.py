from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.service.isolation.facilities import AS_OF, TODAY, add_people, build_facilities

from ringfence.cases.models import Case, Classification
from ringfence.core import timeline
from ringfence.core.errors import Conflict, InvalidInput, NotFound
from ringfence.isolation import release, rooms, service
from ringfence.isolation.models import Placement
from ringfence.isolation.rules import PlacementKind, PlacementStatus
from ringfence.protocols import service as protocols
from ringfence.tasks.models import Task, TaskKind, TaskStatus

UNTIL = TODAY + timedelta(days=7)


@pytest.fixture(scope="module")
def protocol():
    return protocols.load("covid19-cn-9")


@dataclass
class Contact:
    person_id: str
    measure: str = "central_isolation"
    measure_until: date = UNTIL
    test_dates: list[str] = field(default_factory=lambda: ["2022-10-02", "2022-10-04"])
    household_id: str | None = None


def place(session, person_id: str, **overrides) -> Placement:
    values = {"kind": PlacementKind.central, "start": TODAY, "until": UNTIL, "test_dates": [TODAY + timedelta(days=1)],
              "actor": "tester", "reason": "close contact", "as_of": AS_OF}
    return service.place(session=session, person_id=person_id, **{**values, **overrides})


def rooms_by_person(session) -> dict[str, tuple[str | None, str | None]]:
    placed = session.scalars(select(Placement).where(Placement.status == PlacementStatus.placed))
    return {p.person_id: (p.facility_id, p.room_id) for p in placed}


def test_a_household_of_three_shares_the_triple_and_strangers_get_rooms_of_their_own(session, protocol) -> None:
    build_facilities(session)
    contacts = [Contact("P1"), Contact("P3"), Contact("P2"), Contact("P4"), Contact("P5")]
    batch = service.place_contacts(session=session, contacts=contacts, as_of=AS_OF, protocol=protocol, actor="tester")
    assert batch.counts() == {"central": 5, "home": 0, "waiting": 0, "skipped": 0}
    assert rooms_by_person(session) == {
        "P1": ("F1", "T"), "P2": ("F1", "T"), "P5": ("F1", "T"), "P3": ("F1", "S"), "P4": ("F2", "S"),
    }


def test_no_room_ever_holds_two_households_nor_more_than_its_capacity(session, protocol) -> None:
    build_facilities(session, rooms={"F1": {"T": 3, "D": 2}})
    add_people(session, "A1", "A2", household_id="HA")
    add_people(session, "N1", "N2")
    contacts = [Contact(p) for p in ("A1", "N1", "P1", "P2", "P5", "A2", "N2")]
    batch = service.place_contacts(session=session, contacts=contacts, as_of=AS_OF, protocol=protocol, actor="tester")
    states = rooms.room_states(session=session)
    assert all(len(s.households) <= s.capacity for s in states)
    assert all(len(set(s.households)) <= 1 and None not in s.households[1:] for s in states)
    assert sorted(s.households for s in states) == [["H1", "H1", "H1"], ["HA", "HA"]]
    assert sorted(p.person_id for p in batch.waiting) == ["N1", "N2"]


def test_when_rooms_run_out_people_wait_with_a_task_and_are_placed_when_a_room_frees(session, protocol) -> None:
    build_facilities(session, rooms={"F1": {"S": 1}})
    first = place(session, "P3")
    waiting = place(session, "P4", due_at=AS_OF + timedelta(hours=24))
    assert (first.status, waiting.status) == (PlacementStatus.placed, PlacementStatus.waiting)
    task = session.scalar(select(Task).where(Task.kind == TaskKind.place_contact, Task.subject_id == "P4"))
    assert task is not None and task.status is TaskStatus.open and task.area_id == "M_"

    assert release.release_isolation(session=session, as_of=AS_OF + timedelta(hours=1), actor="tester")["placed"] == 0
    release.release_person(session=session, person_id="P3", actor="tester", at=AS_OF + timedelta(hours=2))
    counts = release.release_isolation(session=session, as_of=AS_OF + timedelta(hours=3), actor="tester")
    assert counts["placed"] == 1
    assert (waiting.status, waiting.facility_id, waiting.room_id) == (PlacementStatus.placed, "F1", "S")
    assert task.status is TaskStatus.done


def test_the_waiting_list_is_served_first_due_first(session) -> None:
    build_facilities(session, rooms={"F1": {"S": 1}})
    place(session, "P3")
    later = place(session, "P4", due_at=AS_OF + timedelta(hours=20))
    sooner = place(session, "P0", due_at=AS_OF + timedelta(hours=10))
    release.release_person(session=session, person_id="P3", actor="tester", at=AS_OF)
    release.place_waiting(session=session, as_of=AS_OF, actor="tester")
    assert (sooner.status, later.status) == (PlacementStatus.placed, PlacementStatus.waiting)


def test_placing_someone_already_placed_is_refused_with_a_clear_message(session) -> None:
    build_facilities(session)
    place(session, "P3")
    with pytest.raises(Conflict, match=r"person 'P3' is already placed \(room S of facility F1, until 2022-10-08\)"):
        place(session, "P3", facility_id="F2")
    assert session.scalar(select(Placement).where(Placement.facility_id == "F2")) is None


def test_someone_on_the_waiting_list_cannot_be_placed_twice(session) -> None:
    build_facilities(session, rooms={"F1": {"S": 1}})
    place(session, "P3")
    place(session, "P4")
    with pytest.raises(Conflict, match="already on the waiting list"):
        place(session, "P4", kind=PlacementKind.home)


def test_a_full_room_is_refused(session) -> None:
    build_facilities(session)
    place(session, "P3", facility_id="F1", room_id="S")
    with pytest.raises(Conflict, match=r"room S of facility F1 is full \(1 of 1 beds taken\)"):
        place(session, "P4", facility_id="F1", room_id="S")


def test_a_room_holding_another_household_is_refused(session) -> None:
    build_facilities(session)
    place(session, "P1", facility_id="F1", room_id="T")
    place(session, "P2", facility_id="F1", room_id="T")
    with pytest.raises(Conflict, match="holds another household"):
        place(session, "P3", facility_id="F1", room_id="T")


@pytest.mark.parametrize(("where", "error"), [
    ({"facility_id": "F9"}, NotFound), ({"facility_id": "F1", "room_id": "X"}, NotFound),
    ({"until": TODAY}, InvalidInput), ({"room_id": "S"}, InvalidInput),
])
def test_bad_placements_are_refused(session, where, error) -> None:
    build_facilities(session)
    with pytest.raises(error):
        place(session, "P3", **where)
    assert service.active_of(session=session, person_id="P3") is None


def test_home_isolation_records_the_home_building_and_takes_no_room(session) -> None:
    build_facilities(session)
    placement = place(session, "P3", kind=PlacementKind.home)
    assert (placement.status, placement.home_building_id, placement.room_id) == (PlacementStatus.placed, "B2", None)
    assert all(not s.households for s in rooms.room_states(session=session))


def test_a_placement_is_released_on_its_until_day(session) -> None:
    build_facilities(session)
    placement = place(session, "P3")
    day_before = AS_OF + timedelta(days=6)
    assert release.release_isolation(session=session, as_of=day_before, actor="respond")["released"] == 0
    assert placement.status is PlacementStatus.placed
    counts = release.release_isolation(session=session, as_of=AS_OF + timedelta(days=7), actor="respond")
    assert counts["released"] == 1 and placement.status is PlacementStatus.released
    history = timeline.history(session, subject_type="person", subject_id="P3")
    assert [(e.action, e.actor) for e in history] == [("isolation.placed", "tester"), ("isolation.released", "respond")]


def test_a_new_case_ends_the_placement_as_became_case(session) -> None:
    build_facilities(session)
    placement = place(session, "P3")
    session.add(Case(person_id="P3", classification=Classification.asymptomatic, confirmed_at=AS_OF + timedelta(days=2)))
    session.flush()
    assert release.release_isolation(session=session, as_of=AS_OF + timedelta(days=1), actor="r")["became_case"] == 0
    assert release.release_isolation(session=session, as_of=AS_OF + timedelta(days=3), actor="r")["became_case"] == 1
    assert placement.status is PlacementStatus.became_case


def test_a_waiting_placement_whose_measure_ends_lapses_and_its_task_is_cancelled(session) -> None:
    build_facilities(session, rooms={"F1": {"S": 1}})
    place(session, "P3", until=TODAY + timedelta(days=9))
    waiting = place(session, "P4")
    counts = release.release_isolation(session=session, as_of=AS_OF + timedelta(days=7), actor="r")
    assert (counts["lapsed"], waiting.status) == (1, PlacementStatus.lapsed)
    task = session.scalar(select(Task).where(Task.subject_id == "P4"))
    assert task.status is TaskStatus.cancelled


def test_placing_contacts_again_adds_nothing_and_skips_tests_only_contacts(session, protocol) -> None:
    build_facilities(session)
    contacts = [Contact("P1"), Contact("P3", measure="home_isolation"), Contact("P4", measure="tests")]
    first = service.place_contacts(session=session, contacts=contacts, as_of=AS_OF, protocol=protocol, actor="t")
    again = service.place_contacts(session=session, contacts=contacts, as_of=AS_OF, protocol=protocol, actor="t")
    assert first.counts() == {"central": 1, "home": 1, "waiting": 0, "skipped": 1}
    assert again.counts() == {"central": 0, "home": 0, "waiting": 0, "skipped": 3}
    assert len(session.scalars(select(Placement)).all()) == 2


def test_a_contact_who_is_a_case_is_not_placed(session, protocol) -> None:
    build_facilities(session)
    session.add(Case(person_id="P3", classification=Classification.confirmed, confirmed_at=AS_OF))
    session.flush()
    batch = service.place_contacts(session=session, contacts=[Contact("P3")], as_of=AS_OF, protocol=protocol, actor="t")
    assert batch.skipped == [("P3", "is a case")]
    with pytest.raises(Conflict, match="is a case"):
        place(session, "P3")


def test_contacts_keep_their_test_days_and_until(session, protocol) -> None:
    build_facilities(session)
    service.place_contacts(session=session, contacts=[Contact("P3")], as_of=AS_OF, protocol=protocol, actor="t")
    placement = service.active_of(session=session, person_id="P3")
    assert (placement.start, placement.until, placement.test_dates) == (TODAY, UNTIL, ["2022-10-02", "2022-10-04"])


def test_a_waiting_contact_is_due_by_the_deadline_it_carries(session, protocol) -> None:
    build_facilities(session, rooms={})
    contact = Contact("P3")
    contact.due_at = AS_OF - timedelta(hours=3)  # e.g. the case's confirmation + the placement deadline
    batch = service.place_contacts(session=session, contacts=[contact, Contact("P4")], as_of=AS_OF,
                                   protocol=protocol, actor="t")
    due = {p.person_id: p.due_at for p in batch.waiting}
    assert due == {"P3": AS_OF - timedelta(hours=3), "P4": AS_OF + timedelta(hours=protocol.deadlines.place_contacts)}
