"""The header check every feed passes before a row is read: required columns and the person column."""

from __future__ import annotations

from collections.abc import Sequence

from ringfence.core.errors import RefusedFile
from ringfence.imports.schemas import PERSON_COLUMNS, FeedSpec


def check_header(spec: FeedSpec, header: Sequence[str], *, source: str) -> str | None:
    """The column that names people (None if the kind names nobody); RefusedFile naming what is missing.

    A person column that is also an ordinary column of the kind (arrivals' `phone`) may stand beside
    the one that names the person: then the earlier of person_id, id_number, phone names them.
    """
    present = set(header)
    for column in spec.required:
        if column not in present:
            raise RefusedFile(f"{source}: required column {column} is missing")
    if not spec.names_person:
        return None
    naming = [c for c in PERSON_COLUMNS if c in present]
    if not naming:
        if spec.person_optional:
            return None
        raise RefusedFile(f"{source}: required column person is missing (one of {', '.join(PERSON_COLUMNS)})")
    person_column, others = naming[0], naming[1:]
    ambiguous = [c for c in others if c not in spec.columns]
    if ambiguous:
        raise RefusedFile(
            f"{source}: people are named by both {person_column} and {ambiguous[0]}; keep exactly one of "
            f"{', '.join(PERSON_COLUMNS)}"
        )
    return person_column
