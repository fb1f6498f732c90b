"""Faster listings: tasks.fixed_due (each task's earliest fixed due date), covering indexes on who leads and
which sections own a task, a partial index on recurring milestones; no index on tasks.status

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
    for table, name, columns in (('task_leaders', 'ix_task_leaders_person', ['person_id', 'task_id']),
                                 ('task_sections', 'ix_task_sections_section', ['section_id', 'task_id'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_task_kind_due')
    recurring = sa.text("kind = 'recurring'")
    op.create_index('ix_milestones_recurring', 'milestones', ['task_id'], unique=False,
                    sqlite_where=recurring, postgresql_where=recurring)
    # The same rule as bot.db.models.earliest_fixed_due, for the rows already there.
    op.execute(
        "UPDATE tasks SET fixed_due = (SELECT min(milestones.due) FROM milestones"
        " WHERE milestones.task_id = tasks.id AND milestones.due IS NOT NULL"
        " AND milestones.kind NOT IN ('recurring', 'ongoing'))"
    )


def downgrade() -> None:
    op.drop_index('ix_milestones_recurring', table_name='milestones')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_task_kind_due', ['task_id', 'kind', 'due'], unique=False)
    for table, name, column in (('task_leaders', 'ix_task_leaders_person', 'person_id'),
                                ('task_sections', 'ix_task_sections_section', 'section_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
            batch_op.create_index(name, [column], unique=False)
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_status', ['status'], unique=False)
        batch_op.drop_column('fixed_due')
