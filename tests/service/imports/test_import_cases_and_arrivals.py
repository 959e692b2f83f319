from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
from sqlalchemy import select
from tests.service.imports.feeds import count, feed, rejects, resident_id, seed_city

from ringfence.cases.models import Case, Classification, FoundVia
from ringfence.imports.snapshots import snapshot_path
from ringfence.people.models import Person, Sex
from ringfence.people.rules import derived_person_id
from ringfence.testing.models import Arrival, OriginRisk

BOB_ID = resident_id(born=date(1990, 3, 7), sequence=123)
CAROL_ID = resident_id(born=date(2001, 12, 1), sequence=456)


def seed_people(settings, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [
        {"person_id": "P1", "name": "Bob", "id_number": BOB_ID, "phone": "13800138000", "sex": "male",
         "birth_date": "", "building_id": "b1"},
        {"person_id": "P2", "name": "Dan", "id_number": "", "phone": "13900139000", "sex": "",
         "birth_date": "", "building_id": "b2"},
    ], name="seed-people.csv")


def cases(engine) -> dict[str, Case]:
    with engine.connect() as conn:
        return {c.person_id: c for c in conn.execute(select(Case.__table__))}


def test_cases_name_people_by_person_id_id_number_or_phone(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    by_id = feed(settings, tmp_path, "cases", [
        {"id_number": BOB_ID, "classification": "confirmed", "confirmed_at": "2022-10-05T09:00:00+08:00",
         "onset_at": "2022-10-03", "found_via": "screening"},
    ], name="by-id.csv")
    by_phone = feed(settings, tmp_path, "cases", [
        {"phone": "+86 139 0013 9000", "classification": "asymptomatic", "confirmed_at": "2022-10-06T01:00:00Z"},
    ], name="by-phone.csv")
    assert (by_id.accepted, by_phone.accepted) == (1, 1)
    stored = cases(engine)
    assert stored["P1"].confirmed_at == datetime(2022, 10, 5, 1, 0, tzinfo=UTC)
    # a time without an offset is local to the configured zone (Asia/Shanghai)
    assert stored["P1"].onset_at == datetime(2022, 10, 2, 16, 0, tzinfo=UTC)
    assert stored["P1"].found_via == FoundVia.screening
    assert (stored["P2"].classification, stored["P2"].found_via) == (Classification.asymptomatic, FoundVia.other)
    assert count(engine, Person) == 2


def test_a_case_naming_an_unknown_person_id_is_rejected(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    result = feed(settings, tmp_path, "cases", [
        {"person_id": "P404", "classification": "confirmed", "confirmed_at": "2022-10-05T09:00"},
    ])
    assert (result.accepted, result.rejected) == (0, 1)
    assert rejects(result)[0]["reason"] == "unknown person_id P404"
    assert count(engine, Case) == 0


def test_an_unknown_id_number_registers_the_person_once_with_a_derived_id(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    rows = [
        {"id_number": CAROL_ID, "classification": "confirmed", "confirmed_at": "2022-10-05T09:00"},
        {"id_number": BOB_ID[:17] + ("1" if BOB_ID[17] == "0" else "0"), "classification": "confirmed",
         "confirmed_at": "2022-10-05T09:00"},
    ]
    result = feed(settings, tmp_path, "cases", rows)
    assert (result.accepted, result.rejected) == (1, 1)
    assert "unknown id_number, and not a valid resident ID" in rejects(result)[0]["reason"]
    carol = derived_person_id(CAROL_ID)
    assert carol == "P" + carol[1:] and len(carol) == 17
    with engine.connect() as conn:
        person = conn.execute(select(Person.__table__).where(Person.person_id == carol)).one()
    assert (person.id_number, person.sex, person.birth_date) == (CAROL_ID, Sex.female, date(2001, 12, 1))
    again = feed(settings, tmp_path, "cases", rows[:1], name="again.csv")
    assert (again.accepted, again.duplicates) == (0, 1)
    assert count(engine, Person) == 3
    snapshot = pq.read_table(snapshot_path(settings, "people")).column("person_id").to_pylist()
    assert carol in snapshot


def test_a_case_conflicting_with_the_stored_one_is_rejected_not_overwritten(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    row = {"person_id": "P1", "classification": "asymptomatic", "confirmed_at": "2022-10-05T09:00"}
    feed(settings, tmp_path, "cases", [row], name="first.csv")
    result = feed(settings, tmp_path, "cases", [row, {**row, "classification": "confirmed"}], name="second.csv")
    assert (result.accepted, result.duplicates, result.rejected) == (0, 1, 1)
    reason = rejects(result)[0]["reason"]
    assert "conflicts with the case already recorded for person P1: classification differs" in reason
    assert cases(engine)["P1"].classification == Classification.asymptomatic


def test_case_values_are_checked_row_by_row(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    base = {"person_id": "P1", "classification": "confirmed", "confirmed_at": "2022-10-05T09:00",
            "sampled_at": "", "found_via": ""}
    rows = [
        {**base, "classification": "suspected"},
        {**base, "confirmed_at": "yesterday"},
        {**base, "sampled_at": "2022-10-06T09:00"},
        {**base, "found_via": "gossip"},
        {**base, "person_id": ""},
    ]
    result = feed(settings, tmp_path, "cases", rows)
    assert (result.accepted, result.rejected) == (0, 5)
    reasons = {int(r["line"]): r["reason"] for r in rejects(result)}
    assert "classification 'suspected' is not one of: confirmed, asymptomatic" in reasons[2]
    assert "confirmed_at 'yesterday' is not an ISO 8601 time" in reasons[3]
    assert "sampled_at is after confirmed_at" in reasons[4]
    assert "found_via 'gossip'" in reasons[5]
    assert "names no person" in reasons[6]


def test_arrivals_register_unknown_phones_and_check_their_building(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    base = {"name": "Eve", "origin": "Shanghai", "origin_risk": "high", "arrive_at": "2022-10-05T18:30",
            "mode": "train", "reported_at": "", "building_id": "b2"}
    rows = [
        {**base, "phone": "13600136000"},
        {**base, "phone": "13600136000", "arrive_at": "2022-10-05T18:30+08:00"},
        {**base, "phone": "13800138000", "origin_risk": "none", "reported_at": "2022-10-02T10:00"},
        {**base, "phone": "13700137000", "building_id": "b404"},
        {**base, "phone": "13700137000", "origin_risk": "extreme"},
    ]
    result = feed(settings, tmp_path, "arrivals", rows)
    assert (result.accepted, result.duplicates, result.rejected) == (2, 1, 2)
    reasons = {int(r["line"]): r["reason"] for r in rejects(result)}
    assert reasons[5] == "unknown building b404"
    assert "origin_risk 'extreme'" in reasons[6]
    eve = derived_person_id("13600136000")
    with engine.connect() as conn:
        arrivals = {a.person_id: a for a in conn.execute(select(Arrival.__table__))}
        person = conn.execute(select(Person.__table__).where(Person.person_id == eve)).one()
    assert set(arrivals) == {eve, "P1"}
    assert (arrivals[eve].origin_risk, arrivals[eve].building_id) == (OriginRisk.high, "b2")
    assert arrivals["P1"].reported_at == datetime(2022, 10, 2, 2, 0, tzinfo=UTC)
    assert (person.name, person.phone, person.building_id, person.id_number) == ("Eve", "13600136000", "b2", None)


def test_arrivals_named_by_id_number_keep_the_phone_and_name(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    row = {"id_number": CAROL_ID, "name": "Carol", "phone": "13500135000", "origin": "Beijing",
           "origin_risk": "low", "arrive_at": "2022-10-05T08:00", "building_id": "b1"}
    result = feed(settings, tmp_path, "arrivals", [row, {**row, "arrive_at": "2022-10-09T08:00"}])
    assert (result.accepted, result.rejected) == (2, 0)
    with engine.connect() as conn:
        person = conn.execute(select(Person.__table__).where(Person.id_number == CAROL_ID)).one()
    assert (person.person_id, person.name, person.phone) == (derived_person_id(CAROL_ID), "Carol", "13500135000")
    changed = feed(settings, tmp_path, "arrivals", [{**row, "origin_risk": "high"}], name="changed.csv")
    assert changed.rejected == 1 and "origin_risk differs" in rejects(changed)[0]["reason"]
    assert count(engine, Arrival) == 2


def test_a_phone_shared_by_several_people_cannot_name_one(settings, engine, tmp_path) -> None:
    seed_people(settings, tmp_path)
    feed(settings, tmp_path, "people", [
        {"person_id": "P3", "name": "Bob's mother", "id_number": CAROL_ID, "phone": "13800138000", "sex": "",
         "birth_date": "", "building_id": "b1"},
    ], name="mother.csv")
    result = feed(settings, tmp_path, "cases", [
        {"phone": "13800138000", "classification": "confirmed", "confirmed_at": "2022-10-05T09:00"},
    ])
    assert result.rejected == 1
    assert "belongs to 2 people" in rejects(result)[0]["reason"]
