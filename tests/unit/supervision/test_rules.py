from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ringfence.supervision import rules

BY = datetime(2022, 10, 11, 9, 0, tzinfo=UTC)


def test_a_rectification_is_overdue_only_past_its_deadline_and_until_closed() -> None:
    assert not rules.rectification_overdue(rectify_by=BY, as_of=BY, rectified_at=None)
    assert rules.rectification_overdue(rectify_by=BY, as_of=BY + timedelta(seconds=1), rectified_at=None)
    assert not rules.rectification_overdue(rectify_by=BY, as_of=BY + timedelta(hours=2), rectified_at=BY + timedelta(hours=1))
    assert rules.rectification_overdue(rectify_by=BY, as_of=BY + timedelta(hours=1), rectified_at=BY + timedelta(hours=2))


def test_repeated_findings_need_the_same_party_and_category_twice() -> None:
    found = [("unit:a", "exit"), ("unit:a", "exit"), ("unit:a", "register"), ("unit:b", "exit")]
    assert rules.repeated(found) == {("unit:a", "exit"): 2}
    assert rules.repeated(found, at_least=1)[("unit:b", "exit")] == 1
