"""Occurrences of recurring milestones: each period's 签收, report and waiver

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'occurrences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('milestone_id', sa.Integer(), nullable=True),
        sa.Column('period_key', sa.String(length=10), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('acked_by', sa.Integer(), nullable=True),
        sa.Column('acked_at', bot.db.models.UtcDateTime(), nullable=True),
        sa.Column('report_event_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', bot.db.models.UtcDateTime(), nullable=True),
        sa.Column('waiver_reason', sa.Text(), nullable=True),
        sa.Column('waived_by', sa.String(length=120), nullable=True),
        sa.Column('waived_at', bot.db.models.UtcDateTime(), nullable=True),
        sa.Column('created_at', bot.db.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['acked_by'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_event_id'], ['task_events.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task_id', 'period_key', name='uq_occurrences_period'),
    )


def downgrade() -> None:
    op.drop_table('occurrences')
