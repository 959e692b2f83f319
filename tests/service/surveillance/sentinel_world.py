"""A sentinel world: the small city (store and register snapshots) with sentinel events and samples.

Sites: V1 is a registered venue in building B1 (community M1, district D1); V2 in B2 (M2, D2);
PH9 is a pharmacy the venue register does not know (district `unknown`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session
from tests.eventlog.worlds import events
from tests.service.areas.small_city import build_small_city

from ringfence.config import Settings
from ringfence.eventlog.store import open_store
from ringfence.imports import snapshots

T0 = datetime(2022, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


def build_city(session: Session, settings: Settings) -> None:
    """The small city in the store and in the event log's register snapshots."""
    build_small_city(session)
    session.flush()
    snapshots.refresh(session=session, settings=settings, names=["people", "venues", "buildings", "areas"])


def sentinel_row(site_id: str, at: datetime, category: str, person_id: str | None = None,
                 count: int | None = None, site_kind: str = "pharmacy") -> dict:
    return {"site_id": site_id, "site_kind": site_kind, "occurred_at": at, "category": category,
            "person_id": person_id, "count": count}


def sample_row(sample_id: str, person_id: str, at: datetime, tube_id: str | None = None) -> dict:
    return {"sample_id": sample_id, "person_id": person_id, "tube_id": tube_id or f"tube-{sample_id}",
            "collected_at": at}


def append(settings: Settings, kind: str, rows: list[dict], batch: str) -> None:
    with open_store(settings) as store:
        store.append(kind, events(kind, rows), batch_id=batch)


def daily_sentinel(site_id: str, first: datetime, per_day: list[int], category: str = "antipyretic") -> list[dict]:
    """Aggregate rows (no person): `per_day[i]` events at `site_id` on day i after `first`."""
    return [sentinel_row(site_id, first + timedelta(days=i), category, count=n) for i, n in enumerate(per_day) if n]
