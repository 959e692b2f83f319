"""What the faces show of the administrative tree and its buildings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ringfence.areas.models import AreaLevel

# ids come from the feeds as they are; control characters (NUL above all) are never part of one
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"


def id_field(description: str | None = None):
    return Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN, description=description)


class AreaFilter(BaseModel):
    level: AreaLevel | None = None
    parent_id: str | None = id_field()


class AreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    area_id: str
    parent_id: str | None
    level: AreaLevel
    name: str
    path: str


class BuildingFilter(BaseModel):
    community_id: str | None = id_field()
    area_id: str | None = id_field("only buildings in this subtree")


class BuildingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    building_id: str
    community_id: str
    address: str
    lon: float
    lat: float
