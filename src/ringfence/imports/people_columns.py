"""People rows parsed a column at a time (Arrow and NumPy) when their cells have the usual shapes.

`parse_columns` returns, per row, either the values `people.parse_person` would return for it, or
None: then the row has a value that may be invalid, or a shape this module leaves to the exact rules
(non-ASCII digits, spaces inside an ID number, a date written another way, …), and `parse_person`
parses it — and gives the reason when it refuses it. Every check here is a stricter version of the
per-row rule it stands for, so both paths give the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.imports.reading import SourceRow
from ringfence.people.models import IdType, Sex
from ringfence.people.rules import RESIDENT_ID_CHECK, RESIDENT_ID_WEIGHTS

WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())  # what str.strip() strips
_SEXES = {"male": Sex.male, "m": Sex.male, "男": Sex.male, "female": Sex.female, "f": Sex.female, "女": Sex.female,
          "unknown": Sex.unknown, "u": Sex.unknown, "未知": Sex.unknown}
_ID_TYPES = {t.value: t for t in IdType}
_LIMITS = {"person_id": 64, "name": 120, "building_id": 64, "household_id": 64, "workplace_id": 64, "key_group": 40}
_REQUIRED = ("person_id", "name")
_CHECK = np.frombuffer(RESIDENT_ID_CHECK.encode("ascii"), dtype=np.uint8)
_WEIGHTS = np.array(RESIDENT_ID_WEIGHTS, dtype=np.int64)
COLUMNS = ("person_id", "name", "id_type", "id_number", "phone", "sex", "birth_date", "building_id",
           "household_id", "workplace_id", "key_group")


def parse_columns(rows: Sequence[SourceRow], header: Sequence[str]) -> list[dict[str, Any] | None]:
    """Per row, its values as `parse_person` gives them, or None when the exact per-row rules must decide."""
    count = len(rows)
    if not count:
        return []
    cell = {name: _stripped(pa.array([row.cells.get(name) for row in rows], pa.string())) for name in header}
    absent = pa.nulls(count, pa.string())
    text = {name: cell.get(name, absent) for name in COLUMNS}
    fast = np.ones(count, dtype=bool)

    id_type = text["id_type"]
    id_type_known = pc.is_in(pc.utf8_lower(id_type), value_set=pa.array(list(_ID_TYPES)))
    fast &= _true(pc.or_kleene(pc.is_null(id_type), id_type_known))
    resident = _true(pc.or_kleene(pc.is_null(id_type), pc.equal(pc.utf8_lower(id_type), IdType.resident_id.value)))

    number = text["id_number"]
    has_number = _true(pc.is_valid(number))
    id_number = pc.utf8_upper(number)  # checked to be ASCII below
    resident_ok, id_sex, id_birth = _resident_ids(id_number, resident & has_number)
    other_ok = _true(pc.match_substring_regex(number, r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$"))
    fast &= ~has_number | np.where(resident, resident_ok, other_ok)

    phone, phone_ok = _phones(text["phone"])
    has_phone = _true(pc.is_valid(text["phone"]))
    fast &= (has_number | has_phone) & (~has_phone | phone_ok)

    sex_text = pc.utf8_lower(text["sex"])
    sex_known = pc.is_in(sex_text, value_set=pa.array(list(_SEXES)))
    fast &= _true(pc.or_kleene(pc.is_null(text["sex"]), sex_known))
    birth, birth_ok = _iso_dates(text["birth_date"])
    fast &= ~_true(pc.is_valid(text["birth_date"])) | birth_ok

    for name, limit in _LIMITS.items():
        long = _true(pc.greater(pc.utf8_length(text[name]), limit))
        fast &= ~long
        if name in _REQUIRED:
            fast &= _true(pc.is_valid(text[name]))

    return _values(fast, text, id_type, has_number, resident, id_number, phone, sex_text, birth, id_sex, id_birth)


def _values(fast, text, id_type, has_number, resident, id_number, phone, sex_text, birth, id_sex, id_birth):
    """The parsed rows' values as `parse_person` builds them (feed sex and birth date win over the ID's)."""
    lists = {name: text[name].to_pylist() for name in ("person_id", "name", "building_id", "household_id",
                                                         "workplace_id", "key_group")}
    id_types = pc.utf8_lower(id_type).to_pylist()
    numbers = id_number.to_pylist()
    phones = phone.to_pylist()
    sexes = sex_text.to_pylist()
    births = birth.tolist()
    parsed: list[dict[str, Any] | None] = []
    for i in range(len(fast)):
        if not fast[i]:
            parsed.append(None)
            continue
        number = numbers[i] if has_number[i] else None
        sex = _SEXES[sexes[i]] if sexes[i] is not None else None
        birth_date = births[i]
        if resident[i] and number is not None:
            sex = sex or (Sex.male if id_sex[i] else Sex.female)
            birth_date = birth_date or id_birth[i]
        parsed.append({
            "person_id": lists["person_id"][i], "name": lists["name"][i],
            "id_type": (_ID_TYPES[id_types[i]] if id_types[i] else IdType.resident_id) if number else None,
            "id_number": number, "phone": phones[i], "sex": sex, "birth_date": birth_date,
            "building_id": lists["building_id"][i], "household_id": lists["household_id"][i],
            "workplace_id": lists["workplace_id"][i], "key_group": lists["key_group"][i],
        })
    return parsed


def _stripped(values: pa.Array) -> pa.Array:
    """`fields.raw`: the cell without surrounding whitespace, None when blank."""
    trimmed = pc.utf8_trim(values, characters=WHITESPACE)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _true(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _resident_ids(numbers: pa.Array, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Per row: a valid resident ID (shape, check digit, real birth date); its sex (odd: male) and birth date."""
    count = len(numbers)
    valid, male, births = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool), [None] * count
    shaped = wanted & _true(pc.match_substring_regex(numbers, r"^[0-9]{17}[0-9X]$"))
    at = np.flatnonzero(shaped)
    if not len(at):
        return valid, male, births
    chars = _fixed_width(numbers.take(pa.array(at)), 18)
    digits = chars[:, :17].astype(np.int64) - ord("0")
    check_ok = _CHECK[(digits @ _WEIGHTS) % 11] == chars[:, 17]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    date_ok, days = _real_dates(year, month, day)
    valid[at] = check_ok & date_ok
    male[at] = digits[:, 16] % 2 == 1
    for position, moment, ok in zip(at.tolist(), days.tolist(), (check_ok & date_ok).tolist(), strict=True):
        if ok:
            births[position] = moment
    return valid, male, births


