"""`ringfence import KIND PATH`: one feed file into the store (or the event log), atomically.

The flow owns its transaction: the rows, the ImportBatch record and the audit entry are
committed together or not at all (killed midway, nothing is half-written; run it again). The
rejects file is moved into place just before the commit. Register snapshots are rewritten
after the commit, from what was committed, on every run (so a re-run also repairs them).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from ringfence.config import Settings
from ringfence.core import audit, clock
from ringfence.core.db import transaction
from ringfence.core.errors import RefusedFile
from ringfence.imports import snapshots
from ringfence.imports.areas import import_areas
from ringfence.imports.header import check_header
from ringfence.imports.job import Job, RejectsFile, Tally
from ringfence.imports.models import BatchStatus, ImportBatch
from ringfence.imports.people import import_people
from ringfence.imports.reading import feed_format, open_feed, read_header
from ringfence.imports.records import import_arrivals, import_cases
from ringfence.imports.registers import REGISTERS, import_register
from ringfence.imports.schemas import FEEDS, SCREENING_FLAGS, Destination, FeedKind, FeedSpec, ImportResult

IMPORTERS: dict[FeedKind, Callable[[Job], None]] = {
    FeedKind.areas: import_areas,
    FeedKind.people: import_people,
    FeedKind.cases: import_cases,
    FeedKind.arrivals: import_arrivals,
    **{kind: (lambda job, register=register: import_register(job, register)) for kind, register in REGISTERS.items()},
}

SQLITE_IMPORT_CACHE_KIB = 512 * 1024

SNAPSHOT_KINDS = {FeedKind.areas, FeedKind.buildings, FeedKind.people, FeedKind.venues}


def import_file(*, settings: Settings, kind: FeedKind, path: Path, actor: str, progress: bool) -> ImportResult:
    """Import one feed file: valid rows stored, invalid ones in the rejects file, counts returned."""
    from ringfence.bootstrap import engine

    spec = FEEDS[kind]
    path = Path(path)
    source = path.name
    if feed_format(path) == "geojson" and kind is not FeedKind.areas:
        raise RefusedFile(f"{source}: GeoJSON is read for areas only; {kind.value} come as CSV or Parquet")
    person_column = check_header(spec, read_header(path), source=source)
    batch_id = new_batch_id()
    rejects_path = settings.rejects_dir / f"{kind.value}-{batch_id}.csv"
    started = clock.now()
    store = engine(settings)

    if spec.destination is Destination.event_log:
        tally = _import_events(spec, path, settings, batch_id, rejects_path, progress)
        kept_rejects = rejects_path if tally.rejected and rejects_path.exists() else None
        with transaction(store) as session:
            _record(session, spec, path, batch_id, tally, kept_rejects, actor, started)
        return _result(kind, tally, kept_rejects)

    reader = open_feed(path)
    rejects = RejectsFile(rejects_path, reader.header)
    try:
        with transaction(store) as session, _progress_bar(progress, f"import {kind.value}", reader.total) as bar:
            job = Job(session, settings, spec, reader, rejects, person_column, on_progress=bar)
            with _large_page_cache(session):
                IMPORTERS[kind](job)
            kept_rejects = rejects.finish()
            _record(session, spec, path, batch_id, job.tally, kept_rejects, actor, started)
    except BaseException:
        rejects.discard()
        raise
    refreshed = {kind.value} if kind in SNAPSHOT_KINDS else set()
    if job.tally.people_created:
        refreshed.add(FeedKind.people.value)
    if refreshed:
        with transaction(store) as session:
            snapshots.refresh(session=session, settings=settings, names=sorted(refreshed))
    return _result(kind, job.tally, kept_rejects)


def new_batch_id() -> str:
    """Sortable by start time, unique across machines: `20221015T083000Z-1a2b3c4d`."""
    return f"{clock.now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _import_events(
    spec: FeedSpec, path: Path, settings: Settings, batch_id: str, rejects_path: Path, progress: bool
) -> Tally:
    # imported here: the event-log importer is its own module, loaded only for event kinds
    from ringfence.imports.events import import_events

    outcome = import_events(
        spec=spec, path=path, settings=settings, batch_id=batch_id, rejects_path=rejects_path, progress=progress
    )
    flag = SCREENING_FLAGS.get(spec.kind)  # the importer counts it on every run of its kind
    flags = {flag: getattr(outcome, flag)} if flag else {}
    return Tally(
        rows=outcome.rows, accepted=outcome.accepted, rejected=outcome.rejected, duplicates=outcome.duplicates,
        **flags,
    )


def _record(
    session: Session,
    spec: FeedSpec,
    path: Path,
    batch_id: str,
    tally: Tally,
    rejects_path: Path | None,
    actor: str,
    started: datetime,
) -> ImportBatch:
    """The batch record and its one audit entry (not one per row)."""
    batch = ImportBatch(
        batch_id=batch_id,
        kind=spec.kind.value,
        source=str(path.resolve())[-500:],
        sha256=_sha256(path),
        status=BatchStatus.done,
        rows=tally.rows,
        accepted=tally.accepted,
        rejected=tally.rejected,
        duplicates=tally.duplicates,
        rejects_path=str(rejects_path) if rejects_path else None,
        user=actor,
        started_at=started,
        finished_at=clock.now(),
    )
    session.add(batch)
    detail = {
        "file": path.name[-200:], "rows": tally.rows, "accepted": tally.accepted, "rejected": tally.rejected,
        "duplicates": tally.duplicates,
    }
    if tally.people_created:
        detail["people_created"] = tally.people_created
    for flag in ("pending_tube", "conflicting"):
        if getattr(tally, flag) is not None:
            detail[flag] = getattr(tally, flag)
    audit.record(
        session, user=actor, action=f"import.{spec.kind.value}", subject=f"batch:{batch_id}",
        detail=json.dumps(detail, ensure_ascii=False),
    )
    return batch


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _result(kind: FeedKind, tally: Tally, rejects_path: Path | None) -> ImportResult:
    return ImportResult(
        kind=kind.value,
        rows=tally.rows,
        accepted=tally.accepted,
        rejected=tally.rejected,
        duplicates=tally.duplicates,
        rejects_path=str(rejects_path) if rejects_path else None,
        pending_tube=tally.pending_tube,
        conflicting=tally.conflicting,
    )


@contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """SQLite keeps 2 MiB of pages by default: a register's indexes need far more to insert at speed."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    default = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(default)}"))


@contextmanager
def _progress_bar(enabled: bool, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A Rich bar on stderr when asked for (a terminal without --json); else a no-op."""
    if not enabled:
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total or None)
        yield lambda done: bar.update(task, completed=done)
