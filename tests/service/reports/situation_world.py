"""A situation world: the small city with cases found different ways, a task, samples and sentinel events.

Report day D = 2022-10-20 (Asia/Shanghai). On D: P1 (D1, screening), P3 (D2, controlled) and P4
(D_, arrival) are confirmed; P2 (D1, sentinel) was confirmed on D−3. An investigation task in M1
fell due on D−1. P1 gave a sample 10 h before the end of D.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session
from tests.service.surveillance.sentinel_world import append, build_city, sample_row

from ringfence.cases.models import Case, Classification, FoundVia
from ringfence.config import Settings

DAY = date(2022, 10, 20)
END = datetime(2022, 10, 20, 16, 0, tzinfo=UTC)  # 00:00 on the 21st in Shanghai
MORNING = datetime(2022, 10, 20, 1, 0, tzinfo=UTC)  # 09:00 on the 20th


def build_situation(session: Session, settings: Settings, *, city_built: bool = False) -> dict[str, Case]:
    """The world above; with `city_built`, over a small city already in the store (snapshots still taken)."""
    from ringfence.imports import snapshots
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import TaskKind

    if city_built:
        snapshots.refresh(session=session, settings=settings, names=["people", "venues", "buildings", "areas"])
    else:
        build_city(session, settings)
    cases = {
        "P1": Case(person_id="P1", classification=Classification.confirmed, confirmed_at=MORNING,
                   sampled_at=MORNING - timedelta(hours=6), found_via=FoundVia.screening),
        "P3": Case(person_id="P3", classification=Classification.asymptomatic, confirmed_at=MORNING + timedelta(hours=2),
                   sampled_at=MORNING - timedelta(hours=4), found_via=FoundVia.controlled),
        "P4": Case(person_id="P4", classification=Classification.confirmed, confirmed_at=MORNING + timedelta(hours=5),
                   found_via=FoundVia.arrival),
        "P2": Case(person_id="P2", classification=Classification.confirmed, confirmed_at=MORNING - timedelta(days=3),
                   sampled_at=MORNING - timedelta(days=3, hours=8), found_via=FoundVia.sentinel),
    }
    session.add_all(cases.values())
    session.flush()
    tasks.ensure(session=session, kind=TaskKind.investigate_case, subject_id="P2", area_id="M1",
                 due_at=END - timedelta(days=1, hours=2), source_key="world:1", actor="world",
                 created_at=MORNING - timedelta(days=3))
    session.commit()
    append(settings, "samples", [sample_row("s1", "P1", END - timedelta(hours=10))], "samples-1")
    return cases
