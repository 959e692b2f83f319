"""Identity rules of the person register: ID numbers, phones, sex, derived person ids. Pure.

Dedup (DESIGN.md: "dedup by id_number/phone"): a person's *identity* is their ID number when
they have one, else their phone. Two person ids with the same identity are one person twice.
A phone alone does not identify someone who has an ID number: families share a phone.
"""

from __future__ import annotations

import hashlib
import operator
import re
from datetime import date

from ringfence.core.errors import InvalidInput
from ringfence.people.models import IdType, Sex

# ISO 7064 MOD 11-2 as GB 11643-1999 applies it to the 18-character resident ID.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
_ASCII_ZERO_WEIGHT = ord("0") * sum(RESIDENT_ID_WEIGHTS)

_RESIDENT_ID = re.compile(r"\d{17}[\dX]")
_OTHER_DOCUMENT = re.compile(r"[A-Z0-9][A-Z0-9-]{3,39}")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_DOMESTIC_OTHER = re.compile(r"[02-9]\d{4,14}")  # landlines with area code (0…), short service numbers
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")

_SEXES = {
    "male": Sex.male, "m": Sex.male, "男": Sex.male,
    "female": Sex.female, "f": Sex.female, "女": Sex.female,
    "unknown": Sex.unknown, "u": Sex.unknown, "未知": Sex.unknown,
}


def resident_id_check_digit(first17: str) -> str:
    """The check character (0-9 or X) of the 17 leading digits of a resident ID."""
    # ASCII codes minus '0' times the weights, summed in C: a register has millions of these
    total = sum(map(operator.mul, first17.encode("ascii"), RESIDENT_ID_WEIGHTS)) - _ASCII_ZERO_WEIGHT
    return RESIDENT_ID_CHECK[total % 11]


def birth_date_of(resident_id: str) -> date:
    """The birth date written in characters 7-14 (YYYYMMDD) of a resident ID."""
    digits = resident_id[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidInput(f"ID number {mask(resident_id)} holds no real birth date ({digits})") from None


def sex_of(resident_id: str) -> Sex:
    """The 17th character is odd for men, even for women."""
    return Sex.male if int(resident_id[16]) % 2 else Sex.female


def check_resident_id(text: str) -> str:
    """The normalised 18-character resident ID (upper-case X), or InvalidInput saying what is wrong."""
    number = text.strip().upper()
    if not _RESIDENT_ID.fullmatch(number):
        raise InvalidInput("a resident ID number has 17 digits and a check digit (0-9 or X)")
    expected = resident_id_check_digit(number[:17])
    if number[17] != expected:
        raise InvalidInput(f"ID number {mask(number)} fails its check digit (expected {expected})")
    birth_date_of(number)
    return number


def normalise_id_number(text: str, id_type: IdType) -> str:
    """An ID number checked for its document type: resident IDs fully, other documents by shape."""
    if id_type is IdType.resident_id:
        return check_resident_id(text)
    number = re.sub(r"\s", "", text).upper()
    if not _OTHER_DOCUMENT.fullmatch(number):
        raise InvalidInput(f"a {id_type.value} number has 4-40 letters, digits or dashes")
    return number


def parse_id_type(text: str | None) -> IdType:
    """Resident ID unless the feed says otherwise."""
    if text is None or not text.strip():
        return IdType.resident_id
    try:
        return IdType(text.strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in IdType)
        raise InvalidInput(f"id_type {text!r} is not one of: {allowed}") from None


def normalise_phone(text: str) -> str:
    """Digits only, without +86/0086; +<country> kept for foreign numbers; InvalidInput otherwise.

    Accepted: an 11-digit mainland mobile (1[3-9]…), another domestic number of 5-15 digits
    not starting with 1 (a landline with its area code, a short service number), or a foreign
    number in international form (+ and 7-15 digits).
    """
    number = _PHONE_NOISE.sub("", text)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if number.startswith("+"):
        if _INTERNATIONAL.fullmatch(number):
            return number
        raise InvalidInput(f"phone {text.strip()!r} is not an international number (+ and 7-15 digits)")
    if _MOBILE.fullmatch(number) or _DOMESTIC_OTHER.fullmatch(number):
        return number
    if number.isdigit() and number.startswith("1"):
        raise InvalidInput(f"phone {text.strip()!r} is not an 11-digit mobile number (1[3-9] and 9 digits)")
    raise InvalidInput(f"phone {text.strip()!r} is not a phone number (5-15 digits, optional +86)")


def parse_sex(text: str) -> Sex:
    """male/female (also M/F, 男/女, unknown)."""
    try:
        return _SEXES[text.strip().lower()]
    except KeyError:
        raise InvalidInput(f"sex {text!r} is not male/female (M/F, 男/女)") from None


def identity_of(id_number: str | None, phone: str | None) -> tuple[str, str] | None:
    """What makes a person one person: the ID number, else the phone; None when neither is known."""
    if id_number:
        return ("id_number", id_number)
    if phone:
        return ("phone", phone)
    return None


def derived_person_id(identity: str) -> str:
    """A stable person id for someone first met by ID number or phone, so re-imports find them again."""
    return "P" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def mask(number: str) -> str:
    """`4101**********1234`: the first four and last four characters only."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
