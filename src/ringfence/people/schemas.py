"""What the faces show of the person register: identifiers masked unless the role needs them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ringfence.areas.schemas import ID_PATTERN, id_field
from ringfence.auth import rules
from ringfence.people.models import IdType, Person, Sex


class PersonFilter(BaseModel):
    building_id: str | None = id_field()
    household_id: str | None = id_field()
    key_group: str | None = Field(default=None, min_length=1, max_length=40, pattern=ID_PATTERN)
    area_id: str | None = id_field("only people living in this subtree")


class PersonRead(BaseModel):
    person_id: str
    name: str | None
    id_type: IdType | None
    id_number: str | None = Field(description="masked (4101**********1234) unless the role needs it")
    phone: str | None = Field(description="masked (138****1234) unless the role needs it")
    sex: Sex | None
    birth_date: date | None
    building_id: str | None
    household_id: str | None
    workplace_id: str | None
    key_group: str | None

    @classmethod
    def shown_to(cls, person: Person, scope: rules.Scope) -> PersonRead:
        """The record as the caller may see it."""
        unmasked = scope.can(rules.Permission.PERSON_READ_IDENTIFIERS)
        return cls(
            person_id=person.person_id,
            name=person.name,
            id_type=person.id_type,
            id_number=person.id_number if unmasked else rules.mask_id_number(person.id_number),
            phone=person.phone if unmasked else rules.mask_phone(person.phone),
            sex=person.sex,
            birth_date=person.birth_date,
            building_id=person.building_id,
            household_id=person.household_id,
            workplace_id=person.workplace_id,
            key_group=person.key_group,
        )


class PersonCreate(BaseModel):
    person_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str | None = Field(default=None, max_length=120)
    id_type: IdType | None = None
    id_number: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=32)
    sex: Sex | None = None
    birth_date: date | None = None
    building_id: str | None = id_field()
    household_id: str | None = id_field()
    workplace_id: str | None = id_field()
    key_group: str | None = Field(default=None, max_length=40)


class PersonUpdate(BaseModel):
    """Only the fields given change."""

    name: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=32)
    building_id: str | None = id_field()
    household_id: str | None = id_field()
    workplace_id: str | None = id_field()
    key_group: str | None = Field(default=None, max_length=40)
