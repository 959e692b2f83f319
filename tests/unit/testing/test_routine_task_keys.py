"""Routine-screening task keys: one per member and last covering sample, a fresh one when a key already served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from ringfence.testing.rules import routine_key_marker, routine_task_key, sampled_since

SAMPLED = datetime(2022, 10, 2, 8, 0, tzinfo=UTC)


def test_the_key_names_the_member_and_their_last_sample_in_utc() -> None:
    shanghai = SAMPLED.astimezone(timezone(timedelta(hours=8)))
    assert routine_task_key("P:1", shanghai) == "routine:P:1:20221002T080000000000"
    assert routine_task_key("P1", None) == "routine:P1:never"


def test_a_key_that_already_served_gets_the_next_number() -> None:
    taken = {"routine:P1:never", "routine:P1:never#2"}
    assert routine_task_key("P1", None, taken) == "routine:P1:never#3"
    assert routine_key_marker("routine:P:1:never#3") == "never"


def test_only_a_newer_sample_counts_as_sampled_since() -> None:
    marker = routine_key_marker(routine_task_key("P1", SAMPLED))
    assert sampled_since(marker, SAMPLED + timedelta(microseconds=1))
    assert not sampled_since(marker, SAMPLED)
    assert not sampled_since(marker, SAMPLED - timedelta(hours=1))  # the later sample no longer covers
    assert not sampled_since(marker, None)
    assert sampled_since("never", SAMPLED)
