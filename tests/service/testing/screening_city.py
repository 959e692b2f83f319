"""The small city with its register snapshots written, and helpers to put samples and results in the log.

City C ─ D1 ─ S1 ─ M1 ─ B1: P1 (courier), P2 · venue V1 (market)
       ─ D2 ─ S2 ─ M2 ─ B2: P3 · venue V2 (mall)
       ─ D_ ─ M_ ─ B_: P4
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from tests.eventlog.worlds import events, scans
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.config import Settings
from ringfence.eventlog.store import open_store
from ringfence.imports import snapshots
from ringfence.protocols.service import load

PROTOCOL = load("covid19-cn-9")
CITY = Scope(actor="tester", role=Role.commander, subtree=None)
DISTRICT_B = Scope(actor="district_b", role=Role.district, subtree="/C/D2/")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 10, day, hour, minute, tzinfo=UTC)


def build(session: Session, settings: Settings) -> None:
    """The small city, committed, with the people/buildings/areas/venues snapshots the event log reads."""
    build_small_city(session)
    session.commit()
    snapshots.refresh(session=session, settings=settings, names=["areas", "buildings", "people", "venues"])


_batch = iter(range(1_000_000))


def sampled(settings: Settings, *rows: tuple[str, str, datetime]) -> None:
    """Samples from (person_id, tube_id, collected_at)."""
    with open_store(settings) as store:
        store.append("samples", events("samples", [
            {"sample_id": f"{p}-{t}-{c:%d%H%M}", "person_id": p, "tube_id": t, "collected_at": c} for p, t, c in rows
        ]), batch_id=f"samples-{next(_batch)}")


def reported(settings: Settings, *rows: tuple[str, str, datetime]) -> None:
    """Tube results from (tube_id, result, reported_at)."""
    with open_store(settings) as store:
        store.append("tube_results", events("tube_results", [
            {"tube_id": t, "result": r, "reported_at": a} for t, r, a in rows
        ]), batch_id=f"results-{next(_batch)}")


def scanned(settings: Settings, *rows: tuple[str, str, datetime]) -> None:
    with open_store(settings) as store:
        store.append("scans", scans(*rows), batch_id=f"scans-{next(_batch)}")
