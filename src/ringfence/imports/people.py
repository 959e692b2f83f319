"""The people feed: the person register, keyed by person_id and deduplicated by identity.

A person's identity is their ID number, else their phone (people/rules.py). Per row:
- a new person_id whose identity belongs to another person is a duplicate identity: rejected,
  naming the person it belongs to (merging two person ids is a deliberate act, not an import's);
- a new person_id otherwise is inserted; a stored one with equal values is a duplicate; with
  other values it is updated (the later row wins), unless the new identity is someone else's.
Blank sex and birth_date are read from a resident ID. Only columns the file has are compared.

Rows are read in chunks of `CHUNK_ROWS` and parsed a column at a time (`people_columns`; rows of
unusual shape by `parse_person`). A row whose person_id and identity appear once in its chunk, whose
identity no other stored person holds, and whose stored identity (if any) it keeps, depends on no
other row: such rows are inserted, updated or counted in bulk. The others go through the per-row
rules in file order (`_register`), as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from ringfence.config import Settings
from ringfence.core.errors import InvalidInput
from ringfence.imports import fields
from ringfence.imports.bulk import among, collector_paused
from ringfence.imports.job import Job
from ringfence.imports.people_columns import parse_columns
from ringfence.imports.reading import Cells, SourceRow
from ringfence.imports.registers import BUILDING_REF, Parsed, check_references, stored_rows, write
from ringfence.people import rules
from ringfence.people.models import IdType, Person

Identity = tuple[str, str]
CHUNK_ROWS = 20_000  # rows parsed and registered together; bounds every IN (…) list


def parse_person(cells: Cells, settings: Settings) -> dict[str, Any]:
    id_type = rules.parse_id_type(fields.raw(cells, "id_type"))
    id_number, phone = fields.raw(cells, "id_number"), fields.raw(cells, "phone")
    try:
        id_number = rules.normalise_id_number(id_number, id_type) if id_number else None
    except InvalidInput as exc:
        raise InvalidInput(f"id_number: {exc}") from None
    except UnicodeEncodeError:  # digits of another script pass the shape, not the check digit's arithmetic
        raise InvalidInput("id_number: a resident ID number has 17 digits and a check digit (0-9 or X)") from None
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
    with collector_paused():
        for chunk in _chunks(job):
            parsed = check_references(job, _parsed(job, chunk), (BUILDING_REF,))
            if parsed:
                _register_in_bulk(job, parsed)


def _chunks(job: Job) -> Iterator[list[SourceRow]]:
    """Like `job.chunks()`, in chunks of this module's size."""
    for chunk in job.reader.chunks(CHUNK_ROWS):
        job.tally.rows += len(chunk)
        yield chunk
        job.on_progress(job.reader.done)


def _parsed(job: Job, chunk: Sequence[SourceRow]) -> Parsed:
    """The chunk's rows as values, in order; rows that cannot be split or parsed go to the rejects file."""
    whole = [row for row in chunk if not row.problem]
    columnwise = iter(parse_columns(whole, job.reader.header))
    parsed: Parsed = []
    for row in chunk:
        if row.problem:
            job.reject(row, row.problem)
            continue
        values = next(columnwise)
        if values is None:
            try:
                values = parse_person(row.cells, job.settings)
            except InvalidInput as exc:
                job.reject(row, str(exc))
                continue
        parsed.append((row, values))
    return parsed


def _register_in_bulk(job: Job, parsed: Parsed) -> None:
    """Insert, update or count the rows that depend on no other row; the rest row by row (`_register`)."""
    compared = [c for c in parsed[0][1] if c == "id_type" or job.in_file(c)]
    at_id, at_phone = compared.index("id_number"), compared.index("phone")
    person_ids = [values["person_id"] for _, values in parsed]
    identities = [rules.identity_of(values["id_number"], values["phone"]) for _, values in parsed]
    known = stored_rows(job.session, Person, ("person_id",), compared, {(pid,) for pid in person_ids})
    known = {key[0]: values for key, values in known.items()}
    owners = identity_owners(job, parsed)
    identity_of = {pid: rules.identity_of(v[at_id], v[at_phone]) for pid, v in known.items()}
    for pid, identity in identity_of.items():
        if identity is not None:
            owners.setdefault(identity, pid)
    pid_count, identity_count = Counter(person_ids), Counter(identities)

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    entangled: Parsed = []
    for (row, values), pid, identity in zip(parsed, person_ids, identities, strict=True):
        current = known.get(pid)
        alone = pid_count[pid] == 1 and identity_count[identity] == 1 and owners.get(identity, pid) == pid
        if not alone or (current is not None and identity_of[pid] != identity):
            entangled.append((row, values))
            continue
        if current is None:
            inserts.append(values)
            job.tally.accepted += 1
            continue
        seen = tuple(values[c] for c in compared)
        if current == seen:
            job.tally.duplicates += 1
        else:
            updates.append(dict(zip(compared, seen, strict=True)))
            job.tally.accepted += 1
    inserts.sort(key=lambda values: values["person_id"])  # primary-key order: each index page is filled once
    write(job.session, Person, inserts, updates)
    if entangled:
        _register(job, entangled)


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
