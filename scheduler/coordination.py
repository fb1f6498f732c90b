"""Exactly one reminder pass per slot across replicas sharing one PostgreSQL database.

A slot is the latest scheduled send time at or before the pass's instant (local, "2026-12-07 09:00"): the 09:00
fire, the Monday report at the same minute and a catch-up at start all belong to it. On PostgreSQL the pass runs
inside a transaction holding ``pg_try_advisory_xact_lock`` keyed by the slot: a replica that cannot take it (another
is running the pass) or that finds the slot already recorded skips. The record is written in that transaction, so a
pass that fails or is killed leaves no record and releases the lock, and the next catch-up runs it. On SQLite (one
machine, one process) the pass always runs and is recorded for ``duban jobs``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select, text

from bot.core import Core
from bot.db.clock import to_local
from bot.db.models import PassSlot

log = logging.getLogger(__name__)

T = TypeVar("T")


def replica_name() -> str:
    """This process as other replicas see it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def slot_for(now: datetime, tz: str, send_time: str) -> str:
    """The slot of a pass at ``now``: the latest local ``send_time`` at or before it, as "YYYY-MM-DD HH:MM"."""
    local = to_local(now, tz)
    hour, minute = (int(x) for x in send_time.split(":")[:2])
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due > local:
        due -= timedelta(days=1)
    return due.strftime("%Y-%m-%d %H:%M")


def lock_key(slot: str) -> int:
    """A signed 64-bit advisory lock key for ``slot`` (stable across processes, unlike hash())."""
    digest = hashlib.blake2b(f"duban-pass:{slot}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _record(slot: str, replica: str, started: datetime, seconds: float, result: object) -> PassSlot:
    return PassSlot(slot=slot, replica=replica, started_at=started, finished_at=started + timedelta(seconds=seconds),
                    messages=int(getattr(result, "enqueued", 0) or 0))


async def once_per_slot(core: Core, now: datetime, body: Callable[[datetime], Awaitable[T]], *,
                        replica: str | None = None) -> T | None:
    """Run ``body(now)`` unless another replica runs or ran this slot's pass; None when skipped."""
    slot = slot_for(now, core.tz, core.settings.reminders.send_time)
    replica = replica or replica_name()
    if core.db.is_sqlite:
        started = time.monotonic()
        result = await body(now)
        async with core.db.session() as session:
            await session.execute(delete(PassSlot).where(PassSlot.slot == slot))
            session.add(_record(slot, replica, now, time.monotonic() - started, result))
        return result
    async with core.db.engine.connect() as conn, conn.begin():
        if not (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(slot)})).scalar():
            log.info("pass for slot %s skipped: another replica is running it", slot)
            return None
        ran_by = (await conn.execute(select(PassSlot.replica).where(PassSlot.slot == slot))).scalar()
        if ran_by is not None:
            log.info("pass for slot %s skipped: already run by %s", slot, ran_by)
            return None
        started = time.monotonic()
        result = await body(now)
        row = _record(slot, replica, now, time.monotonic() - started, result)
        await conn.execute(PassSlot.__table__.insert().values(
            slot=row.slot, replica=row.replica, started_at=row.started_at, finished_at=row.finished_at,
            messages=row.messages))
    return result
