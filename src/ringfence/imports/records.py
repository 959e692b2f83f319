"""Cases and arrivals: records about a person, never silently overwritten by a feed.

A case is keyed by its person (one case per person), an arrival by (person, arrive_at). A row
equal to the stored record (on the columns the file has) is a duplicate; a row with the same
key and other values is a conflict: rejected with the field that differs, because a case's
reclassification or an arrival's correction is a decision made through its service, with its
own timeline entry, not a side effect of re-sending a file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ringfence.cases.models import Case, Classification, FoundVia
from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.imports import fields
from ringfence.imports.bulk import among, insert_rows
from ringfence.imports.job import Job
from ringfence.imports.person_refs import PersonFinder
from ringfence.imports.reading import Cells
from ringfence.imports.registers import BUILDING_REF, Parsed, check_references, parse_parsed
from ringfence.people import rules as people_rules
from ringfence.testing.models import Arrival, OriginRisk


def parse_case(cells: Cells, settings: Settings) -> dict[str, Any]:
    tz = settings.tz
    values = {
        "classification": fields.choice(cells, "classification", Classification),
        "confirmed_at": fields.moment(cells, "confirmed_at", tz),
        "onset_at": fields.moment(cells, "onset_at", tz, required=False),
        "sampled_at": fields.moment(cells, "sampled_at", tz, required=False),
        "found_via": fields.choice(cells, "found_via", FoundVia, default=FoundVia.other),
    }
    # the confirming sample is taken before the confirmation; symptoms may start after it
    if values["sampled_at"] is not None and values["sampled_at"] > values["confirmed_at"]:
        raise InvalidInput("sampled_at is after confirmed_at: a case is confirmed on an earlier sample")
    return values


def parse_arrival(cells: Cells, settings: Settings) -> dict[str, Any]:
    tz = settings.tz
    phone = fields.raw(cells, "phone")
    return {
        "origin": fields.text(cells, "origin", max_length=120),
        "origin_risk": fields.choice(cells, "origin_risk", OriginRisk),
        "arrive_at": fields.moment(cells, "arrive_at", tz),
        "mode": fields.text(cells, "mode", max_length=40, required=False),
        "reported_at": fields.moment(cells, "reported_at", tz, required=False),
        "building_id": fields.text(cells, "building_id", max_length=64),
        "name": fields.text(cells, "name", max_length=120, required=False),
        "phone": people_rules.normalise_phone(phone) if phone else None,
    }


def import_cases(job: Job) -> None:
    _import_records(job, Case, ("person_id",), parse_case, "case", person_details=())


def import_arrivals(job: Job) -> None:
    _import_records(
        job, Arrival, ("person_id", "arrive_at"), parse_arrival, "arrival",
        person_details=("name", "phone", "building_id"),
    )


def _import_records(
    job: Job,
    model: type,
    key: tuple[str, ...],
    parse: Callable[[Cells, Settings], dict[str, Any]],
    label: str,
    person_details: tuple[str, ...],
) -> None:
    finder = PersonFinder(job.session, job.person_column or "person_id")
    table = model.__table__
    for chunk in job.chunks():
        parsed = _with_person_name(job, parse_parsed(job, chunk, parse), finder)
        if model is Arrival:
            parsed = check_references(job, parsed, (BUILDING_REF,))
        finder.look_up(values["person"] for _, values in parsed)
        resolved: Parsed = []
        for row, values in parsed:
            try:
                ref = finder.resolve(values["person"], {d: values.get(d) for d in person_details})
            except InvalidInput as exc:
                job.reject(row, str(exc))
                continue
            resolved.append((row, {**values, "person_id": ref.person_id, "_ref": ref}))
        if not resolved:
            finder.forget()
            continue

        columns = [c.name for c in table.columns if c.name in resolved[0][1]]
        compared = [c for c in columns if c in key or job.in_file(c)]
        stored = _stored(job, model, key, compared, {v["person_id"] for _, v in resolved})
        inserts: dict[tuple, dict[str, Any]] = {}
        for row, values in resolved:
            record_key = tuple(values[c] for c in key)
            current = inserts.get(record_key) or stored.get(record_key)
            if current is not None:
                differing = next((c for c in compared if current[c] != values[c]), None)
                if differing is None:
                    job.tally.duplicates += 1
                else:
                    job.reject(row, _conflict(label, values["person_id"], differing, current[differing]))
                continue
            finder.adopt(values["_ref"])
            inserts[record_key] = {c: values[c] for c in columns}
            job.tally.accepted += 1
        finder.flush()
        insert_rows(job.session, table, list(inserts.values()))
        finder.forget()
    job.tally.people_created += finder.created


def _with_person_name(job: Job, parsed: Parsed, finder: PersonFinder) -> Parsed:
    kept: Parsed = []
    for row, values in parsed:
        text = fields.raw(row.cells, finder.column)
        if text is None:
            job.reject(row, f"{finder.column} is empty: the row names no person")
            continue
        try:
            kept.append((row, {**values, "person": finder.normalise(text)}))
        except InvalidInput as exc:
            job.reject(row, str(exc))
    return kept


def _stored(job: Job, model: type, key: tuple[str, ...], compared: list[str], people: set[str]) -> dict:
    table = model.__table__
    query = select(*(table.c[c] for c in compared)).where(among(job.session, table.c.person_id, people))
    return {tuple(r[c] for c in key): dict(r) for r in job.session.execute(query).mappings()}


def _conflict(label: str, person_id: str, column: str, stored: Any) -> str:
    shown = stored.isoformat() if isinstance(stored, datetime) else stored
    return (
        f"conflicts with the {label} already recorded for person {person_id}: {column} differs "
        f"(stored {shown}); change it through the {label}s service, not by re-import"
    )
