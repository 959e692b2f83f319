from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.service.imports.feeds import count, feed, seed_city

from ringfence.core import audit
from ringfence.core.errors import RefusedFile
from ringfence.imports.models import ImportBatch


def seed_people_and_venues(settings, tmp_path) -> None:
    seed_city(settings, tmp_path)
    feed(settings, tmp_path, "people", [
        {"person_id": "P1", "name": "Bob", "id_number": "", "phone": "13800138000", "sex": "", "birth_date": "",
         "building_id": "b1"},
    ], name="seed-people.csv")
    feed(settings, tmp_path, "venues", [
        {"venue_id": "v1", "name": "Market", "kind": "market", "lon": "113.7", "lat": "34.7"},
    ], name="seed-venues.csv")


def test_event_kinds_are_handed_to_the_event_log_and_recorded_as_a_batch(settings, engine, session, tmp_path) -> None:
    seed_people_and_venues(settings, tmp_path)
    result = feed(settings, tmp_path, "scans", [{"person_id": "P1", "venue_id": "v1", "scanned_at": "2022-10-05T09:00"}])
    assert (result.kind, result.rows, result.accepted, result.rejected) == ("scans", 1, 1, 0)
    batch = session.scalars(select(ImportBatch).where(ImportBatch.kind == "scans")).one()
    assert (batch.rows, batch.accepted) == (1, 1)
    assert ("import.scans", f"batch:{batch.batch_id}") in [(e.action, e.subject) for e in audit.entries(session)]


def test_an_event_file_missing_a_column_is_refused_before_the_event_log_sees_it(settings, engine, tmp_path) -> None:
    seed_people_and_venues(settings, tmp_path)
    batches = count(engine, ImportBatch)
    with pytest.raises(RefusedFile, match="required column scanned_at is missing"):
        feed(settings, tmp_path, "scans", [{"person_id": "P1", "venue_id": "v1"}])
    assert count(engine, ImportBatch) == batches
    assert not settings.events_dir.exists() or not any(settings.events_dir.rglob("*.parquet"))
