"""What the faces show of venues (场所码)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ringfence.areas.schemas import ID_PATTERN, id_field


class VenueFilter(BaseModel):
    kind: str | None = Field(default=None, min_length=1, max_length=40, pattern=ID_PATTERN)
    building_id: str | None = id_field()


class VenueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    venue_id: str
    name: str
    kind: str
    lon: float
    lat: float
    building_id: str | None
    dwell_minutes: int | None
