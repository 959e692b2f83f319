"""Co-investigation requests (协查): a question about a person or case sent across jurisdictions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class Direction(StrEnum):
    outgoing = "outgoing"  # we ask another jurisdiction
    incoming = "incoming"  # another jurisdiction asks us: a task for our side


class SubjectKind(StrEnum):
    person = "person"
    case = "case"


class RequestStatus(StrEnum):
    sent = "sent"
    acknowledged = "acknowledged"
    answered = "answered"
    withdrawn = "withdrawn"


class CoInvestigation(Base):
    __tablename__ = "co_investigations"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    direction: Mapped[Direction] = mapped_column(Enum(Direction, native_enum=False, length=10), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(Enum(SubjectKind, native_enum=False, length=10))
    subject_ref: Mapped[str] = mapped_column(String(120), index=True)  # person id, case id, or the other side's ref
    counterpart: Mapped[str] = mapped_column(String(200))  # the other jurisdiction
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.area_id"), index=True)  # our side
    question: Mapped[str] = mapped_column(String(2000))
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(120))
    ack_due: Mapped[datetime]
    answer_due: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[RequestStatus] = mapped_column(
        Enum(RequestStatus, native_enum=False, length=20), default=RequestStatus.sent, index=True
    )
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(4000))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.task_id"))
