"""The areas feed: the administrative tree, placed parents-first whatever the file's order.

An area already stored keeps its place: a row may change its name or geometry (upsert), but
not its parent or level (that would move a subtree; it is rejected). A key repeated in the
file with other values: the later row wins for name/geometry, like a re-import.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ringfence.areas import rules
from ringfence.areas.models import Area
from ringfence.config import Settings
from ringfence.imports import fields
from ringfence.imports.job import Job
from ringfence.imports.reading import Cells, SourceRow
from ringfence.imports.registers import parse_parsed, write


def parse_area(cells: Cells, settings: Settings) -> dict[str, Any]:
    level = rules.parse_level(fields.text(cells, "level", max_length=20))
    parent_id = fields.text(cells, "parent_id", max_length=64, required=False)
    rules.check_parent(level, parent_id)
    geometry = fields.raw(cells, "geometry")
    return {
        "area_id": rules.check_area_id(fields.text(cells, "area_id", max_length=64)),
        "parent_id": parent_id,
        "level": level,
        "name": fields.text(cells, "name", max_length=200),
        "geometry": rules.parse_geometry(geometry) if geometry is not None else None,
    }


def import_areas(job: Job) -> None:
    """Read the whole file (a city has thousands of areas, not millions), then place the tree."""
    parsed: list[tuple[SourceRow, dict[str, Any]]] = []
    for chunk in job.chunks():
        parsed.extend(parse_parsed(job, chunk, parse_area))

    stored = {
        a.area_id: a
        for a in job.session.execute(
            select(Area.area_id, Area.parent_id, Area.level, Area.path, Area.name, Area.geometry)
        )
    }
    placed = {a.area_id: rules.PlacedArea(a.area_id, a.level, a.path) for a in stored.values()}
    compared = ["area_id", "name"] + (["geometry"] if job.in_file("geometry") else [])

    first: dict[str, tuple[SourceRow, dict[str, Any]]] = {}
    later: list[tuple[SourceRow, dict[str, Any]]] = []  # repeats of an area met earlier in the file
    for row, values in parsed:
        area_id = values["area_id"]
        known = stored.get(area_id)
        if known is not None and (known.parent_id, known.level) != (values["parent_id"], values["level"]):
            job.reject(row, _moved(area_id, known.parent_id, known.level))
        elif area_id in first:
            earlier = first[area_id][1]
            if (earlier["parent_id"], earlier["level"]) != (values["parent_id"], values["level"]):
                job.reject(row, f"area {area_id} is already on line {first[area_id][0].line} with another parent or level")
            else:
                later.append((row, values))
        else:
            first[area_id] = (row, values)

    new = {area_id: pair for area_id, pair in first.items() if area_id not in stored}
    drafts = [
        rules.AreaDraft(row.line, values["area_id"], values["parent_id"], values["level"])
        for row, values in new.values()
    ]
    ordered, reasons = rules.place_areas(drafts, placed)
    by_line = {row.line: (row, values) for row, values in new.values()}
    for line, reason in sorted(reasons.items()):
        job.reject(by_line[line][0], reason)

    inserts = {}
    for draft, path in ordered:
        inserts[draft.area_id] = {**by_line[draft.ref][1], "path": path}
        job.tally.accepted += 1

    updates: list[dict[str, Any]] = []
    current = {area_id: {c: known[c] for c in compared} for area_id, known in _as_dicts(stored).items()}
    for row, values in [pair for area_id, pair in first.items() if area_id in stored] + later:
        area_id = values["area_id"]
        if area_id in new and area_id not in inserts:
            job.reject(row, reasons.get(new[area_id][0].line, f"area {area_id} was rejected on an earlier line"))
            continue
        mine = inserts.get(area_id) or current[area_id]
        if all(mine[c] == values[c] for c in compared):
            job.tally.duplicates += 1
            continue
        job.tally.accepted += 1
        if area_id in inserts:
            inserts[area_id].update({c: values[c] for c in compared})
        else:
            change = {c: values[c] for c in compared}
            updates.append(change)
            current[area_id] = change
    write(job.session, Area, inserts.values(), updates)


def _as_dicts(stored: dict) -> dict[str, dict[str, Any]]:
    return {area_id: dict(row._mapping) for area_id, row in stored.items()}


def _moved(area_id: str, parent_id: str | None, level: Any) -> str:
    where = f"under {parent_id}" if parent_id else "a root"
    return f"area {area_id} is already stored as a {level} {where}; an import does not move or re-level areas"
