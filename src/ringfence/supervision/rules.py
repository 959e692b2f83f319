"""Supervision arithmetic: overdue rectifications and repeated findings. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime


def rectification_overdue(*, rectify_by: datetime, as_of: datetime, rectified_at: datetime | None) -> bool:
    """Not rectified by its deadline at `as_of` (closed exactly at the deadline is on time)."""
    if rectified_at is not None and rectified_at <= as_of:
        return False
    return as_of > rectify_by


def repeated(findings: Iterable[tuple[str, str]], *, at_least: int = 2) -> dict[tuple[str, str], int]:
    """(party, category) pairs found `at_least` times: the same gap recurring under the same party."""
    counts = Counter(findings)
    return {key: count for key, count in counts.items() if count >= at_least}
