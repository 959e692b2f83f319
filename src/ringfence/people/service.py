"""The person register, scoped to the caller's jurisdiction; every read and write is audited.

A person is inside a jurisdiction when their building's community lies in its subtree; people
with no building are visible to city-wide roles only. Records outside are NotFound, never Forbidden.
"""

from __future__ import annotations

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from ringfence.areas import service as areas_service
from ringfence.areas.models import Area, Building
from ringfence.auth.rules import Scope
from ringfence.core import audit
from ringfence.core.errors import Conflict, NotFound
from ringfence.people.models import Person
from ringfence.people.schemas import PersonCreate, PersonFilter, PersonUpdate


def _in_scope(query: Select, scope: Scope) -> Select:
    if scope.everywhere:
        return query
    return (
        query.join(Building, Building.building_id == Person.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(Area.path.startswith(scope.subtree, autoescape=True))
    )


def _filtered(query: Select, *, session: Session, scope: Scope, filters: PersonFilter) -> Select:
    if filters.building_id is not None:
        query = query.where(Person.building_id == filters.building_id)
    if filters.household_id is not None:
        query = query.where(Person.household_id == filters.household_id)
    if filters.key_group is not None:
        query = query.where(Person.key_group == filters.key_group)
    if filters.area_id is not None:
        root = areas_service.find(session=session, scope=scope, area_id=filters.area_id)
        if root is None:  # an area the caller cannot see holds nobody they may see
            return query.where(false())
        community = select(Building.building_id).join(Area, Area.area_id == Building.community_id)
        community = community.where(Area.path.startswith(root.path, autoescape=True))
        query = query.where(Person.building_id.in_(community))
    return query


def _visible(*, session: Session, scope: Scope, person_id: str) -> Person | None:
    return session.scalar(_in_scope(select(Person), scope).where(Person.person_id == person_id))


def get(*, session: Session, scope: Scope, person_id: str) -> Person:
    """The person's record, if inside the caller's jurisdiction (NotFound otherwise); audited."""
    person = _visible(session=session, scope=scope, person_id=person_id)
    if person is None:
        raise NotFound(f"no person {person_id!r}")
    audit.record(session, user=scope.actor, action="person.read", subject=f"person:{person_id}", origin=scope.origin)
    return person


def get_all(
    *, session: Session, scope: Scope, filters: PersonFilter, page: int = 1, size: int = 50
) -> tuple[list[Person], int]:
    """One page of the people in the caller's jurisdiction matching `filters`, and the total.

    Each person shown gets an audit entry `person.list`, so "who saw this person" has an answer.
    """
    base = _filtered(_in_scope(select(Person), scope), session=session, scope=scope, filters=filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    people = list(session.scalars(base.order_by(Person.person_id).offset((page - 1) * size).limit(size)))
    query_text = ", ".join(f"{k}={v}" for k, v in filters.model_dump(exclude_none=True).items())
    for person in people:
        audit.record(
            session, user=scope.actor, action="person.list", subject=f"person:{person.person_id}",
            origin=scope.origin, detail=f"page={page} size={size}" + (f" {query_text}" if query_text else ""),
        )
    return people, total


def _check_building(*, session: Session, scope: Scope, building_id: str | None) -> None:
    if building_id is None:
        if not scope.everywhere:
            raise NotFound("a person outside every building is outside your jurisdiction")
        return
    areas_service.get_building(session=session, scope=scope, building_id=building_id)


def create(*, session: Session, scope: Scope, person_in: PersonCreate) -> Person:
    """A new person living in a building inside the caller's jurisdiction; audited."""
    _check_building(session=session, scope=scope, building_id=person_in.building_id)
    if session.get(Person, person_in.person_id) is not None:
        raise Conflict(f"person {person_in.person_id!r} already exists")
    if person_in.id_number and session.scalar(select(Person).where(Person.id_number == person_in.id_number)):
        raise Conflict("a person with this ID number already exists")
    person = Person(**person_in.model_dump())
    session.add(person)
    session.flush()
    audit.record(
        session, user=scope.actor, action="person.create", subject=f"person:{person.person_id}", origin=scope.origin
    )
    return person


def update(*, session: Session, scope: Scope, person_id: str, person_in: PersonUpdate) -> Person:
    """Change the given fields of a person in the caller's jurisdiction (a move must stay inside it)."""
    person = _visible(session=session, scope=scope, person_id=person_id)
    if person is None:
        raise NotFound(f"no person {person_id!r}")
    changes = person_in.model_dump(exclude_unset=True)
    if "building_id" in changes:
        _check_building(session=session, scope=scope, building_id=changes["building_id"])
    for field, value in changes.items():
        setattr(person, field, value)
    audit.record(
        session, user=scope.actor, action="person.update", subject=f"person:{person_id}", origin=scope.origin,
        detail="fields: " + ", ".join(sorted(changes)),
    )
    return person
