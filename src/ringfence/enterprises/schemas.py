"""Enterprises, projects, whitelist applications, rosters and help tickets as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ringfence.enterprises.models import (
    ApplicantKind,
    ApplicationStatus,
    ProductionStatus,
    ProjectBatch,
    TicketCategory,
    TicketStatus,
)
from ringfence.tasks.schemas import CommandInput

_ORM = ConfigDict(from_attributes=True)


class EnterpriseRead(BaseModel):
    model_config = _ORM

    enterprise_id: str
    name: str
    building_id: str
    industry: str
    whitelisted: bool
    closed_loop: bool
    production_status: ProductionStatus | None


class EnterpriseFilter(CommandInput):
    whitelisted: bool | None = None
    industry: str | None = None


class ProductionUpdate(CommandInput):
    production_status: ProductionStatus


class ProjectCreate(CommandInput):
    project_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\s/]+$")
    name: str = Field(min_length=1, max_length=200)
    enterprise_id: str = Field(min_length=1, max_length=64)
    building_id: str | None = Field(default=None, max_length=64)
    batch: ProjectBatch = ProjectBatch.signed
    batch_at: datetime | None = None


class ProjectRead(BaseModel):
    model_config = _ORM

    project_id: str
    name: str
    enterprise_id: str
    building_id: str | None
    batch: ProjectBatch
    batch_at: datetime
    whitelisted: bool


class ProjectBatchUpdate(CommandInput):
    batch: ProjectBatch


class ApplicationCreate(CommandInput):
    enterprise_id: str = Field(min_length=1, max_length=64)
    project_id: str | None = Field(default=None, max_length=64)
    closed_loop: bool = True
    plan: str | None = Field(default=None, max_length=4000)


class ApplicationDecision(CommandInput):
    status: ApplicationStatus
    reason: str | None = Field(default=None, max_length=500)


class ApplicationRead(BaseModel):
    model_config = _ORM

    application_id: int
    applicant_kind: ApplicantKind
    enterprise_id: str
    project_id: str | None
    closed_loop: bool
    plan: str | None
    status: ApplicationStatus
    applied_at: datetime
    applied_by: str
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None


class StaffRow(BaseModel):
    person_id: str
    name: str | None
    key_group: str | None
    last_negative_at: datetime | None
    period_hours: int
    compliant: bool


class RosterRead(BaseModel):
    enterprise_id: str
    as_of: datetime
    staff: int
    compliant: int
    share: float | None
    threshold: float
    alert: bool
    members: list[StaffRow]


class TicketCreate(CommandInput):
    category: TicketCategory
    description: str = Field(min_length=1, max_length=2000)


class TicketAssign(CommandInput):
    assignee: str = Field(min_length=1, max_length=120)


class TicketAnswer(CommandInput):
    answer: str = Field(min_length=1, max_length=2000)


class TicketRead(BaseModel):
    model_config = _ORM

    ticket_id: int
    enterprise_id: str
    category: TicketCategory
    description: str
    reported_at: datetime
    reported_by: str
    due_at: datetime
    status: TicketStatus
    assignee: str | None
    assigned_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    task_id: int | None


class TicketFilter(CommandInput):
    enterprise_id: str | None = None
    status: TicketStatus | None = None
    assignee: str | None = None
    overdue: bool = False
