"""Group robots registered by admins, and each person's preferred channel

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'group_robots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=True),
        sa.Column('created_by', sa.String(length=140), nullable=False),
        sa.Column('created_at', bot.db.models.UtcDateTime(), nullable=False),
        sa.Column('removed_at', bot.db.models.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'target', name='uq_group_robots_target'),
    )
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('preferred_channel', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.drop_column('preferred_channel')
    op.drop_table('group_robots')
