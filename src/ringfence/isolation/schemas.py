"""What the faces show of facilities, rooms, placements and occupancy, and what they accept."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ringfence.areas.schemas import id_field
from ringfence.isolation.rules import PlacementKind, PlacementStatus


class PlacementCreate(BaseModel):
    """A placement asked for by hand; dates left out come from the protocol."""

    person_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    kind: PlacementKind = PlacementKind.central
    facility_id: str | None = id_field("central isolation: this facility (default: any with a free room)")
    room_id: str | None = id_field("central isolation: this room of the facility (default: chosen by the rules)")
    start: date | None = Field(default=None, description="day 0 of the placement (default: today)")
    until: date | None = Field(default=None, description="the day it ends (default: from the protocol)")
    reason: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _room_needs_a_facility(self) -> PlacementCreate:
        if self.room_id is not None and self.facility_id is None:
            raise ValueError("a room is named within a facility: give facility_id too")
        if self.kind is PlacementKind.home and (self.facility_id or self.room_id):
            raise ValueError("home isolation takes no facility nor room")
        if self.start and self.until and self.until <= self.start:
            raise ValueError("until must be after start")
        return self


class PlacementFilter(BaseModel):
    status: PlacementStatus | None = None
    kind: PlacementKind | None = None
    facility_id: str | None = id_field()
    person_id: str | None = id_field()


class PlacementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    placement_id: int
    person_id: str
    household_id: str | None
    kind: PlacementKind
    status: PlacementStatus
    facility_id: str | None
    room_id: str | None
    home_building_id: str | None
    start: date
    until: date
    test_dates: list[date]
    reason: str | None
    due_at: datetime
    queued_at: datetime
    placed_at: datetime | None
    ended_at: datetime | None
    placed_by: str


class PlacementEnd(BaseModel):
    reason: str | None = Field(default=None, max_length=300)


class RoomRead(BaseModel):
    facility_id: str
    room_id: str
    capacity: int
    occupied: int


class FacilityRead(BaseModel):
    facility_id: str
    name: str
    kind: str
    building_id: str | None
    rooms: int
    beds: int
    occupied: int
    free_rooms: int
    waiting: int


class DayLoadRead(BaseModel):
    day: date
    beds: int
    demand: int
    occupied: int
    occupancy: float


class OccupancyRead(BaseModel):
    """Occupancy of one facility (or, with facility_id None, of all of them) now and ahead."""

    facility_id: str | None
    beds: int
    occupied: int
    waiting: int
    occupancy: float
    projection: list[DayLoadRead]
    alert_on: date | None = Field(description="first projected day above the protocol's alert share")


class WaitingRead(BaseModel):
    placement_id: int
    person_id: str
    household_id: str | None
    facility_id: str | None
    due_at: datetime
    until: date


class AlertRead(BaseModel):
    facility_id: str | None
    day: date
    occupancy: float
    threshold: float
    message: str


class IsolationStatus(BaseModel):
    as_of: date
    threshold: float
    facilities: list[OccupancyRead]
    total: OccupancyRead
    alerts: list[AlertRead]
    waiting: list[WaitingRead]
