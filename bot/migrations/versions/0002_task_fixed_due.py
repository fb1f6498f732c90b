"""tasks.fixed_due: each task's earliest fixed due date, kept for fast listings; no index on tasks.status

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fixed_due', sa.Date(), nullable=True))
        batch_op.drop_index('ix_tasks_status')
    # The same rule as bot.db.models.earliest_fixed_due, for the rows already there.
    op.execute(
        "UPDATE tasks SET fixed_due = (SELECT min(milestones.due) FROM milestones"
        " WHERE milestones.task_id = tasks.id AND milestones.due IS NOT NULL"
        " AND milestones.kind NOT IN ('recurring', 'ongoing'))"
    )


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_status', ['status'], unique=False)
        batch_op.drop_column('fixed_due')
