"""Replicas on PostgreSQL: pass slots (one reminder pass per slot), shared flood-limit buckets, leases

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pass_slots',
        sa.Column('slot', sa.String(length=40), nullable=False),
        sa.Column('replica', sa.String(length=200), nullable=False),
        sa.Column('started_at', bot.db.models.UtcDateTime(), nullable=False),
        sa.Column('finished_at', bot.db.models.UtcDateTime(), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('slot'),
    )
    op.create_table(
        'rate_buckets',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('tat', sa.Double(), nullable=False),
        sa.Column('seen', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_table(
        'leases',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('expires_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('leases')
    op.drop_table('rate_buckets')
    op.drop_table('pass_slots')
