"""Time: aware datetimes everywhere; naive feed times are local to the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ringfence.core.errors import InvalidInput


def now() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 with any offset (`Z`, `+08:00`) or none (then local to `tz`); always aware UTC."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 date: {text!r}") from None


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()
