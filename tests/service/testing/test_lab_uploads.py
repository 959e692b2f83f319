"""A lab's rows go through the feed importer: refused with reasons, kept, flagged — never overwritten."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.service.testing.screening_city import build

from ringfence.config import Settings
from ringfence.core.audit import AuditEntry
from ringfence.eventlog.store import open_store
from ringfence.imports.events import import_events
from ringfence.imports.schemas import FEEDS, FeedKind
from ringfence.testing import flows


@pytest.fixture
def city(session: Session, settings: Settings) -> Settings:
    build(session, settings)
    return settings


SAMPLES = [
    {"sample_id": "s1", "person_id": "P1", "tube_id": "T1", "collected_at": "2022-10-02T08:00:00+08:00"},
    {"sample_id": "s2", "person_id": "P2", "tube_id": "T1", "collected_at": "2022-10-02T08:01:00+08:00"},
    {"sample_id": "s3", "person_id": "nobody", "tube_id": "T2", "collected_at": "2022-10-02T08:02:00+08:00"},
    {"sample_id": "s4", "person_id": "P3", "tube_id": "T3", "collected_at": "yesterday"},
    {"sample_id": "s5", "person_id": "P3", "tube_id": "T4", "collected_at": "2022-10-02T08:03:00+08:00"},
]


def test_samples_are_kept_refused_by_position_and_their_tubes_reported_pending(
    session: Session, city: Settings
) -> None:
    result = flows.upload(settings=city, kind="samples", rows=SAMPLES, actor="lab1")
    assert (result.rows, result.accepted, result.rejected, result.duplicates) == (5, 3, 2, 0)
    assert [(r.index, r.reason) for r in result.rejects] == [
        (2, "unknown person"), (3, "collected_at is not an ISO 8601 time"),
    ]
    assert result.pending_tubes == ["T1", "T4"]
    assert session.query(AuditEntry).filter_by(action="import.samples", user="lab1").count() == 1
    again = flows.upload(settings=city, kind="samples", rows=SAMPLES[:2], actor="lab1")
    assert (again.accepted, again.duplicates) == (0, 2)


def test_results_for_unknown_tubes_are_refused_and_contradictions_flagged_not_overwritten(
    session: Session, city: Settings
) -> None:
    flows.upload(settings=city, kind="samples", rows=SAMPLES, actor="lab1")
    first = flows.upload(settings=city, kind="tube-results", actor="lab1", rows=[
        {"tube_id": "T1", "result": "positive", "reported_at": "2022-10-02T12:00:00+08:00", "ct": 24.5},
        {"tube_id": "T9", "result": "negative", "reported_at": "2022-10-02T12:00:00+08:00"},
    ])
    assert (first.accepted, first.rejected) == (1, 1)
    assert [(r.index, r.reason) for r in first.rejects] == [(1, "tube has no samples")]
    assert first.conflicting_tubes == [] and first.pending_tubes == []
    second = flows.upload(settings=city, kind="tube-results", actor="lab2", rows=[
        {"tube_id": "T1", "result": "negative", "reported_at": "2022-10-02T13:00:00+08:00"},
    ])
    assert (second.accepted, second.conflicting_tubes) == (1, ["T1"])
    with open_store(city) as store:
        stored = store.query("SELECT result FROM tube_results WHERE tube_id = 'T1' ORDER BY reported_at")
    assert stored.column("result").to_pylist() == ["positive", "negative"]


def test_the_importer_counts_pending_samples_and_contradicting_results(city: Settings, tmp_path) -> None:
    samples = tmp_path / "samples.csv"
    samples.write_text("sample_id,person_id,tube_id,collected_at\na,P1,T1,2022-10-02T08:00:00\n"
                       "b,P2,T2,2022-10-02T08:00:00\n", encoding="utf-8")
    counts = import_events(spec=FEEDS[FeedKind.samples], path=samples, settings=city, batch_id="s",
                           rejects_path=tmp_path / "r1.csv", progress=False)
    assert (counts.accepted, counts.pending_tube) == (2, 2)
    results = tmp_path / "results.csv"
    results.write_text("tube_id,result,reported_at\nT1,positive,2022-10-02T12:00:00\n"
                       "T1,negative,2022-10-02T13:00:00\nT2,invalid,2022-10-02T13:00:00\n", encoding="utf-8")
    counts = import_events(spec=FEEDS[FeedKind.tube_results], path=results, settings=city, batch_id="r",
                           rejects_path=tmp_path / "r2.csv", progress=False)
    assert (counts.accepted, counts.conflicting) == (3, 2)
    more = tmp_path / "more.csv"
    more.write_text("sample_id,person_id,tube_id,collected_at\nc,P3,T1,2022-10-02T08:00:00\n"
                    "d,P3,T5,2022-10-02T08:00:00\n", encoding="utf-8")
    counts = import_events(spec=FEEDS[FeedKind.samples], path=more, settings=city, batch_id="s2",
                           rejects_path=tmp_path / "r3.csv", progress=False)
    assert counts.pending_tube == 1
