from __future__ import annotations

from datetime import date

import pytest

from ringfence.core.errors import InvalidInput
from ringfence.people import rules
from ringfence.people.models import IdType, Sex


def by_hand(first17: str) -> str:
    """The check character computed the long way, as GB 11643-1999 writes it."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
    remainder = sum(int(d) * w for d, w in zip(first17, weights)) % 11
    return str((12 - remainder) % 11).replace("10", "X")


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_standards_own_examples_pass(number: str) -> None:
    assert rules.check_resident_id(number) == number


@pytest.mark.parametrize("first17", ["41010519900307123", "41010520011201456", "11010519491231002", "65010219800229001"])
def test_the_check_digit_matches_the_iso_7064_definition(first17: str) -> None:
    assert rules.resident_id_check_digit(first17) == by_hand(first17)


def test_a_lower_case_x_is_accepted_and_normalised() -> None:
    assert rules.check_resident_id(" 11010519491231002x ") == "11010519491231002X"


def test_every_other_check_character_is_refused() -> None:
    first17 = "41010519900307123"
    right = by_hand(first17)
    for wrong in sorted(set("0123456789X") - {right}):
        with pytest.raises(InvalidInput, match="check digit"):
            rules.check_resident_id(first17 + wrong)


@pytest.mark.parametrize("birth", ["19900230", "19901301", "20230229", "00000000"])
def test_a_birth_date_that_does_not_exist_is_refused(birth: str) -> None:
    first17 = f"410105{birth}123"
    with pytest.raises(InvalidInput, match="no real birth date"):
        rules.check_resident_id(first17 + by_hand(first17))


@pytest.mark.parametrize("text", ["", "4101051990030712", "41010519900307123X1", "4101051990O307123X", "X10105199003071230"])
def test_the_shape_of_a_resident_id_is_checked(text: str) -> None:
    with pytest.raises(InvalidInput, match="17 digits and a check digit"):
        rules.check_resident_id(text)


def test_birth_date_and_sex_are_read_from_the_number() -> None:
    man, woman = "41010520000229" + "135", "41010520000229" + "246"
    assert rules.birth_date_of(man + by_hand(man)) == date(2000, 2, 29)
    assert rules.sex_of(man + by_hand(man)) is Sex.male
    assert rules.sex_of(woman + by_hand(woman)) is Sex.female


def test_other_documents_are_checked_by_shape_only() -> None:
    assert rules.normalise_id_number("e 1234 5678", IdType.passport) == "E12345678"
    assert rules.normalise_id_number("H12345678", IdType.hk_macau_permit) == "H12345678"
    with pytest.raises(InvalidInput, match="passport"):
        rules.normalise_id_number("E1", IdType.passport)


def test_id_type_defaults_to_resident_id() -> None:
    assert rules.parse_id_type(None) is IdType.resident_id
    assert rules.parse_id_type(" Passport ") is IdType.passport
    with pytest.raises(InvalidInput, match="id_type"):
        rules.parse_id_type("driving_licence")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("(0371) 6558-1234", "037165581234"),
        ("95105", "95105"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_phones_are_normalised(text: str, stored: str) -> None:
    assert rules.normalise_phone(text) == stored


@pytest.mark.parametrize("text", ["12345", "1380013800", "138001380001", "phone", "1234", "+1", "0371-65x8"])
def test_malformed_phones_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="phone"):
        rules.normalise_phone(text)


@pytest.mark.parametrize(("text", "sex"), [("M", Sex.male), ("female", Sex.female), ("男", Sex.male), ("女", Sex.female)])
def test_sex_is_read_in_english_or_chinese(text: str, sex: Sex) -> None:
    assert rules.parse_sex(text) is sex


def test_a_derived_person_id_is_stable_and_distinct() -> None:
    first = rules.derived_person_id("11010519491231002X")
    assert first == rules.derived_person_id("11010519491231002X")
    assert first != rules.derived_person_id("13800138000")
    assert first.startswith("P") and len(first) == 17 and int(first[1:], 16) >= 0


def test_identity_is_the_id_number_else_the_phone() -> None:
    assert rules.identity_of("X1", "138") == ("id_number", "X1")
    assert rules.identity_of(None, "138") == ("phone", "138")
    assert rules.identity_of(None, None) is None


def test_numbers_are_masked_to_their_ends() -> None:
    assert rules.mask("410105199003071234") == "4101**********1234"
