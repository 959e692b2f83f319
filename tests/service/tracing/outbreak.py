"""The small city with one case (P1, district D1) and check-ins that name people three ways.

P1 (the case, household H1 with P2) stays at the mall V2 (90 min by kind) from 10:00 local on
9 October without checking out; confirmed 10 October 12:00 local. Check-ins of others come in feeds
naming people by id_number (naive local times), by phone (`Z` times) and by person_id (`+08:00`):
P3 overlaps 30 min, P4 16 min, P0 14 min.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from tests.service.areas.small_city import ID_NUMBERS, PHONES, build_small_city

from ringfence.cases import service as cases_service
from ringfence.cases.models import Case, Classification, FoundVia
from ringfence.cases.schemas import CaseCreate
from ringfence.config import Settings
from ringfence.imports import snapshots
from ringfence.imports.flows import import_file
from ringfence.imports.schemas import FeedKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIRMED = datetime(2022, 10, 10, 12, tzinfo=SHANGHAI)

FEEDS = {
    "by-person.csv": "person_id,venue_id,scanned_at,left_at\nP1,V2,2022-10-09T10:00:00+08:00,\n",
    "by-id-number.csv": f"id_number,venue_id,scanned_at,left_at\n{ID_NUMBERS['P3']},V2,2022-10-09T11:00:00,2022-10-09T12:00:00\n",
    "by-phone.csv": (
        "phone,venue_id,scanned_at,left_at\n"
        f"{PHONES['P4']},V2,2022-10-09T03:14:00Z,2022-10-09T04:00:00Z\n"
        f"{PHONES['P0']},V2,2022-10-09T03:16:00Z,2022-10-09T04:00:00Z\n"
    ),
}


def seed_outbreak(session: Session, settings: Settings, feeds_dir: Path) -> Case:
    """Build the city, commit it, import the three feeds, record the case (committed); the case."""
    build_small_city(session)
    session.commit()
    snapshots.refresh(session=session, settings=settings, names=["people", "venues", "buildings", "areas"])
    for name, text in FEEDS.items():
        path = feeds_dir / name
        path.write_text(text, encoding="utf-8")
        result = import_file(settings=settings, kind=FeedKind.scans, path=path, actor="test", progress=False)
        assert result.accepted == text.count("\n") - 1, result
    case = cases_service.create(
        session=session,
        case_in=CaseCreate(person_id="P1", classification=Classification.confirmed, confirmed_at=CONFIRMED,
                           found_via=FoundVia.screening),
        actor="test",
    )
    session.commit()
    return case
