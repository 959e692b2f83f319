"""Screening: rounds of area screening (area, risk level, pool size, start, deadline, sites).

Revision ID: 0006_screening
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ringfence.core.db

revision = "0006_screening"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_rounds",
        sa.Column("round_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "isolation", "key_group", "high", "medium", "low", "elsewhere",
                name="risklevel", native_enum=False, length=20,
            ),
            nullable=False,
        ),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("starts_at", ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("created_at", ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.area_id"], name=op.f("fk_screening_rounds_area_id_areas")),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_screening_rounds")),
    )
    with op.batch_alter_table("screening_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_rounds_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_rounds_deadline_at"), ["deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_rounds_starts_at"), ["starts_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("screening_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_rounds_starts_at"))
        batch_op.drop_index(batch_op.f("ix_screening_rounds_deadline_at"))
        batch_op.drop_index(batch_op.f("ix_screening_rounds_area_id"))
    op.drop_table("screening_rounds")
