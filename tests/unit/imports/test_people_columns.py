"""The column-wise people parser agrees with the per-row rules on every row it takes, and leaves them the rest."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest

from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.imports.people import parse_person
from ringfence.imports.people_columns import parse_columns
from ringfence.imports.reading import SourceRow
from ringfence.people.rules import resident_id_check_digit


def resident_id(born: str = "19900307", sequence: str = "123") -> str:
    first17 = "410105" + born + sequence
    return first17 + resident_id_check_digit(first17)


VALID_ID = resident_id()
ID_NUMBERS = [
    "", VALID_ID, VALID_ID.lower(), f"  {VALID_ID} ", resident_id("19880229", "124"), resident_id("20000229", "125"),
    VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"), resident_id("19900230", "123"), resident_id("19000229"),
    "4101051990", "41010519900307123X", "４１０１０５１９９００３０７１２３４", "E12345678", "e1234-5678", "E 1234 5678",
    "AB", "x" * 41, "张三",
]
ID_TYPES = ["", "resident_id", "PASSPORT", "passport", "other", "visa", " Hk_Macau_Permit "]
PHONES = ["", "13800138000", "+86 138-0013-8000", "0086 13800138000", "0371-6558 1234", "(0371) 65581234",
          "12345", "+1 415 555 0100", "+0123", "2345", "138\t0013 8000", "１３８００１３８０００", "+86+1234567", "()"]
SEXES = ["", "M", "female", " 女 ", "未知", "x", "Ｍ", "U"]
BIRTH_DATES = ["", "1990-03-08", "1990-02-30", "19900308", "07/03/1990", "0000-01-01", "2000-02-29", "1900-02-29"]
TEXTS = ["", "P1", "  P2  ", "a" * 64, "a" * 65, "\u3000P3\u3000", "张三"]


def rows(count: int, seed: int) -> list[SourceRow]:
    chooser = random.Random(seed)
    made = []
    for line in range(2, count + 2):
        cells = {
            "person_id": chooser.choice(TEXTS), "name": chooser.choice(TEXTS + ["x" * 121]),
            "id_type": chooser.choice(ID_TYPES), "id_number": chooser.choice(ID_NUMBERS),
            "phone": chooser.choice(PHONES), "sex": chooser.choice(SEXES), "birth_date": chooser.choice(BIRTH_DATES),
            "building_id": chooser.choice(TEXTS), "household_id": chooser.choice(TEXTS + [None]),
            "key_group": chooser.choice(["", "courier", "k" * 41]),
        }
        made.append(SourceRow(line, cells))
    return made


def exact(row: SourceRow) -> dict | None:
    try:
        return parse_person(row.cells, Settings())
    except InvalidInput:
        return None


@pytest.mark.parametrize("seed", range(3))
def test_every_row_parsed_column_wise_has_the_values_of_the_per_row_rules(seed: int) -> None:
    sample = rows(3000, seed)
    header = list(sample[0].cells)
    taken = valid = 0
    for row, values in zip(sample, parse_columns(sample, header), strict=True):
        expected = exact(row)
        valid += expected is not None
        if values is not None:
            taken += 1
            assert values == expected, row.cells
    assert taken * 2 > valid  # most valid rows have ordinary shapes: the column-wise path takes them


def test_the_ordinary_row_is_parsed_column_wise_with_sex_and_birth_date_from_the_id() -> None:
    row = SourceRow(2, {"person_id": "P1", "name": "Bob", "id_number": VALID_ID, "phone": "13800138000",
                        "sex": "", "birth_date": "", "building_id": "b1"})
    (values,) = parse_columns([row], list(row.cells))
    assert values is not None
    assert (values["sex"], values["birth_date"]) == ("male", date(1990, 3, 7))
    assert values == parse_person(row.cells, Settings())


def test_rows_the_rules_refuse_are_left_to_them() -> None:
    sample = [SourceRow(i + 2, {"person_id": "P", "name": "N", "id_number": n, "phone": p, "sex": s, "birth_date": b})
              for i, (n, p, s, b) in enumerate(itertools.product(ID_NUMBERS, PHONES[:4], SEXES[:3], BIRTH_DATES[:4]))]
    for row, values in zip(sample, parse_columns(sample, ["person_id", "name", "id_number", "phone", "sex", "birth_date"]),
                           strict=True):
        if exact(row) is None:
            assert values is None, row.cells
