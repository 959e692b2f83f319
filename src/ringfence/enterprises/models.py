"""Enterprises; whitelisted ones keep producing in a closed loop."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ringfence.core.db import Base


class Enterprise(Base):
    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    building_id: Mapped[str] = mapped_column(ForeignKey("buildings.building_id"), index=True)
    industry: Mapped[str] = mapped_column(String(80))
    whitelisted: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_loop: Mapped[bool] = mapped_column(Boolean, default=False)
