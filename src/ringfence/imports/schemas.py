"""The feed contract (DESIGN.md section 4): columns of every kind, and where its rows go."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer


class FeedKind(StrEnum):
    areas = "areas"
    buildings = "buildings"
    people = "people"
    venues = "venues"
    scans = "scans"
    locations = "locations"
    cases = "cases"
    samples = "samples"
    tube_results = "tube-results"
    arrivals = "arrivals"
    sentinel = "sentinel"
    facilities = "facilities"
    rooms = "rooms"
    enterprises = "enterprises"


class Destination(StrEnum):
    relational = "relational"
    event_log = "event_log"


PERSON_COLUMNS = ("person_id", "id_number", "phone")  # a feed names people by exactly one of these


@dataclass(frozen=True)
class FeedSpec:
    kind: FeedKind
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    destination: Destination = Destination.relational
    names_person: bool = False  # the `person` placeholder: one of PERSON_COLUMNS
    person_optional: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FEEDS: dict[FeedKind, FeedSpec] = {
    spec.kind: spec
    for spec in [
        FeedSpec(FeedKind.areas, ("area_id", "parent_id", "level", "name"), ("geometry",)),
        FeedSpec(FeedKind.buildings, ("building_id", "community_id", "address", "lon", "lat")),
        FeedSpec(
            FeedKind.people,
            ("person_id", "name", "id_number", "phone", "sex", "birth_date", "building_id"),
            ("household_id", "workplace_id", "key_group", "id_type"),
        ),
        FeedSpec(FeedKind.venues, ("venue_id", "name", "kind", "lon", "lat"), ("building_id", "dwell_minutes")),
        FeedSpec(
            FeedKind.scans, ("venue_id", "scanned_at"), ("left_at",),
            destination=Destination.event_log, names_person=True,
        ),
        FeedSpec(
            FeedKind.locations, ("phone", "lon", "lat", "start_at", "end_at"), destination=Destination.event_log
        ),
        FeedSpec(
            FeedKind.cases, ("classification", "confirmed_at"), ("onset_at", "sampled_at", "found_via"),
            names_person=True,
        ),
        FeedSpec(
            FeedKind.samples, ("sample_id", "tube_id", "collected_at"), ("site_id", "round_id"),
            destination=Destination.event_log, names_person=True,
        ),
        FeedSpec(
            FeedKind.tube_results, ("tube_id", "result", "reported_at"), ("lab_id", "ct"),
            destination=Destination.event_log,
        ),
        FeedSpec(
            FeedKind.arrivals, ("origin", "origin_risk", "arrive_at", "building_id"),
            ("name", "phone", "mode", "reported_at"), names_person=True,
        ),
        FeedSpec(
            FeedKind.sentinel, ("site_id", "site_kind", "occurred_at", "category"), ("count",),
            destination=Destination.event_log, names_person=True, person_optional=True,
        ),
        FeedSpec(FeedKind.facilities, ("facility_id", "name", "kind"), ("building_id",)),
        FeedSpec(FeedKind.rooms, ("facility_id", "room_id", "capacity")),
        FeedSpec(
            FeedKind.enterprises, ("enterprise_id", "name", "building_id", "industry"),
            ("whitelisted", "closed_loop"),
        ),
    ]
}


# Flags a lab kind counts beside the contract's counts; each kind's result carries only its own.
SCREENING_FLAGS: dict[FeedKind, str] = {FeedKind.samples: "pending_tube", FeedKind.tube_results: "conflicting"}


class ImportResult(BaseModel):
    """What `ringfence import` prints with --json (DESIGN.md section 5), plus the kind's screening flag.

    `pending_tube` (samples: valid rows whose tube has no result yet) and `conflicting` (tube results:
    valid rows contradicting another result of their tube, kept and flagged) appear only for their kind.
    """

    kind: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    rejects_path: str | None
    pending_tube: int | None = None
    conflicting: int | None = None

    @model_serializer(mode="wrap")
    def _without_other_kinds_flags(self, handler: SerializerFunctionWrapHandler) -> dict:
        document = handler(self)
        for flag in ("pending_tube", "conflicting"):
            if document.get(flag) is None:
                document.pop(flag, None)
        return document

    def summary(self) -> str:
        """One sentence of the counts, as the CLI prints it without --json."""
        sentence = (
            f"{self.kind}: {self.rows} rows, {self.accepted} accepted, {self.rejected} rejected, "
            f"{self.duplicates} duplicates"
        )
        if self.pending_tube is not None:
            sentence += f", {self.pending_tube} pending tube (no result yet)"
        if self.conflicting is not None:
            sentence += f", {self.conflicting} conflicting"
        return sentence + (f"; rejects in {self.rejects_path}" if self.rejects_path else "")
