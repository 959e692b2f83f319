"""Finding (or first registering) the person a cases/arrivals row names in its `person` column.

- by person_id: the person must be registered, else the row is rejected;
- by id_number: matched to the registered person; an unknown number must be a valid resident
  ID, and then the person is registered with a person id derived from it (stable on re-import),
  sex and birth date read from it;
- by phone: matched to the one person with that phone (several: ambiguous, rejected); unknown:
  registered with a person id derived from the phone.
People are only registered for rows that are otherwise accepted (`adopt`), before the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.core.errors import InvalidInput
from ringfence.imports.bulk import among, insert_rows
from ringfence.people import rules
from ringfence.people.models import IdType, Person


@dataclass(frozen=True)
class PersonRef:
    person_id: str
    new_person: dict[str, Any] | None = None  # the register row to add when the row is accepted


class PersonFinder:
    """Resolves one chunk's person names at a time, remembering people registered on the way."""

    def __init__(self, session: Session, column: str) -> None:
        self.session = session
        self.column = column
        self._matches: dict[str, list[str]] = {}
        self._taken_derived: set[str] = set()
        self._pending: dict[str, dict[str, Any]] = {}
        self.created = 0

    def normalise(self, text: str) -> str:
        """The name as it is stored; InvalidInput when it cannot be one (a malformed phone)."""
        if self.column == "phone":
            return rules.normalise_phone(text)
        value = text.strip()
        if self.column == "id_number":
            value = "".join(value.split()).upper()
        if len(value) > 64:
            raise InvalidInput(f"{self.column} is longer than 64 characters")
        return value

    def look_up(self, names: Iterable[str]) -> None:
        """Load the stored matches of a chunk's (normalised) names in one query per kind."""
        wanted = set(names) - set(self._matches)
        if not wanted:
            return
        column = getattr(Person, self.column)
        matches: dict[str, list[str]] = defaultdict(list)
        query = select(column, Person.person_id).where(among(self.session, column, wanted)).order_by(Person.person_id)
        for name, person_id in self.session.execute(query):
            matches[name].append(person_id)
        for name in wanted:
            self._matches[name] = matches.get(name, [])
        if self.column != "person_id":
            derived = {rules.derived_person_id(n): n for n in wanted if not matches.get(n)}
            if derived:
                query = select(Person.person_id).where(among(self.session, Person.person_id, derived))
                self._taken_derived.update(self.session.scalars(query))

    def resolve(self, name: str, details: dict[str, Any]) -> PersonRef:
        """The person `name` (normalised, looked up) refers to; `details` (name, phone, building_id) fill a new one."""
        found = self._matches[name]
        if len(found) == 1:
            return PersonRef(found[0])
        if len(found) > 1:
            raise InvalidInput(
                f"{self.column} {rules.mask(name)} belongs to {len(found)} people; name the person by person_id"
            )
        if self.column == "person_id":
            raise InvalidInput(f"unknown person_id {name}")
        person_id = rules.derived_person_id(name)
        if person_id in self._pending:
            return PersonRef(person_id)
        if person_id in self._taken_derived:
            raise InvalidInput(f"person id {person_id} derived from this {self.column} belongs to someone else")
        return PersonRef(person_id, self._new_person(person_id, name, details))

    def _new_person(self, person_id: str, name: str, details: dict[str, Any]) -> dict[str, Any]:
        person = {
            "person_id": person_id, "name": details.get("name"), "id_type": None, "id_number": None,
            "phone": details.get("phone"), "sex": None, "birth_date": None,
            "building_id": details.get("building_id"), "household_id": None, "workplace_id": None,
            "key_group": None,
        }
        if self.column == "phone":
            person["phone"] = name
            return person
        try:
            number = rules.check_resident_id(name)
        except InvalidInput as exc:
            raise InvalidInput(f"unknown id_number, and not a valid resident ID: {exc}") from None
        except UnicodeEncodeError:  # digits of another script pass the shape, not the check digit's arithmetic
            raise InvalidInput(
                "unknown id_number, and not a valid resident ID: a resident ID number has 17 digits and a check "
                "digit (0-9 or X)"
            ) from None
        person.update(
            id_type=IdType.resident_id, id_number=number, sex=rules.sex_of(number), birth_date=rules.birth_date_of(number)
        )
        return person

    def adopt(self, ref: PersonRef) -> None:
        """The row naming `ref` is accepted: register its new person (once)."""
        if ref.new_person is not None and ref.person_id not in self._pending:
            self._pending[ref.person_id] = ref.new_person
            self._matches[self._key_of(ref.new_person)] = [ref.person_id]

    def _key_of(self, person: dict[str, Any]) -> str:
        return person["phone"] if self.column == "phone" else person["id_number"]

    def flush(self) -> None:
        """Write the people registered since the last flush (before the rows that name them)."""
        if self._pending:
            insert_rows(self.session, Person.__table__, list(self._pending.values()))
            self.created += len(self._pending)
            self._pending.clear()

    def forget(self) -> None:
        """Drop cached matches between chunks so memory stays bounded on big feeds."""
        self._matches.clear()
        self._taken_derived.clear()
