"""Incidents: each outbreak point (燃点) with its handling team (处置班子), cases, zones, tasks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base
from ringfence.incidents.rules import IncidentStatus  # the life of an incident is a rule


class Incident(Base):
    __tablename__ = "incidents"

    incident_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[str] = mapped_column(ForeignKey("areas.area_id"), index=True)  # the district reporting it
    status: Mapped[IncidentStatus] = mapped_column(
        Enum(IncidentStatus, native_enum=False, length=20), default=IncidentStatus.opened, index=True
    )
    opened_at: Mapped[datetime]
    status_at: Mapped[datetime]
    summary: Mapped[str | None] = mapped_column(String(2000))


class TeamRole(StrEnum):
    lead = "lead"
    member = "member"


class Party(StrEnum):
    """四方: the four parties a handling team draws on."""

    territory = "territory"
    department = "department"
    unit = "unit"
    individual = "individual"


class IncidentMember(Base):
    __tablename__ = "incident_members"
    __table_args__ = (UniqueConstraint("incident_id", "name"),)

    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.incident_id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[TeamRole] = mapped_column(Enum(TeamRole, native_enum=False, length=10))
    party: Mapped[Party] = mapped_column(Enum(Party, native_enum=False, length=20))
    organisation: Mapped[str | None] = mapped_column(String(200))


class LinkKind(StrEnum):
    case = "case"
    zone = "zone"
    task = "task"


class IncidentLink(Base):
    """A case, zone or task belonging to an incident."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "ref"),)

    link_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.incident_id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(Enum(LinkKind, native_enum=False, length=10))
    ref: Mapped[str] = mapped_column(String(120), index=True)
    linked_at: Mapped[datetime]
