"""Tasks: every action the platform derives, with the four parties answerable for it and a deadline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class TaskKind(StrEnum):
    investigate_case = "investigate_case"
    place_contact = "place_contact"
    recall_pool = "recall_pool"
    door_knock = "door_knock"
    area_round = "area_round"
    arrival_followup = "arrival_followup"
    sentinel_followup = "sentinel_followup"
    deliver_supplies = "deliver_supplies"
    key_place_violation = "key_place_violation"
    help_ticket = "help_ticket"
    rectification = "rectification"
    co_investigation = "co_investigation"
    compliance_alert = "compliance_alert"
    routine_screening = "routine_screening"  # 常态筛: sample a key-group member overdue for their test


class TaskStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class Task(Base):
    __tablename__ = "tasks"
    # what generated a task (kind + source_key) is what makes generating it again a no-op
    __table_args__ = (UniqueConstraint("kind", "source_key"),)

    task_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[TaskKind] = mapped_column(Enum(TaskKind, native_enum=False, length=40), index=True)
    subject_id: Mapped[str] = mapped_column(String(120), index=True)
    # 属地: where the subject lives or stands, community level when known
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.area_id"), index=True)
    department: Mapped[str] = mapped_column(String(80))  # 部门
    unit: Mapped[str | None] = mapped_column(String(120))  # 单位
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)  # 个人
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=20), default=TaskStatus.open, index=True
    )
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    escalated_to: Mapped[str | None] = mapped_column(ForeignKey("areas.area_id"), index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    source_key: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(1000))
