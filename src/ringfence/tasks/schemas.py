"""Task rows as the CLI contract (DESIGN.md section 5) and the API show them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.tasks.models import TaskKind, TaskStatus


class TaskRow(BaseModel):
    """One line of `ringfence tasks list --json` (fixed contract)."""

    model_config = ConfigDict(from_attributes=True)

    task_id: int
    kind: TaskKind
    subject_id: str
    area_id: str | None
    department: str
    unit: str | None
    assignee: str | None
    due_at: datetime
    status: TaskStatus
    escalated_to: str | None


class TaskRead(TaskRow):
    """A task in full, with its history."""

    created_at: datetime
    done_at: datetime | None
    escalation_level: int
    source_key: str
    detail: str | None
    history: list[HistoryEntry] = Field(default_factory=list)


class HistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    detail: str | None


class TaskFilter(BaseModel):
    """Filters of a task list; `as_of` is the moment overdue and escalation are judged at."""

    kind: TaskKind | None = None
    status: TaskStatus | None = None
    area_id: str | None = None
    department: str | None = None
    assignee: str | None = None
    escalated_to: str | None = None
    overdue: bool = False
    as_of: datetime | None = None


class TaskAssign(BaseModel):
    assignee: str = Field(min_length=1, max_length=120)
    unit: str | None = Field(default=None, max_length=120)


class SlaRow(BaseModel):
    """One row of the accountability table: an area and a department."""

    area_id: str | None
    department: str
    total: int
    done: int
    done_on_time: int
    on_time_share: float | None
    median_hours_to_done: float | None
    overdue_now: int


TaskRead.model_rebuild()
