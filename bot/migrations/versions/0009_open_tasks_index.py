"""Faster 我的任务 on PostgreSQL: a covering index of open tasks by id, with their table, order and fixed due date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    open_only = sa.text("status = 'open'")
    op.create_index('ix_tasks_open', 'tasks', ['id', 'table_id', 'seq', 'fixed_due'], unique=False,
                    sqlite_where=open_only, postgresql_where=open_only)


def downgrade() -> None:
    op.drop_index('ix_tasks_open', table_name='tasks')
