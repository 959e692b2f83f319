"""Typed values out of text cells, each failure an InvalidInput naming the column. Pure."""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from ringfence.core import clock
from ringfence.core.errors import InvalidInput
from ringfence.imports.reading import Cells

E = TypeVar("E", bound=StrEnum)

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}


def raw(cells: Cells, column: str) -> str | None:
    """The stripped cell, None when absent or blank."""
    value = cells.get(column)
    return (value.strip() or None) if value else None


def text(cells: Cells, column: str, *, max_length: int, required: bool = True) -> str | None:
    value = raw(cells, column)
    if value is None:
        if required:
            raise InvalidInput(f"{column} is empty")
        return None
    if len(value) > max_length:
        raise InvalidInput(f"{column} is longer than {max_length} characters")
    return value


def number(cells: Cells, column: str) -> float:
    value = raw(cells, column)
    if value is None:
        raise InvalidInput(f"{column} is empty")
    try:
        parsed = float(value)
    except ValueError:
        raise InvalidInput(f"{column} {value!r} is not a number") from None
    if not math.isfinite(parsed):
        raise InvalidInput(f"{column} {value!r} is not a finite number")
    return parsed


def positive_int(cells: Cells, column: str, *, required: bool = True) -> int | None:
    value = raw(cells, column)
    if value is None:
        if required:
            raise InvalidInput(f"{column} is empty")
        return None
    try:
        # "30.0" from a spreadsheet is 30; "30.5" is not a whole number
        parsed = float(value)
        whole = int(parsed)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{column} {value!r} is not a whole number") from None
    if parsed != whole or whole <= 0 or whole > 2**31 - 1:
        raise InvalidInput(f"{column} {value!r} is not a positive whole number")
    return whole


def boolean(cells: Cells, column: str, *, default: bool = False) -> bool:
    """true/false, 1/0, yes/no (any case); blank is the default."""
    value = raw(cells, column)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidInput(f"{column} {value!r} is not true/false (1/0, yes/no)")


def moment(cells: Cells, column: str, tz: ZoneInfo, *, required: bool = True) -> datetime | None:
    """ISO 8601 with any offset, or none (local to `tz`); aware UTC."""
    value = raw(cells, column)
    if value is None:
        if required:
            raise InvalidInput(f"{column} is empty")
        return None
    try:
        return clock.parse_time(value, tz)
    except InvalidInput:
        raise InvalidInput(f"{column} {value!r} is not an ISO 8601 time") from None


def day(cells: Cells, column: str) -> date | None:
    value = raw(cells, column)
    if value is None:
        return None
    try:
        return clock.parse_date(value)
    except InvalidInput:
        raise InvalidInput(f"{column} {value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def choice(cells: Cells, column: str, kind: type[E], *, default: E | None = None) -> E:
    value = raw(cells, column)
    if value is None:
        if default is None:
            raise InvalidInput(f"{column} is empty")
        return default
    try:
        return kind(value.lower())
    except ValueError:
        raise InvalidInput(f"{column} {value!r} is not one of: {', '.join(k.value for k in kind)}") from None
