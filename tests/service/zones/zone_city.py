"""The small city with its register snapshots, cases, and check-ins, samples and results in the log.

City C ─ D1 ─ S1 ─ M1 ─ B1: P1, P2 · venue V1 (market, 40 min)
       ─ D2 ─ S2 ─ M2 ─ B2: P3 · venue V2 (mall)
       ─ D_ ─ M_ ─ B_: P4
P0 lives nowhere; venue V0 (a station) stands in no building. Days are Shanghai days of October 2022.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from tests.eventlog.worlds import events, scans
from tests.service.areas.small_city import build_small_city

from ringfence.cases.models import Case, CaseStatus, Classification
from ringfence.config import Settings
from ringfence.eventlog.store import open_store
from ringfence.imports import snapshots
from ringfence.protocols.service import load
from ringfence.zones import service

PROTOCOL = load("covid19-cn-9")
TZ = ZoneInfo("Asia/Shanghai")
_batches = count()


def local(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """`hour`:`minute` on October `day`, Shanghai time."""
    return datetime(2022, 10, day, hour, minute, tzinfo=TZ)


def build(session: Session, settings: Settings) -> None:
    """The small city, committed, with the snapshots the event log reads."""
    build_small_city(session)
    session.commit()
    snapshots.refresh(session=session, settings=settings, names=["areas", "buildings", "people", "venues"])


def confirm(session: Session, person: str, at: datetime, *, status: CaseStatus = CaseStatus.confirmed) -> Case:
    case = Case(person_id=person, classification=Classification.confirmed, confirmed_at=at, status=status)
    session.add(case)
    session.commit()
    return case


def scanned(settings: Settings, *rows: tuple) -> None:
    """Check-ins from (person_id, venue_id, scanned_at[, left_at])."""
    with open_store(settings) as store:
        store.append("scans", scans(*rows), batch_id=f"scans-{next(_batches)}")


def sampled(settings: Settings, *rows: tuple[str, str, datetime]) -> None:
    """Samples from (person_id, tube_id, collected_at)."""
    with open_store(settings) as store:
        store.append("samples", events("samples", [
            {"sample_id": f"{p}-{t}-{c.isoformat()}", "person_id": p, "tube_id": t, "collected_at": c}
            for p, t, c in rows
        ]), batch_id=f"samples-{next(_batches)}")


def reported(settings: Settings, *rows: tuple[str, str, datetime]) -> None:
    """Tube results from (tube_id, result, reported_at)."""
    with open_store(settings) as store:
        store.append("tube_results", events("tube_results", [
            {"tube_id": t, "result": r, "reported_at": a} for t, r, a in rows
        ]), batch_id=f"results-{next(_batches)}")


def delineate(session: Session, settings: Settings, as_of: datetime, protocol=PROTOCOL):
    with open_store(settings) as store:
        return service.delineate(session=session, store=store, protocol=protocol, as_of=as_of, tz=TZ)


def drawn(session: Session, settings: Settings, as_of: datetime, protocol=PROTOCOL) -> list[tuple]:
    """(level, unit, unit_id, residents) of each zone as of `as_of`."""
    return [(z.level.value, z.unit.value, z.unit_id, z.residents)
            for z in delineate(session, settings, as_of, protocol)]


def later(at: datetime, **delta: float) -> datetime:
    return at + timedelta(**delta)
