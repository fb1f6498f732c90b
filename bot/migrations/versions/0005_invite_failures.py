"""Wrong invite codes are remembered per account, so guessing slows down

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'invite_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=140), nullable=False),
        sa.Column('at', bot.db.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_invite_failures_account_at', 'invite_failures', ['account', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_invite_failures_account_at', table_name='invite_failures')
    op.drop_table('invite_failures')
