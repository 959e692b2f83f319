"""Co-investigation requests (协查) as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.coinvestigation.models import Direction, RequestStatus, SubjectKind
from ringfence.tasks.schemas import CommandInput


class RequestCreate(CommandInput):
    direction: Direction
    subject_kind: SubjectKind
    subject_ref: str = Field(min_length=1, max_length=120)
    counterpart: str = Field(min_length=1, max_length=200)
    area_id: str | None = Field(default=None, max_length=64)
    question: str = Field(min_length=1, max_length=2000)
    sent_at: datetime | None = None


class RequestAnswer(CommandInput):
    answer: str = Field(min_length=1, max_length=4000)


class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    request_id: int
    direction: Direction
    subject_kind: SubjectKind
    subject_ref: str
    counterpart: str
    area_id: str | None
    question: str
    sent_at: datetime
    sent_by: str
    ack_due: datetime
    answer_due: datetime
    status: RequestStatus
    acknowledged_at: datetime | None
    answered_at: datetime | None
    answer: str | None
    task_id: int | None
    missed: list[str] = Field(default_factory=list)


class RequestFilter(CommandInput):
    direction: Direction | None = None
    status: RequestStatus | None = None
    overdue: bool = False
