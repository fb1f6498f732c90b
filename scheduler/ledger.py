"""Claiming notice keys in the ledger (``sent_notices``): which of a pass's notices this run is the first to record.

A busy 09:00 pass records tens of thousands of keys (86,000 at 100,000 tasks). Through SQLAlchemy's
executemany with RETURNING that took over a second on SQLite and several on PostgreSQL, mostly building
and reading a parameter set per row. Here each database gets one cheap statement shape:

- SQLite (aiosqlite): ``BEGIN IMMEDIATE`` takes the write lock first, so every row with a rowid above the
  table's largest one before the insert is this run's; one ``executemany`` of ``ON CONFLICT DO NOTHING``
  inserts them, and only when fewer rows went in than were offered are the won keys read back.
- PostgreSQL (asyncpg): one ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING key``.
- Anything else, or a session already inside a transaction on SQLite: scheduler.outbox.insert_ignore.

The rows and the result are the same on every path: (key, task id when the notice is about one task,
person id, kind, created_at), and the set of keys inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, delete, or_
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import SentNotice
from scheduler.notice import Notice
from scheduler.snapshot import DAY_KINDS, ONCE_KINDS, SENT_WINDOW_DAYS

# A key stamped with its day matches nothing after that day; it is kept a week for anyone looking into what
# was sent. Other keys are kept a day past the window the pass reads; escalations for ever (once per
# occurrence, and few).
DAY_KEYS_KEPT = timedelta(days=7)
OTHER_KEYS_KEPT = timedelta(days=SENT_WINDOW_DAYS + 1)

_TABLE = SentNotice.__table__
_COLUMNS = ("key", "task_id", "person_id", "kind", "created_at")
_SQLITE_INSERT = (f"INSERT INTO {_TABLE.name} ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?) "  # type: ignore[attr-defined]
                  "ON CONFLICT (key) DO NOTHING")
_POSTGRES_INSERT = (
    f"INSERT INTO {_TABLE.name} ({', '.join(_COLUMNS)}) "  # type: ignore[attr-defined]
    "SELECT k, t, p, kd, $5 FROM unnest($1::varchar[], $2::integer[], $3::integer[], $4::varchar[]) AS u(k, t, p, kd) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
)


async def claim(session: AsyncSession, notices: Sequence[Notice], now: datetime) -> set[str]:
    """Record the notices' keys in the ledger (in the session's transaction); the keys this run inserted."""
    if not notices:
        return set()
    conn = await session.connection()
    stamp = _bound(conn, now)
    name, driver = conn.dialect.name, conn.dialect.driver
    if name == "sqlite" and driver == "aiosqlite":
        won = await _sqlite(conn, notices, stamp)
        if won is not None:
            return won
    elif name == "postgresql" and driver == "asyncpg":
        return await _postgres(conn, notices, stamp)
    from scheduler.outbox import insert_ignore  # the general path (imported here: outbox imports this module)

    rows = [dict(zip(_COLUMNS, row, strict=True)) for row in _rows(notices, now)]
    return await insert_ignore(session, _TABLE, rows, "key")  # type: ignore[arg-type]


def _rows(notices: Sequence[Notice], stamp: Any) -> list[tuple[Any, ...]]:
    return [(n.key, n.task_ids[0] if len(n.task_ids) == 1 else None, n.recipient.person_id, n.kind, stamp) for n in notices]


def _bound(conn: AsyncConnection, now: datetime) -> Any:
    """``now`` as the driver takes it for created_at (naive UTC; SQLite: its text form), converted once."""
    column_type = _TABLE.c.created_at.type.dialect_impl(conn.dialect)  # type: ignore[attr-defined]
    process = column_type.bind_processor(conn.dialect)
    return process(now) if process is not None else now


async def _sqlite(conn: AsyncConnection, notices: Sequence[Notice], stamp: Any) -> set[str] | None:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # the aiosqlite.Connection under SQLAlchemy's adapter
    if driver is None or driver.in_transaction:
        return None  # something already ran in this transaction: its snapshot may be older than the write lock
    await driver.execute("BEGIN IMMEDIATE")  # committed or rolled back by the session, as any transaction
    (before,), = await driver.execute_fetchall(f"SELECT coalesce(max(rowid), 0) FROM {_TABLE.name}")  # type: ignore[attr-defined]
    rows = _rows(notices, stamp)
    cursor = await driver.executemany(_SQLITE_INSERT, rows)
    if cursor.rowcount == len(rows):
        return {row[0] for row in rows}
    return {key for (key,) in await driver.execute_fetchall(f"SELECT key FROM {_TABLE.name} WHERE rowid > ?", (before,))}  # type: ignore[attr-defined]


async def _postgres(conn: AsyncConnection, notices: Sequence[Notice], stamp: Any) -> set[str]:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # the asyncpg connection
    if not driver.is_in_transaction():
        await conn.exec_driver_sql("SELECT 1")  # SQLAlchemy begins its transaction with the first statement
    keys, tasks, people, kinds = [], [], [], []
    for n in notices:
        keys.append(n.key)
        tasks.append(n.task_ids[0] if len(n.task_ids) == 1 else None)
        people.append(n.recipient.person_id)
        kinds.append(n.kind)
    return {row[0] for row in await driver.fetch(_POSTGRES_INSERT, keys, tasks, people, kinds, stamp)}


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Delete ledger keys no pass can match any more (see DAY_KEYS_KEPT); how many went."""
    gone = await session.execute(delete(SentNotice).where(or_(
        and_(SentNotice.kind.in_(DAY_KINDS), SentNotice.created_at < now - DAY_KEYS_KEPT),
        and_(SentNotice.kind.not_in(DAY_KINDS + ONCE_KINDS), SentNotice.created_at < now - OTHER_KEYS_KEPT),
    )))
    return cast(CursorResult, gone).rowcount
