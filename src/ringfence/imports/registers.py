"""Register feeds keyed by an id (buildings, venues, facilities, rooms, enterprises): upserted.

Per row, against the store and the rows before it in the same file: a new key is inserted; a
key whose stored values equal the row's is a duplicate; a key with other values is updated
(the later row wins). Only the columns the file has are compared and updated: an optional
column the file lacks leaves stored values alone. References must already be stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, null, select, update
from sqlalchemy.orm import Session

from ringfence.areas import rules as area_rules
from ringfence.areas.models import Area, AreaLevel, Building
from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.enterprises.models import Enterprise
from ringfence.imports import fields
from ringfence.imports.bulk import among, insert_rows
from ringfence.imports.job import Job
from ringfence.imports.reading import Cells, SourceRow
from ringfence.imports.schemas import FeedKind
from ringfence.isolation.models import Facility, Room
from ringfence.venues.models import Venue

Parsed = list[tuple[SourceRow, dict[str, Any]]]
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Reference:
    """A column naming a stored record; with `level`, the record must be an area of that level."""

    column: str
    target: Column
    label: str
    level: AreaLevel | None = None


@dataclass(frozen=True)
class Register:
    model: type
    key: tuple[str, ...]
    parse: Callable[[Cells, Settings], dict[str, Any]]
    references: tuple[Reference, ...] = ()


def parse_parsed(job: Job, chunk: Sequence[SourceRow], parse: Callable[[Cells, Settings], dict]) -> Parsed:
    """The chunk's rows turned into values; rows that fail go to the rejects file."""
    parsed: Parsed = []
    for row in chunk:
        if row.problem:
            job.reject(row, row.problem)
            continue
        try:
            parsed.append((row, parse(row.cells, job.settings)))
        except InvalidInput as exc:
            job.reject(row, str(exc))
    return parsed


def check_references(job: Job, parsed: Parsed, references: Sequence[Reference]) -> Parsed:
    """Rows whose references are all stored (of the right level); the others rejected with the reason."""
    for reference in references:
        # references found once are remembered for the rest of the file: a city's buildings are
        # thousands, its people millions, and re-reading rows our own FK checks have locked is slow
        found = job.found_references.setdefault(reference.label, {})
        wanted = {values[reference.column] for _, values in parsed if values.get(reference.column) is not None}
        unseen = wanted - found.keys()
        if unseen:
            level = Area.level if reference.level is not None else null()
            query = select(reference.target, level).where(among(job.session, reference.target, unseen))
            found.update((key, area_level) for key, area_level in job.session.execute(query))
        kept: Parsed = []
        for row, values in parsed:
            ref = values.get(reference.column)
            if ref is None:
                kept.append((row, values))
            elif ref not in found:
                job.reject(row, f"unknown {reference.label} {ref}")
            elif reference.level is not None and found[ref] != reference.level:
                job.reject(row, f"area {ref} is a {found[ref]}, not a {reference.level.value}")
            else:
                kept.append((row, values))
        parsed = kept
    return parsed


def stored_rows(
    session: Session, model: type, key: tuple[str, ...], columns: Sequence[str], keys: set[Key]
) -> dict[Key, tuple]:
    """Stored values of `columns` (as tuples) for the records with `keys`, looked up by the first key column."""
    table = model.__table__
    first = {k[0] for k in keys}
    if not first:
        return {}
    positions = [columns.index(c) for c in key]
    query = select(*(table.c[c] for c in columns)).where(among(session, table.c[key[0]], first))
    found = {}
    for record in session.execute(query):
        record_key = tuple(record[i] for i in positions)
        if record_key in keys:
            found[record_key] = tuple(record)
    return found


