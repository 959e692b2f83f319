"""What the faces send and show of users and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.auth.rules import Language, Role

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,79}$"


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN, description="letters, digits, _ . @ -")
    role: Role
    # length and form are checked by the service, so the CLI and the API give the same one-line answer
    password: str = Field(max_length=1024)
    area_id: str | None = Field(default=None, max_length=64, description="root of the jurisdiction subtree")
    unit_id: str | None = Field(default=None, max_length=64, description="facility, enterprise, site or lab")
    language: Language | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    username: str
    role: Role
    area_id: str | None
    unit_id: str | None
    language: str | None
    active: bool
    created_at: datetime


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
