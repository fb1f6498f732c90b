"""Each task's milestones folded into tasks.schedule, kept by triggers on milestones (the daily pass reads it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bot.db import fold

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tasks', sa.Column('schedule', sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in fold.POSTGRES_TRIGGERS if dialect == "postgresql" else fold.SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute(fold.refold_all(dialect))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in fold.TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON milestones" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS duban_fold_milestones()")
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('schedule')
