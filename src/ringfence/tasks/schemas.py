"""Task rows as the CLI contract (DESIGN.md section 5) and the API show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ringfence.areas.schemas import ID_PATTERN
from ringfence.tasks.models import TaskKind, TaskStatus


class CommandInput(BaseModel):
    """Base of what callers send to the command domains: no text may hold a NUL (the stores refuse it)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and "\x00" in value:
                    raise ValueError(f"{key} holds a NUL character")
        return data


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


class TaskFilter(CommandInput):
    """Filters of a task list; `as_of` is the moment overdue and escalation are judged at."""

    kind: TaskKind | None = None
    status: TaskStatus | None = None
    area_id: str | None = Field(default=None, max_length=64, pattern=ID_PATTERN)
    department: str | None = Field(default=None, max_length=120, pattern=ID_PATTERN)
    assignee: str | None = Field(default=None, max_length=120, pattern=ID_PATTERN)
    escalated_to: str | None = Field(default=None, max_length=64, pattern=ID_PATTERN)
    overdue: bool = False
    as_of: datetime | None = None


class TaskAssign(CommandInput):
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