def _iso_dates(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the date of `YYYY-MM-DD` text (None otherwise), and whether it is a real date of that shape."""
    count = len(texts)
    dates = np.full(count, None, dtype=object)
    ok = np.zeros(count, dtype=bool)
    at = np.flatnonzero(_true(pc.match_substring_regex(texts, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")))
    if len(at):
        chars = _fixed_width(texts.take(pa.array(at)), 10).astype(np.int64) - ord("0")
        year = chars[:, 0:4] @ np.array([1000, 100, 10, 1])
        month = chars[:, 5:7] @ np.array([10, 1])
        day = chars[:, 8:10] @ np.array([10, 1])
        real, days = _real_dates(year, month, day)
        ok[at] = real
        dates[at[real]] = days[real].tolist()
    return dates, ok


def _real_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each (year, month, day) is a date Python accepts, and the dates (as datetime64[D])."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 1, 12) - 1]
    month_days = month_days + ((month == 2) & leap)
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    safe_year, safe_month, safe_day = np.where(real, year, 1970), np.where(real, month, 1), np.where(real, day, 1)
    months = (safe_year - 1970) * 12 + (safe_month - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (safe_day - 1).astype("timedelta64[D]")
    return real, days.astype(object)


def _fixed_width(values: pa.Array, width: int) -> np.ndarray:
    """ASCII strings all `width` bytes long, as a (rows, width) array of bytes."""
    values = pa.concat_arrays([values]) if values.offset else values
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32, count=len(values) + 1)
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[0] + width * len(values)].reshape(len(values), width)


def _phones(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`rules.normalise_phone` for phones of ASCII digits and the usual separators; whether each passed."""
    shaped = _true(pc.match_substring_regex(texts, r"^[0-9 +().-]+$"))
    number = pc.replace_substring_regex(texts, r"[ ().-]", "")
    number = pc.if_else(pc.starts_with(number, "+86"), pc.utf8_slice_codeunits(number, 3),
                        pc.if_else(pc.starts_with(number, "0086"), pc.utf8_slice_codeunits(number, 4), number))
    valid = pc.or_kleene(
        pc.match_substring_regex(number, r"^\+[1-9][0-9]{6,14}$"),
        pc.or_kleene(pc.match_substring_regex(number, r"^1[3-9][0-9]{9}$"),
               pc.match_substring_regex(number, r"^[02-9][0-9]{4,14}$")),
    )
    return number, shaped & _true(valid)
