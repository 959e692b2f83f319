"""Enterprises and key projects; whitelisted ones keep producing in a closed loop (白名单 / 闭环生产).

Also their whitelist applications and help tickets (万人助万企). Staff are the people whose
`workplace_id` is the enterprise's id (the person register).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class ProductionStatus(StrEnum):
    producing = "producing"  # ordinary production, outside any control zone
    closed_loop = "closed_loop"  # 闭环生产: staff live and work inside the loop
    suspended = "suspended"


class Enterprise(Base):
    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    building_id: Mapped[str] = mapped_column(ForeignKey("buildings.building_id"), index=True)
    industry: Mapped[str] = mapped_column(String(80))
    whitelisted: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    production_status: Mapped[ProductionStatus | None] = mapped_column(
        Enum(ProductionStatus, native_enum=False, length=20)
    )


class ProjectBatch(StrEnum):
    """The 'three batches' of key construction projects (三个一批)."""

    signed = "signed"
    started = "started"
    completed = "completed"


class Project(Base):
    """A key construction project, carried out by an enterprise at a site."""

    __tablename__ = "projects"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    building_id: Mapped[str | None] = mapped_column(ForeignKey("buildings.building_id"))
    batch: Mapped[ProjectBatch] = mapped_column(Enum(ProjectBatch, native_enum=False, length=20))
    batch_at: Mapped[datetime]  # when it entered its current batch
    whitelisted: Mapped[bool] = mapped_column(Boolean, default=False)


class ApplicantKind(StrEnum):
    enterprise = "enterprise"
    project = "project"


class ApplicationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    revoked = "revoked"


class WhitelistApplication(Base):
    """An enterprise's or project's request to keep producing under control measures."""

    __tablename__ = "whitelist_applications"

    application_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    applicant_kind: Mapped[ApplicantKind] = mapped_column(Enum(ApplicantKind, native_enum=False, length=20))
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.project_id"), index=True)
    closed_loop: Mapped[bool] = mapped_column(Boolean, default=True)
    plan: Mapped[str | None] = mapped_column(Text)  # the closed-loop plan: lodging, shuttles, screening
    status: Mapped[ApplicationStatus] = mapped_column(
        Enum(ApplicationStatus, native_enum=False, length=20), default=ApplicationStatus.pending, index=True
    )
    applied_at: Mapped[datetime]
    applied_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(500))


class TicketCategory(StrEnum):
    supplies = "supplies"
    logistics = "logistics"
    staff_stuck = "staff_stuck"  # staff held inside a control zone
    other = "other"


class TicketStatus(StrEnum):
    open = "open"
    assigned = "assigned"
    answered = "answered"
    closed = "closed"


class HelpTicket(Base):
    """万人助万企: an enterprise's problem, assigned to an official, answered by a deadline."""

    __tablename__ = "help_tickets"

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    category: Mapped[TicketCategory] = mapped_column(Enum(TicketCategory, native_enum=False, length=20))
    description: Mapped[str] = mapped_column(String(2000))
    reported_at: Mapped[datetime]
    reported_by: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, native_enum=False, length=20), default=TicketStatus.open, index=True
    )
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    assigned_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_at: Mapped[datetime | None]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.task_id"))
