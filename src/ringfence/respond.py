"""The daily cycle: the explicit list of derivations `ringfence respond` runs, in order.

Each derivation takes the session and the time it acts as of, turns what the data says into
records and tasks, is idempotent (running it twice creates nothing new), and returns counts.
Each runs in its own transaction, so one failing step leaves the others' work in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ringfence.config import Settings
from ringfence.core.db import transaction
from ringfence.protocols.models import Protocol

if TYPE_CHECKING:
    from ringfence.eventlog.store import EventStore


@dataclass
class Context:
    """What every derivation acts on: the time, the settings and protocol, who acts, the event log."""

    as_of: datetime
    settings: Settings
    protocol: Protocol
    actor: str

    @cached_property
    def events(self) -> EventStore:
        """The event log, opened on first use by a step that needs it."""
        from ringfence.eventlog.store import open_store

        return open_store(self.settings)


@dataclass
class Stopwatch:
    """Wall and CPU seconds summed per named step: the demo's start-up breakdown (bench/demo_start.py)."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


Derivation = Callable[[Session, Context], dict[str, int]]


def derivations() -> list[tuple[str, Derivation]]:
    """The daily cycle, in order. Capabilities add their step here (trace, zones, recall, …)."""
    from ringfence.enterprises import flows as enterprises
    from ringfence.isolation import flows as isolation
    from ringfence.supplies import flows as supplies
    from ringfence.surveillance import flows as surveillance
    from ringfence.tasks import flows as tasks
    from ringfence.testing import flows as testing
    from ringfence.tracing import flows as tracing
    from ringfence.zones import flows as zones

    return [
        ("investigate_case", tasks.investigate_cases),
        ("trace", tracing.trace_new_cases),  # today's new cases in one batch: contacts and placement tasks
        # capabilities' steps go here, before the enterprise check and escalation
        ("recall", testing.derive_recall),
        ("screening_rounds", testing.derive_rounds),
        ("arrivals", testing.derive_arrivals),
        ("key_places", testing.derive_key_places),
        ("routine_screening", testing.derive_routine_screening),  # 常态筛: overdue key-group members
        ("zones", zones.derive_zones),
        ("deliver_supplies", supplies.deliver_to_sealed_buildings),  # sealed buildings as the zones now stand
        ("sentinel_followup", surveillance.derive_followups),
        ("release_isolation", isolation.release_isolation),
        ("enterprise_compliance", enterprises.check_compliance),
        # last but the outbox: judges every task the steps above created
        ("escalate", tasks.escalate_overdue),
        # after the others committed, so no message leaves for a change that was rolled back
        ("notify", tasks.deliver_notifications),
    ]


def run(
    *, engine: Engine, context: Context, stopwatch: Stopwatch | None = None
) -> dict[str, dict[str, int]]:
    """Run every derivation as of `context.as_of`; returns the counts of each step by name.

    A `stopwatch` (the demo's benchmark) is told the wall and CPU time of each step.
    """
    counts: dict[str, dict[str, int]] = {}
    timed = stopwatch or Stopwatch()
    try:
        for name, derive in derivations():
            with timed.step(f"respond.{name}"), transaction(engine) as session:
                counts[name] = derive(session, context)
    finally:
        if "events" in context.__dict__:
            context.events.close()
            del context.__dict__["events"]
    return counts
