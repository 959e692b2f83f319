"""The people feed: the person register, keyed by person_id and deduplicated by identity.

A person's identity is their ID number, else their phone (people/rules.py). Per row:
- a new person_id whose identity belongs to another person is a duplicate identity: rejected,
  naming the person it belongs to (merging two person ids is a deliberate act, not an import's);
- a new person_id otherwise is inserted; a stored one with equal values is a duplicate; with
  other values it is updated (the later row wins), unless the new identity is someone else's.
Blank sex and birth_date are read from a resident ID. Only columns the file has are compared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.imports import fields
from ringfence.imports.bulk import among
from ringfence.imports.job import Job
from ringfence.imports.reading import Cells
from ringfence.imports.registers import (
    BUILDING_REF,
    Parsed,
    check_references,
    parse_parsed,
    stored_rows,
    write,
)
from ringfence.people import rules
from ringfence.people.models import IdType, Person

Identity = tuple[str, str]


def parse_person(cells: Cells, settings: Settings) -> dict[str, Any]:
    id_type = rules.parse_id_type(fields.raw(cells, "id_type"))
    id_number, phone = fields.raw(cells, "id_number"), fields.raw(cells, "phone")
    try:
        id_number = rules.normalise_id_number(id_number, id_type) if id_number else None
    except InvalidInput as exc:
        raise InvalidInput(f"id_number: {exc}") from None
    if phone:
        phone = rules.normalise_phone(phone)
    elif id_number is None:
        raise InvalidInput("neither id_number nor phone: a person needs one of them to be told apart")
    sex = fields.raw(cells, "sex")
    sex = rules.parse_sex(sex) if sex else None
    birth_date = fields.day(cells, "birth_date")
    if id_type is IdType.resident_id and id_number is not None:
        sex = sex or rules.sex_of(id_number)
        birth_date = birth_date or rules.birth_date_of(id_number)
    return {
        "person_id": fields.text(cells, "person_id", max_length=64),
        "name": fields.text(cells, "name", max_length=120),
        "id_type": id_type if id_number else None,
        "id_number": id_number,
        "phone": phone,
        "sex": sex,
        "birth_date": birth_date,
        "building_id": fields.text(cells, "building_id", max_length=64, required=False),
        "household_id": fields.text(cells, "household_id", max_length=64, required=False),
        "workplace_id": fields.text(cells, "workplace_id", max_length=64, required=False),
        "key_group": fields.text(cells, "key_group", max_length=40, required=False),
    }


def identity_owners(job: Job, parsed: Parsed) -> dict[Identity, str]:
    """Who holds each identity the chunk names: ID numbers, and phones of people without one."""
    id_numbers = {v["id_number"] for _, v in parsed if v["id_number"]}
    phones = {v["phone"] for _, v in parsed if not v["id_number"]}
    owners: dict[Identity, str] = {}
    if id_numbers:
        query = select(Person.id_number, Person.person_id).where(among(job.session, Person.id_number, id_numbers))
        owners.update((("id_number", n), p) for n, p in (tuple(r) for r in job.session.execute(query)))
    if phones:
        query = (
            select(Person.phone, Person.person_id)
            .where(among(job.session, Person.phone, phones), Person.id_number.is_(None))
            .order_by(Person.person_id)
        )
        for phone, person_id in job.session.execute(query):
            owners.setdefault(("phone", phone), person_id)
    return owners


def import_people(job: Job) -> None:
    for chunk in job.chunks():
        parsed = check_references(job, parse_parsed(job, chunk, parse_person), (BUILDING_REF,))
        if parsed:
            _register(job, parsed)


def _register(job: Job, parsed: Parsed) -> None:
    compared = [c for c in parsed[0][1] if c == "id_type" or job.in_file(c)]
    at_id, at_phone = compared.index("id_number"), compared.index("phone")
    known = stored_rows(job.session, Person, ("person_id",), compared, {(v["person_id"],) for _, v in parsed})
    known = {key[0]: values for key, values in known.items()}
    owners = identity_owners(job, parsed)
    identity_of = {pid: rules.identity_of(v[at_id], v[at_phone]) for pid, v in known.items()}
    for pid, identity in identity_of.items():
        if identity is not None:
            owners.setdefault(identity, pid)

    inserts: dict[str, dict[str, Any]] = {}
    updates: list[dict[str, Any]] = []
    for row, values in parsed:
        pid = values["person_id"]
        identity = rules.identity_of(values["id_number"], values["phone"])
        owner = owners.get(identity)
        if owner is not None and owner != pid:
            kind, value = identity
            job.reject(row, f"duplicate identity: {kind} {rules.mask(value)} is already registered to person {owner}")
            continue
        seen = tuple(values[c] for c in compared)
        current = known.get(pid)
        if current == seen:
            job.tally.duplicates += 1
            continue
        job.tally.accepted += 1
        if current is None or pid in inserts:
            inserts[pid] = values
        else:
            updates.append(dict(zip(compared, seen, strict=True)))
        known[pid] = seen
        previous = identity_of.get(pid)
        if previous is not None and previous != identity and owners.get(previous) == pid:
            del owners[previous]
        owners[identity] = pid
        identity_of[pid] = identity
    write(job.session, Person, inserts.values(), updates)
