"""Join the capabilities' parallel branches (command, control, tracing, screening, zones) into one head.

Revision ID: 0009_one_line_again
Revises: 0003_command, 0004_control, 0005_tracing, 0006_screening, 0008_zones
"""

from __future__ import annotations

revision = "0009_one_line_again"
down_revision = ("0003_command", "0004_control", "0005_tracing", "0006_screening", "0008_zones")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
