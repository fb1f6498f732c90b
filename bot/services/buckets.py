"""Flood-limit buckets: in memory for one process, in PostgreSQL when several replicas share the platform's caps.

Each bucket is a GCRA (generic cell rate algorithm) with one number per key, the theoretical arrival time (TAT): a
send *reserves* the next slot, ``tat = max(tat, now) + period``, and waits ``tat - now - burst·period`` when that is
positive. That lets ``burst`` messages through at once and then one per ``period``, so any window of W seconds sees
at most ``burst + W / period`` — exactly an ``aiolimiter`` leaky bucket of the same capacity and rate.

On PostgreSQL the reservation is one statement (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) on the database's own
clock, so every replica draws from the same bucket and clock skew between machines does not matter. A reservation
that the database cannot take (it is away) falls back to this process's memory rather than failing the send.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import text

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

_RESERVE = text(
    "INSERT INTO rate_buckets (key, tat, seen) "
    "SELECT :key, c.now + :period, c.now FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) AS c "
    "ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_buckets.tat, EXCLUDED.seen) + :period, seen = EXCLUDED.seen "
    "RETURNING tat, seen"
)
_PRUNE = text("DELETE FROM rate_buckets WHERE tat < extract(epoch FROM clock_timestamp()) - :idle")
PRUNE_EVERY = 600.0  # seconds between deletions of idle buckets
IDLE = 3600.0  # a bucket idle this long is empty: deleting it changes nothing


class Buckets(Protocol):
    """Where flood-limit buckets live: ``reserve`` takes the next slot and says how long to wait for it."""

    async def reserve(self, key: str, period: float, burst: int = 1) -> float:
        """Reserve one send on ``key`` (one per ``period`` s, ``burst`` at once); seconds to wait before sending."""
        ...

    def ready(self, key: str) -> bool:
        """Whether a send on ``key`` would go without waiting, as far as this process knows."""
        ...


class MemoryBuckets:
    """Buckets in this process (SQLite: one process per bureau), the least recently used forgotten past ``max_keys``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.clock = clock
        self._tat: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tat, (burst - 1) · period)
        self._max_keys = max_keys

    async def reserve(self, key: str, period: float, burst: int = 1) -> float:
        """Reserve one send on ``key``; seconds to wait before sending."""
        now = self.clock()
        held = self._tat.get(key)
        tat = max(held[0] if held else now, now) + period
        return self.note(key, tat - now, period, burst, now)

    def note(self, key: str, ahead: float, period: float, burst: int, now: float | None = None) -> float:
        """Record a reservation whose TAT is ``ahead`` s from now (made here or in the database); the wait."""
        now = self.clock() if now is None else now
        self._tat[key] = (now + ahead, (burst - 1) * period)
        self._tat.move_to_end(key)
        while len(self._tat) > self._max_keys:  # the evicted key has been idle longest
            self._tat.popitem(last=False)
        return max(ahead - burst * period, 0.0)

    def ready(self, key: str) -> bool:
        """Whether ``key``'s next send would go now."""
        held = self._tat.get(key)
        return held is None or held[0] - held[1] <= self.clock()


class SharedBuckets:
    """Buckets in PostgreSQL's ``rate_buckets``, shared by every replica on the database."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.clock = clock
        self.local = MemoryBuckets(clock=clock)  # what this process reserved, and the fallback
        self._next_prune = clock() + PRUNE_EVERY

    async def reserve(self, key: str, period: float, burst: int = 1) -> float:
        """Reserve one send on ``key`` in the shared bucket; seconds to wait before sending."""
        try:
            async with self.db.engine.connect() as conn:
                tat, seen = (await conn.execute(_RESERVE, {"key": key, "period": period})).one()
                if self.clock() >= self._next_prune:
                    self._next_prune = self.clock() + PRUNE_EVERY
                    await conn.execute(_PRUNE, {"idle": IDLE})
                await conn.commit()
        except Exception as exc:  # the database is away: keep this process within the cap at least
            log.warning("shared flood limit %s unavailable, limiting in memory: %s", key, exc)
            return await self.local.reserve(key, period, burst)
        return self.local.note(key, tat - seen, period, burst)

    def ready(self, key: str) -> bool:
        """Whether ``key``'s next send would go now, as far as this replica's own sends tell."""
        return self.local.ready(key)


async def take(buckets: Buckets, key: str, period: float, burst: int = 1) -> None:
    """Wait until one more send on ``key`` keeps it within one per ``period`` after a burst of ``burst``."""
    wait = await buckets.reserve(key, period, burst)
    if wait > 0:
        await asyncio.sleep(wait)


# ---- the process's shared store ---------------------------------------------------------------------------------
# Limiters are built deep inside the channels; the composition root says once whether they share PostgreSQL.

_shared: SharedBuckets | None = None


def share_limits(db: Database | None) -> None:
    """Make every limiter built without its own store use PostgreSQL's buckets (None, or SQLite: memory again)."""
    global _shared
    _shared = SharedBuckets(db) if db is not None and not db.is_sqlite else None


def shared_buckets() -> SharedBuckets | None:
    """The store ``share_limits`` installed, if any."""
    return _shared
