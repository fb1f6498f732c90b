"""Handled channel message ids survive a restart, so a replayed WeCom callback is ignored

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handled_messages',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('handled_at', bot.db.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_handled_messages_at', 'handled_messages', ['handled_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_handled_messages_at', table_name='handled_messages')
    op.drop_table('handled_messages')
