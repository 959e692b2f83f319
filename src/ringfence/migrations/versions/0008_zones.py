"""Zones: risk areas proposed by the rules, their approval and lifting clock.

Revision ID: 0008_zones
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ringfence.core.db

revision = '0008_zones'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zones',
    sa.Column('zone_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('level', sa.Enum('high', 'medium', 'low', name='zonelevel', native_enum=False, length=10), nullable=False),
    sa.Column('unit', sa.Enum('building', 'community', 'district', name='zoneunit', native_enum=False, length=10), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('episode_start', ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('area_id', sa.String(length=64), nullable=True),
    sa.Column('since', ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('demoted', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'lifted', 'withdrawn', name='zonestatus', native_enum=False, length=12), nullable=False),
    sa.Column('proposed_at', ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', ringfence.core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('ended_at', ringfence.core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_change_on', sa.Date(), nullable=True),
    sa.Column('next_level', sa.Enum('high', 'medium', 'low', name='zonelevel', native_enum=False, length=10), nullable=True),
    sa.Column('blockers', sa.JSON(), nullable=False),
    sa.Column('updated_at', ringfence.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.area_id'], name=op.f('fk_zones_area_id_areas')),
    sa.PrimaryKeyConstraint('zone_id', name=op.f('pk_zones')),
    sa.UniqueConstraint('level', 'unit', 'unit_id', 'episode_start', name=op.f('uq_zones_level_unit_unit_id_episode_start'))
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zones_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_zones_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_zones_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_unit_id'))
        batch_op.drop_index(batch_op.f('ix_zones_status'))
        batch_op.drop_index(batch_op.f('ix_zones_level'))
        batch_op.drop_index(batch_op.f('ix_zones_area_id'))

    op.drop_table('zones')
