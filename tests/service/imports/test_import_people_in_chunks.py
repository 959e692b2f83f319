"""People imported in chunks: identities registered by earlier chunks, rows that depend on each other, odd digits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from tests.service.imports.feeds import feed, rejects, resident_id, seed_city

from ringfence.imports import people as people_import
from ringfence.people.models import Person, Sex

BOB_ID = resident_id(born=date(1990, 3, 7), sequence=123)
ALICE_ID = resident_id(born=date(1988, 2, 29), sequence=124)
CAROL_ID = resident_id(born=date(1975, 12, 31), sequence=126)


def person(person_id: str, id_number: str = "", phone: str = "", **more: str) -> dict[str, str]:
    row = {"person_id": person_id, "name": f"Name {person_id}", "id_number": id_number, "phone": phone,
           "sex": "", "birth_date": "", "building_id": "b1"}
    return {**row, **more}


def stored(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(Person.person_id, Person.id_number, Person.phone, Person.sex, Person.birth_date))
        return {r.person_id: (r.id_number, r.phone, r.sex, r.birth_date) for r in rows}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people_import, "CHUNK_ROWS", 2)


def test_an_identity_registered_in_an_earlier_chunk_belongs_to_that_person(
    settings, engine, tmp_path, small_chunks
) -> None:
    seed_city(settings, tmp_path)
    rows = [person("P1", BOB_ID), person("P2", ALICE_ID), person("P3", BOB_ID), person("P1", BOB_ID),
            person("P4", "", "13800138000"), person("P5", "", "138-0013-8000")]
    result = feed(settings, tmp_path, "people", rows)
    assert (result.rows, result.accepted, result.rejected, result.duplicates) == (6, 3, 2, 1)
    reasons = {int(r["line"]): r["reason"] for r in rejects(result)}
    assert reasons[4].endswith("is already registered to person P1")
    assert reasons[7] == "duplicate identity: phone 1380***8000 is already registered to person P4"
    assert set(stored(engine)) == {"P1", "P2", "P4"}


def test_rows_of_one_chunk_that_depend_on_each_other_keep_the_per_row_rules(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [person("P1", BOB_ID, "13900139000")], name="first.csv")
    rows = [
        person("P2", CAROL_ID),  # on its own: inserted in bulk
        person("P1", ALICE_ID, "13900139000"),  # P1 gives up BOB_ID …
        person("P3", BOB_ID),  # … so P3 may take it
        person("P4", CAROL_ID),  # CAROL_ID was P2's two rows earlier
        person("P5", "", "13700137000", sex="F", birth_date="1980-01-02"),  # on its own
    ]
    result = feed(settings, tmp_path, "people", rows, name="second.csv")
    assert (result.accepted, result.rejected, result.duplicates) == (4, 1, 0)
    assert [r["person_id"] for r in rejects(result)] == ["P4"]
    people = stored(engine)
    assert people["P1"][0] == ALICE_ID and people["P3"][0] == BOB_ID and people["P2"][0] == CAROL_ID
    assert people["P5"] == (None, "13700137000", Sex.female, date(1980, 1, 2))
    assert people["P2"][2:] == (Sex.female, date(1975, 12, 31))  # read from the ID (even sequence): bulk rows too


def test_digits_of_another_script_in_a_resident_id_are_a_reason_not_a_crash(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    fullwidth = BOB_ID.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    result = feed(settings, tmp_path, "people", [person("P1", fullwidth), person("P2", ALICE_ID)])
    assert (result.accepted, result.rejected) == (1, 1)
    assert rejects(result)[0]["reason"] == "id_number: a resident ID number has 17 digits and a check digit (0-9 or X)"


def test_a_case_naming_someone_by_an_id_number_in_other_digits_is_rejected_not_crashing(
    settings, engine, tmp_path
) -> None:
    seed_city(settings, tmp_path)
    fullwidth = BOB_ID.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    rows = [{"id_number": fullwidth, "classification": "confirmed", "confirmed_at": "2022-10-01T08:00"}]
    result = feed(settings, tmp_path, "cases", rows)
    assert (result.accepted, result.rejected) == (0, 1)
    assert rejects(result)[0]["reason"].endswith("a resident ID number has 17 digits and a check digit (0-9 or X)")
