"""The notice ledger keeps a row per pass, recipient and kind with its keys (sent_batches), not a row per key

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sent_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('keys', sa.Text(), nullable=False),
    sa.Column('created_at', bot.db.models.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_sent_batches_created', 'sent_batches', ['created_at'], unique=False)
    # Every key recorded so far stays recorded: each becomes a batch of one, oldest first.
    op.execute("INSERT INTO sent_batches (kind, person_id, keys, created_at) "
               "SELECT kind, person_id, key, created_at FROM sent_notices ORDER BY created_at, key")
    op.drop_index('ix_sent_notices_task', table_name='sent_notices')
    op.drop_table('sent_notices')


def downgrade() -> None:
    op.create_table('sent_notices',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('created_at', bot.db.models.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_sent_notices_task', 'sent_notices', ['task_id'], unique=False)
    # Each batch's keys come back as rows of their own (the task id is not kept in a batch).
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT kind, person_id, keys, created_at FROM sent_batches ORDER BY id")).all()
    seen: set[str] = set()
    out = []
    for kind, person_id, keys, created_at in rows:
        for key in keys.split("\n"):
            if key and key not in seen:
                seen.add(key)
                out.append({"key": key, "kind": kind, "person_id": person_id, "created_at": created_at})
    if out:
        bind.execute(sa.text("INSERT INTO sent_notices (key, kind, person_id, created_at) "
                             "VALUES (:key, :kind, :person_id, :created_at)"), out)
    op.drop_index('ix_sent_batches_created', table_name='sent_batches')
    op.drop_table('sent_batches')
