"""Each task's listing keys on its link rows (task_leaders, task_sections), kept by triggers (我的任务 reads them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bot.db import listing

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_INDEXES = (
    ('task_leaders', 'ix_task_leaders_person', 'ix_task_leaders_listing', 'person_id'),
    ('task_sections', 'ix_task_sections_section', 'ix_task_sections_listing', 'section_id'),
)


def _columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column('task_open', sa.Boolean(), nullable=True),
        sa.Column('task_recurs', sa.Boolean(), nullable=True),
        sa.Column('task_due', sa.Date(), nullable=True),
        sa.Column('task_table', sa.Integer(), nullable=True),
        sa.Column('task_seq', sa.Integer(), nullable=True),
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, _, _, _ in _INDEXES:
        for column in _columns():
            op.add_column(table, column)
    for statement in listing.refill_all():
        op.execute(statement)
    for table, old, new, owner in _INDEXES:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, list(listing.index_columns(owner)), unique=False)
    for statement in listing.POSTGRES_TRIGGERS if dialect == "postgresql" else listing.SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table in listing.TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        for function in listing.FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    for table, old, new, owner in _INDEXES:
        op.drop_index(new, table_name=table)
        op.create_index(old, table, [owner, 'task_id'], unique=False)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for key in listing.KEYS:
                batch_op.drop_column(key)
