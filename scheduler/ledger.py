"""The notice ledger (``sent_batches``): which of a pass's notices this run is the first to record, and forgetting.

A busy 09:00 pass records tens of thousands of notice keys (86,000 at 100,000 tasks). A row per key cost
most of a second on SQLite and over two on PostgreSQL, in index and row writes alone. So a pass records one
row per recipient and kind, its keys newline-separated: a few hundred rows.

Uniqueness no longer comes from a unique index but from order: every batch is written under the pass's write
lock (PostgreSQL's advisory lock, SQLite's ``BEGIN IMMEDIATE``; both taken by ``claim``), so batch ids grow in
commit order. The planner planned against the keys its snapshot saw up to batch
``seen``; under the lock, the keys of later batches (another replica's pass, a ``duban remind``) are read and
their notices dropped. What is left is this run's, and is written before the lock is released.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import and_, delete, func, insert, or_, select, text
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import SentBatch
from scheduler.notice import Notice

# Keys of daily notices carry their day and reminder keys their occurrence; 60 days covers the longest
# reminder run (5 working days across the 8-day National Day break) many times over.
SENT_WINDOW_DAYS = 60
# Escalation keys are said once per occurrence however long ago, so they are always loaded.
ONCE_KINDS = ("escalation_head", "escalation_leader")
# These keys carry the day they were planned for (overdue:…:2025-10-13:p5, digest:…:2025-10-13), so only
# today's can match: a running bureau writes tens of thousands a day, and loading 60 days of them would cost
# millions of keys for nothing.
DAY_KINDS = ("overdue", "snoozed", "digest", "unassigned")
# A key stamped with its day matches nothing after that day; it is kept a week for anyone looking into what
# was sent. Other keys are kept a day past the window the pass reads; escalations for ever (once per
# occurrence, and few).
DAY_KEYS_KEPT = timedelta(days=7)
OTHER_KEYS_KEPT = timedelta(days=SENT_WINDOW_DAYS + 1)

_BATCHES = SentBatch.__table__
_PASS_LOCK = 0x6475_6261  # "duba": PostgreSQL advisory lock key of the pass's writes


async def recorded(session: AsyncSession, today_starts: datetime, since: datetime) -> tuple[set[str], int]:
    """The keys a pass planning for the day that starts at ``today_starts`` (UTC) can match: today's, the
    window's since ``since`` (not day-stamped kinds), escalations of any age; and the last batch id read."""
    conn = await session.connection()
    # Read first: a batch committed after it has a larger id, and enqueue reads those again under the lock.
    seen = (await conn.execute(select(func.coalesce(func.max(SentBatch.id), 0)))).scalar_one()
    keys: set[str] = set()
    for (found,) in await conn.execute(select(SentBatch.keys).where(or_(
        SentBatch.created_at >= today_starts,
        and_(SentBatch.created_at >= since, SentBatch.kind.not_in(DAY_KINDS)),
        SentBatch.kind.in_(ONCE_KINDS),
    ))):
        keys.update(found.split("\n"))
    return keys, seen


async def claim(session: AsyncSession, notices: Sequence[Notice], now: datetime, *, seen: int = 0) -> set[str]:
    """Record the notices' keys (in the session's transaction, which holds the pass's write lock when it returns);
    the keys this run recorded. ``seen``: the last batch id the planner's snapshot read (0: check every batch)."""
    if not notices:
        return set()
    conn = await session.connection()
    await _lock(conn)
    taken: set[str] = set()
    for (found,) in await conn.execute(select(SentBatch.keys).where(SentBatch.id > seen)):
        taken.update(found.split("\n"))
    batches: dict[tuple[str, int | None], dict[str, None]] = {}
    for n in notices:
        if n.key not in taken:
            batches.setdefault((n.kind, n.recipient.person_id), {})[n.key] = None
    if not batches:
        return set()
    await conn.execute(insert(SentBatch), [
        {"kind": kind, "person_id": person_id, "keys": "\n".join(keys), "created_at": now}
        for (kind, person_id), keys in batches.items()
    ])
    return {key for keys in batches.values() for key in keys}


async def _lock(conn: AsyncConnection) -> None:
    """Take the pass's write lock for the rest of the transaction, before later batches are read."""
    if conn.dialect.name == "postgresql":
        # Replicas enqueueing the same pass queue up here; the later one finds every key taken.
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PASS_LOCK})
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # the aiosqlite connection under SQLAlchemy's adapter
    if not driver.in_transaction:
        await driver.execute("BEGIN IMMEDIATE")  # committed or rolled back by the session, as any transaction
    else:
        # Something already ran in this transaction: a write takes the lock now (or fails, never silently).
        await conn.exec_driver_sql(f"UPDATE {_BATCHES.name} SET id = id WHERE 0")  # type: ignore[attr-defined]


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Delete ledger batches no pass can match any more (see DAY_KEYS_KEPT); how many went."""
    gone = await session.execute(delete(SentBatch).where(or_(
        and_(SentBatch.kind.in_(DAY_KINDS), SentBatch.created_at < now - DAY_KEYS_KEPT),
        and_(SentBatch.kind.not_in(DAY_KINDS + ONCE_KINDS), SentBatch.created_at < now - OTHER_KEYS_KEPT),
    )))
    return cast(CursorResult, gone).rowcount


async def every_key(session: AsyncSession) -> list[tuple[str, str, int | None, datetime]]:
    """Every key in the ledger as (key, kind, person id, recorded at), oldest batch first (for inspection)."""
    rows = await session.execute(select(SentBatch.keys, SentBatch.kind, SentBatch.person_id, SentBatch.created_at).order_by(SentBatch.id))
    return [(key, kind, person, at) for keys, kind, person, at in rows for key in keys.split("\n")]
