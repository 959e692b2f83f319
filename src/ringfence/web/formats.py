"""How pages print values: times in the city's zone, shares as percentages, missing values as a dash."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

DASH = "—"


def local_time(value: datetime | date | None, tz: ZoneInfo) -> str:
    """`2022-10-20 09:00` in the city's zone (stored times without an offset are UTC)."""
    if value is None:
        return DASH
    if not isinstance(value, datetime):
        return value.isoformat()
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.1%}"


def number(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def install(env: Environment, tz: ZoneInfo) -> None:
    """The filters every template may use: `local`, `pct`, `num`."""
    env.filters["local"] = lambda value: local_time(value, tz)
    env.filters["pct"] = percent
    env.filters["num"] = number