def upsert(job: Job, register: Register, parsed: Parsed) -> None:
    """Insert new keys, update changed ones, count identical ones as duplicates."""
    if not parsed:
        return
    compared = [c for c in parsed[0][1] if c in register.key or job.in_file(c)]
    keys = {tuple(values[c] for c in register.key) for _, values in parsed}
    known = stored_rows(job.session, register.model, register.key, compared, keys)
    inserts: dict[Key, dict[str, Any]] = {}
    updates: list[dict[str, Any]] = []
    for _row, values in parsed:
        key = tuple(values[c] for c in register.key)
        seen = tuple(values[c] for c in compared)
        current = known.get(key)
        if current == seen:
            job.tally.duplicates += 1
            continue
        job.tally.accepted += 1
        if current is None or key in inserts:
            inserts[key] = values
        else:
            updates.append(dict(zip(compared, seen, strict=True)))
        known[key] = seen
    write(job.session, register.model, inserts.values(), updates)


def write(session: Session, model: type, inserts: Iterable[dict], updates: list[dict]) -> None:
    """Updates first (in order), then the inserts in bulk: no ORM object per row."""
    if updates:
        session.execute(update(model), updates)
    insert_rows(session, model.__table__, list(inserts))


def import_register(job: Job, register: Register) -> None:
    for chunk in job.chunks():
        parsed = parse_parsed(job, chunk, register.parse)
        parsed = check_references(job, parsed, register.references)
        upsert(job, register, parsed)


# -- the kinds ---------------------------------------------------------------------------------


def parse_building(cells: Cells, settings: Settings) -> dict[str, Any]:
    values = {
        "building_id": fields.text(cells, "building_id", max_length=64),
        "community_id": fields.text(cells, "community_id", max_length=64),
        "address": fields.text(cells, "address", max_length=300),
        "lon": fields.number(cells, "lon"),
        "lat": fields.number(cells, "lat"),
    }
    area_rules.check_coordinates(values["lon"], values["lat"])
    return values


def parse_venue(cells: Cells, settings: Settings) -> dict[str, Any]:
    values = {
        "venue_id": fields.text(cells, "venue_id", max_length=64),
        "name": fields.text(cells, "name", max_length=200),
        "kind": fields.text(cells, "kind", max_length=40),
        "lon": fields.number(cells, "lon"),
        "lat": fields.number(cells, "lat"),
        "building_id": fields.text(cells, "building_id", max_length=64, required=False),
        "dwell_minutes": fields.positive_int(cells, "dwell_minutes", required=False),
    }
    area_rules.check_coordinates(values["lon"], values["lat"])
    return values


def parse_facility(cells: Cells, settings: Settings) -> dict[str, Any]:
    return {
        "facility_id": fields.text(cells, "facility_id", max_length=64),
        "name": fields.text(cells, "name", max_length=200),
        "kind": fields.text(cells, "kind", max_length=40),
        "building_id": fields.text(cells, "building_id", max_length=64, required=False),
    }


def parse_room(cells: Cells, settings: Settings) -> dict[str, Any]:
    return {
        "facility_id": fields.text(cells, "facility_id", max_length=64),
        "room_id": fields.text(cells, "room_id", max_length=64),
        "capacity": fields.positive_int(cells, "capacity"),
    }


def parse_enterprise(cells: Cells, settings: Settings) -> dict[str, Any]:
    return {
        "enterprise_id": fields.text(cells, "enterprise_id", max_length=64),
        "name": fields.text(cells, "name", max_length=200),
        "building_id": fields.text(cells, "building_id", max_length=64),
        "industry": fields.text(cells, "industry", max_length=80),
        "whitelisted": fields.boolean(cells, "whitelisted"),
        "closed_loop": fields.boolean(cells, "closed_loop"),
    }


BUILDING_REF = Reference("building_id", Building.building_id, "building")

REGISTERS: dict[FeedKind, Register] = {
    FeedKind.buildings: Register(
        Building, ("building_id",), parse_building,
        (Reference("community_id", Area.area_id, "community", level=AreaLevel.community),),
    ),
    FeedKind.venues: Register(Venue, ("venue_id",), parse_venue, (BUILDING_REF,)),
    FeedKind.facilities: Register(Facility, ("facility_id",), parse_facility, (BUILDING_REF,)),
    FeedKind.rooms: Register(
        Room, ("facility_id", "room_id"), parse_room,
        (Reference("facility_id", Facility.facility_id, "facility"),),
    ),
    FeedKind.enterprises: Register(Enterprise, ("enterprise_id",), parse_enterprise, (BUILDING_REF,)),
}
