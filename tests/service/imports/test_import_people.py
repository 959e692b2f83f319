from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
from sqlalchemy import select
from tests.service.imports.feeds import count, feed, rejects, resident_id, seed_city

from ringfence.imports.snapshots import snapshot_path
from ringfence.people.models import IdType, Person, Sex

ALICE_ID = resident_id(born=date(1988, 2, 29), sequence=124)  # even sequence: a woman
BOB_ID = resident_id(born=date(1990, 3, 7), sequence=123)


def person(person_id: str, id_number: str = "", phone: str = "", **more: str) -> dict[str, str]:
    row = {
        "person_id": person_id, "name": f"Name {person_id}", "id_number": id_number, "phone": phone,
        "sex": "", "birth_date": "", "building_id": "b1",
    }
    return {**row, **more}


def stored(engine) -> dict[str, Person]:
    with engine.connect() as conn:
        return {p.person_id: p for p in conn.execute(select(Person.__table__))}


def test_it_registers_people_and_reads_sex_and_birth_date_from_the_id(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [
        person("P1", ALICE_ID.lower() if ALICE_ID.endswith("X") else ALICE_ID, "+86 138-0013-8000"),
        person("P2", BOB_ID, "0371-6558 1234", sex="女", birth_date="1990-03-08"),
        person("P3", "E12345678", "", id_type="passport", sex="M"),
    ]
    result = feed(settings, tmp_path, "people", rows, columns=[*rows[0], "id_type"])
    assert (result.accepted, result.rejected) == (3, 0)
    people = stored(engine)
    assert (people["P1"].sex, people["P1"].birth_date, people["P1"].phone) == (
        Sex.female, date(1988, 2, 29), "13800138000"
    )
    # what the feed says wins over what the ID number implies
    assert (people["P2"].sex, people["P2"].birth_date, people["P2"].phone) == (
        Sex.female, date(1990, 3, 8), "037165581234"
    )
    assert (people["P3"].id_type, people["P3"].id_number, people["P3"].sex) == (IdType.passport, "E12345678", Sex.male)
    assert people["P1"].id_type == IdType.resident_id


def test_it_rejects_malformed_people_row_by_row_with_reasons(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    wrong_check = BOB_ID[:17] + ("0" if BOB_ID[17] != "0" else "1")
    first17 = "410105" + "19900230" + "123"
    rows = [
        person("P1", BOB_ID, "13800138000"),
        person("P2", wrong_check),
        person("P3", first17 + _check(first17)),
        person("P4", "", "12345"),
        person("P5", ""),
        person("P6", ALICE_ID, building_id="b404"),
        person("P7", ALICE_ID, sex="x"),
        person("P8", ALICE_ID, birth_date="07/03/1990"),
        person("P9", "4101051990"),
    ]
    result = feed(settings, tmp_path, "people", rows)
    assert (result.rows, result.accepted, result.rejected) == (9, 1, 8)
    reasons = {int(r["line"]): r["reason"] for r in rejects(result)}
    assert "fails its check digit" in reasons[3]
    assert "no real birth date (19900230)" in reasons[4]
    assert "phone '12345' is not an 11-digit mobile" in reasons[5]
    assert "neither id_number nor phone" in reasons[6]
    assert reasons[7] == "unknown building b404"
    assert "sex 'x'" in reasons[8]
    assert "birth_date '07/03/1990'" in reasons[9]
    assert "17 digits and a check digit" in reasons[10]
    assert list(stored(engine)) == ["P1"]


def _check(first17: str) -> str:
    from ringfence.people.rules import resident_id_check_digit

    return resident_id_check_digit(first17)


def test_a_new_person_id_with_a_registered_id_number_is_a_duplicate_identity(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [person("P1", BOB_ID, "13800138000")], name="first.csv")
    result = feed(
        settings, tmp_path, "people",
        [person("P9", BOB_ID, "13900139000"), person("P10", ALICE_ID), person("P11", ALICE_ID)],
        name="second.csv",
    )
    assert (result.accepted, result.rejected) == (1, 2)
    reasons = [r["reason"] for r in rejects(result)]
    assert reasons[0].startswith("duplicate identity: id_number") and reasons[0].endswith("registered to person P1")
    assert reasons[1].endswith("registered to person P10")
    assert set(stored(engine)) == {"P1", "P10"}


def test_people_without_an_id_number_are_told_apart_by_phone(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [
        person("P1", "", "13800138000"),
        person("P2", "", "138 0013 8000"),
        # a family shares a phone: people with ID numbers are not merged by it
        person("P3", BOB_ID, "13800138000"),
        person("P4", ALICE_ID, "13800138000"),
    ]
    result = feed(settings, tmp_path, "people", rows)
    assert (result.accepted, result.rejected) == (3, 1)
    assert rejects(result)[0]["person_id"] == "P2"
    assert "phone 1380***8000 is already registered to person P1" in rejects(result)[0]["reason"]


def test_reimporting_people_adds_nothing_and_a_changed_row_updates(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [person("P1", BOB_ID, "13800138000"), person("P2", ALICE_ID, "13900139000")]
    feed(settings, tmp_path, "people", rows, name="first.csv")
    same = feed(settings, tmp_path, "people", rows, name="same.csv")
    assert (same.accepted, same.duplicates, same.rejects_path) == (0, 2, None)
    moved = feed(
        settings, tmp_path, "people", [rows[0], {**rows[1], "building_id": "b2", "phone": "13700137000"}],
        name="moved.csv",
    )
    assert (moved.accepted, moved.duplicates) == (1, 1)
    people = stored(engine)
    assert (people["P2"].building_id, people["P2"].phone) == ("b2", "13700137000")
    assert count(engine, Person) == 2


def test_a_person_may_take_an_id_number_another_row_of_the_file_gave_up(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [person("P1", BOB_ID)], name="first.csv")
    result = feed(settings, tmp_path, "people", [person("P1", ALICE_ID), person("P2", BOB_ID)], name="swap.csv")
    assert (result.accepted, result.rejected) == (2, 0)
    assert {p.person_id: p.id_number for p in stored(engine).values()} == {"P1": ALICE_ID, "P2": BOB_ID}


def test_the_people_snapshot_has_the_columns_the_event_log_reads(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [
        person("P1", BOB_ID, "13800138000", household_id="H1", key_group="courier"),
        person("P2", ALICE_ID, "", household_id="H1"),
    ], columns=[*person("x"), "household_id", "workplace_id", "key_group"])
    snapshot = pq.read_table(snapshot_path(settings, "people"))
    assert snapshot.column_names == [
        "person_id", "id_number", "phone", "building_id", "household_id", "workplace_id", "key_group"
    ]
    assert snapshot.to_pylist()[0] == {
        "person_id": "P1", "id_number": BOB_ID, "phone": "13800138000", "building_id": "b1",
        "household_id": "H1", "workplace_id": None, "key_group": "courier",
    }
    assert not list(snapshot_path(settings, "people").parent.glob(".*part"))
