"""Imports: upload a feed file, see what was accepted and rejected, download the rejects.

The import itself is `imports.flows.import_file`: it owns its transaction (atomic, idempotent), as
it does for the CLI. The upload is kept in the data home only while it is imported.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import func, select

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission, Scope
from ringfence.core.errors import RingfenceError
from ringfence.imports.models import ImportBatch
from ringfence.imports.schemas import FeedKind
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, Visitor, gettext_of, is_htmx, missing, refuse, render

router = APIRouter(include_in_schema=False)

P = Permission
# which permission lets a role bring in which feed (DESIGN.md section 1: the lab its results, sentinels theirs)
KIND_PERMISSION: dict[FeedKind, Permission] = {
    **{k: P.IMPORT_REGISTERS for k in (FeedKind.areas, FeedKind.buildings, FeedKind.people, FeedKind.venues,
                                        FeedKind.facilities, FeedKind.rooms, FeedKind.enterprises)},
    **{k: P.IMPORT_EVENTS for k in (FeedKind.scans, FeedKind.locations, FeedKind.cases, FeedKind.arrivals)},
    FeedKind.samples: P.IMPORT_LAB, FeedKind.tube_results: P.IMPORT_LAB, FeedKind.sentinel: P.IMPORT_SENTINEL,
}
IMPORT_PERMISSIONS = tuple(dict.fromkeys(KIND_PERMISSION.values()))
SUFFIXES = {".csv", ".parquet", ".geojson", ".json"}
RECENT_BATCHES = 20
BatchId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]


def allowed_kinds(scope: Scope) -> list[FeedKind]:
    return [kind for kind, permission in KIND_PERMISSION.items() if scope.can(permission)]


def sees_every_batch(scope: Scope) -> bool:
    """Administrators see every import; everybody else their own."""
    return scope.can(P.USER_ADMIN)


def recent_batches(session, scope: Scope) -> tuple[list[ImportBatch], int]:
    query = select(ImportBatch)
    if not sees_every_batch(scope):
        query = query.where(ImportBatch.user == scope.actor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ImportBatch.started_at.desc(), ImportBatch.batch_id.desc()).limit(RECENT_BATCHES))
    return list(rows), total


def _page(request: Request, session, visitor: Visitor, *, status_code: int = 200, **context) -> Response:
    batches, total = recent_batches(session, visitor.scope)
    _ = gettext_of(request, visitor)
    kinds = [(k.value, f"{k.value} · {_(k.value)}") for k in allowed_kinds(visitor.scope)]
    template = "sections/import_result.html" if is_htmx(request) else "sections/imports.html"
    return render(request, visitor, template, status_code=status_code, current="imports", kinds=kinds,
                  batches=batches, total=total, **context)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, *IMPORT_PERMISSIONS, current="imports")) is not None:
        return refused
    return _page(request, session, visitor)


@router.post("/imports", response_class=HTMLResponse)
def upload(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    kind: Annotated[str, Form(max_length=20)] = "",
    feed: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Import the uploaded file; the page shows the counts and a link to the rejects."""
    if (refused := refuse(request, visitor, *IMPORT_PERMISSIONS, current="imports")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    errors = []
    if not security.csrf_valid(request, csrf_token):
        errors.append(_("Your form expired. Reload the page and try again."))
    chosen = next((k for k in allowed_kinds(visitor.scope) if k.value == kind), None)
    if chosen is None:
        errors.append(_("Choose the kind of feed this file holds."))
    name = FilePath(feed.filename or "").name if feed is not None else ""
    if not name:
        errors.append(_("Choose a file to import."))
    elif FilePath(name).suffix.lower() not in SUFFIXES:
        errors.append(_("A feed file is CSV, Parquet or GeoJSON (.csv, .parquet, .geojson)."))
    if errors:
        return _page(request, session, visitor, status_code=422, errors=errors, chosen=kind)
    settings = request.app.state.settings
    uploads = settings.home / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    # the importer reports the file's own name; a folder of its own keeps two uploads of one name apart
    folder = uploads / uuid.uuid4().hex
    folder.mkdir()
    path = folder / name
    try:
        with path.open("wb") as target:
            shutil.copyfileobj(feed.file, target)
        from ringfence.imports.flows import import_file

        result = import_file(settings=settings, kind=chosen, path=path, actor=visitor.scope.actor, progress=False)
    except RingfenceError as refusal:
        return _page(request, session, visitor, status_code=refusal.status_code, errors=[str(refusal)], chosen=kind)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # the import committed in its own transaction: start a fresh read to see its batch
    session.rollback()
    batch = session.scalar(select(ImportBatch).where(ImportBatch.rejects_path == result.rejects_path)) \
        if result.rejects_path else None
    return _page(request, session, visitor, result=result, file_name=name, batch=batch, chosen=kind)


@router.get("/imports/batches/{batch_id}/rejects.csv")
def download_rejects(request: Request, session: DbSession, visitor: CurrentVisitor, batch_id: BatchId) -> Response:
    """A batch's rejects file (line, row, reason), for the user who imported it or an administrator."""
    if (refused := refuse(request, visitor, *IMPORT_PERMISSIONS, current="imports")) is not None:
        return refused
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.rejects_path is None or not (
        sees_every_batch(visitor.scope) or batch.user == visitor.scope.actor
    ):
        return missing(request, visitor, current="imports")
    rejects_dir = request.app.state.settings.rejects_dir.resolve()
    path = FilePath(batch.rejects_path).resolve()
    if not path.is_relative_to(rejects_dir) or not path.is_file():
        return missing(request, visitor, current="imports")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"rejects-{batch.kind}-{batch_id}.csv")
