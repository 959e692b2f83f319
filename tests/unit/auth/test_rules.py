from __future__ import annotations

import pytest

from ringfence.auth import rules
from ringfence.auth.rules import Language, Permission, Role, Scope
from ringfence.core.errors import InvalidInput


def test_it_masks_an_id_number_keeping_the_first_and_last_four() -> None:
    assert rules.mask_id_number("410102199001011234") == "4101**********1234"


def test_it_masks_a_mobile_number_keeping_three_then_four_digits() -> None:
    assert rules.mask_phone("13812341234") == "138****1234"


def test_it_masks_short_identifiers_entirely() -> None:
    assert rules.mask_id_number("E1234567") == "********"
    assert rules.mask_phone("110") == "***"


def test_masking_leaves_a_missing_value_missing() -> None:
    assert rules.mask_id_number(None) is None
    assert rules.mask_phone(None) is None


def test_admin_has_no_personal_records_by_default() -> None:
    assert not rules.role_has(Role.admin, Permission.PERSON_READ)
    assert rules.role_has(Role.admin, Permission.USER_ADMIN)


def test_the_commander_reads_everyone_but_with_masked_identifiers() -> None:
    assert rules.role_has(Role.commander, Permission.PERSON_READ)
    assert not rules.role_has(Role.commander, Permission.PERSON_READ_IDENTIFIERS)


@pytest.mark.parametrize("role", [Role.district, Role.subdistrict, Role.community, Role.analyst])
def test_territorial_staff_and_epidemiologists_see_identifiers(role: Role) -> None:
    assert rules.role_has(role, Permission.PERSON_READ_IDENTIFIERS)


@pytest.mark.parametrize("role", [Role.lab, Role.isolation, Role.sentinel, Role.enterprise, Role.admin])
def test_roles_without_the_need_see_nothing_of_the_person_register(role: Role) -> None:
    assert not rules.role_has(role, Permission.PERSON_READ)
    assert not rules.role_has(role, Permission.PERSON_READ_IDENTIFIERS)


def test_only_admins_and_commanders_read_the_audit_log() -> None:
    assert {r for r in Role if rules.role_has(r, Permission.AUDIT_READ)} == {Role.admin, Role.commander}


def test_every_role_has_an_entry_in_the_table() -> None:
    assert set(rules.ROLE_PERMISSIONS) == set(Role)


def test_a_scope_covers_its_subtree_only() -> None:
    scope = Scope(actor="li", role=Role.district, subtree="/C/D1/")
    assert scope.covers("/C/D1/S1/M1/")
    assert not scope.covers("/C/D10/")
    assert not scope.covers(None)


def test_a_city_wide_scope_covers_everything_even_people_without_a_home() -> None:
    scope = Scope(actor="hq", role=Role.commander, subtree=None)
    assert scope.everywhere and scope.covers("/C/D2/") and scope.covers(None)


def test_territorial_roles_need_an_area() -> None:
    with pytest.raises(InvalidInput, match="needs an area"):
        rules.check_jurisdiction(Role.community, None)
    rules.check_jurisdiction(Role.commander, None)


def test_it_refuses_passwords_shorter_than_ten_characters() -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        rules.check_password("short-pw1")
    rules.check_password("long enough pw")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", Language.zh_CN),
        ("zh", Language.zh_CN),
        ("en-US,en;q=0.9,zh-CN;q=0.8", Language.en),
        ("fr-FR,fr;q=0.9", Language.en),
        ("en;q=0.3,zh-TW;q=0.7", Language.zh_CN),
        (None, Language.en),
        ("", Language.en),
        ("zh;q=0", Language.en),
    ],
)
def test_it_picks_chinese_for_chinese_browsers_and_english_for_the_rest(header, expected) -> None:
    assert rules.preferred_language(header) == expected
