"""A batch's contacts are kept column-wise: each person once per case in the strongest category, secondary
contacts linked through the close contact exposed last (DESIGN.md section 3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.eventlog import people_index
from ringfence.eventlog.kinds import UTC_TIME
from ringfence.tracing import exposures
from ringfence.tracing.rules import Contact, ContactCategory, ExposureVia


def at(hour: int) -> datetime:
    return datetime(2022, 10, 10, hour, tzinfo=UTC)


def rows(category: ContactCategory, via: ExposureVia, found: list[tuple]) -> pa.Table:
    """(case, person, last exposure[, through | venue, overlap seconds]) rows of one route."""
    column = lambda i: pa.array([r[i] if len(r) > i else None for r in found], pa.string())
    return exposures._contacts(
        column(0), column(1), category, via, last_exposure=pa.array([r[2] for r in found], UTC_TIME),
        through=column(3) if category is ContactCategory.secondary else None,
        venue_id=column(3) if via is ExposureVia.venue else None,
        overlap_seconds=pa.array([r[4] for r in found], pa.float64()) if via is not ExposureVia.household else None,
    )


def strongest(*parts: pa.Table) -> exposures.BatchTrace:
    trace = exposures.BatchTrace()
    trace.contacts, trace.spans = exposures._strongest(pa.concat_tables(parts))
    return trace


def test_a_person_met_at_home_at_a_venue_and_in_the_grid_is_listed_once_close_via_household() -> None:
    trace = strongest(
        rows(ContactCategory.close, ExposureVia.venue, [("P1", "P2", at(12), "V1", 1800.0), ("P1", "P4", at(8), "V1", 959.0)]),
        rows(ContactCategory.close, ExposureVia.household, [("P1", "P2", at(9)), ("P1", "P1", at(9))]),
        rows(ContactCategory.secondary, ExposureVia.household, [("P1", "P3", at(12), "P2")]),
        rows(ContactCategory.companion, ExposureVia.grid, [("P1", "P3", at(10), None, 600.0), ("P7", "P3", at(10), None, 601.0)]),
    )

    assert trace.contacts_of("P1") == [
        Contact("P2", ContactCategory.close, ExposureVia.household, last_exposure=at(9)),
        Contact("P4", ContactCategory.close, ExposureVia.venue, venue_id="V1", last_exposure=at(8), overlap_minutes=15),
        Contact("P3", ContactCategory.secondary, ExposureVia.household, through="P2", last_exposure=at(12)),
    ]  # the case is never its own contact; 959 s is 15 whole minutes
    assert trace.contacts_of("P7") == [
        Contact("P3", ContactCategory.companion, ExposureVia.grid, last_exposure=at(10), overlap_minutes=10)]
    assert trace.spans == {"P1": (0, 3), "P7": (3, 1)} and trace.contacts_of("P9") == []


def test_secondary_contacts_are_the_household_of_each_close_contact_through_the_one_exposed_last(tmp_path) -> None:
    snapshot = tmp_path / "people.parquet"
    pq.write_table(pa.table({"person_id": ["P2", "P3", "P4", "P5", "P6"], "household_id": ["H2", "H3", "H2", "H2", None],
                             "phone": pa.nulls(5, pa.string())}), snapshot)
    index = people_index.open_index(snapshot)
    close = rows(ContactCategory.close, ExposureVia.venue,
                 [("P1", "P2", at(12), "V1", 900.0), ("P1", "P5", at(12), "V1", 900.0), ("P1", "P6", at(13), "V1", 900.0),
                  ("P8", "P4", at(11), "V1", 900.0)])

    trace = strongest(close, exposures._secondary_contacts(index, close))

    # P4 is in the household of P2 and of P5, exposed as late: linked through the smaller id; P6 has no household
    assert [(c.person_id, c.category, c.through, c.last_exposure) for c in trace.contacts_of("P1")] == [
        ("P2", ContactCategory.close, None, at(12)), ("P5", ContactCategory.close, None, at(12)),
        ("P6", ContactCategory.close, None, at(13)), ("P4", ContactCategory.secondary, "P2", at(12)),
    ]
    assert [(c.person_id, c.category, c.through) for c in trace.contacts_of("P8")] == [
        ("P4", ContactCategory.close, None), ("P2", ContactCategory.secondary, "P4"),
        ("P5", ContactCategory.secondary, "P4"),
    ]
