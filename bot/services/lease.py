"""A named lease in the database (``leases``): one holder at a time across replicas, renewed while held.

Taking and renewing are one statement on PostgreSQL's clock: the row is written only when it is free, expired, or
already ours, and ``RETURNING`` says whether it was. A holder that stops renewing (killed, stalled, cut off) loses
the lease ``ttl`` seconds after its last renewal, and a waiting replica takes it over. On SQLite one process runs
per database, so the lease is always granted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from bot.db import Database

log = logging.getLogger(__name__)

_TAKE = text(
    "INSERT INTO leases (name, holder, expires_at) "
    "VALUES (:name, :holder, extract(epoch FROM clock_timestamp()) + :ttl) "
    "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
    "WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < extract(epoch FROM clock_timestamp()) "
    "RETURNING holder"
)
_RELEASE = text("DELETE FROM leases WHERE name = :name AND holder = :holder")


class Lease:
    """The lease ``name`` as ``holder`` sees it."""

    def __init__(self, db: Database, name: str, holder: str, *, ttl: float = 30.0) -> None:
        self.db, self.name, self.holder, self.ttl = db, name, holder, ttl

    async def take(self) -> bool:
        """Take or renew the lease for ``ttl`` seconds; False while another holder's is unexpired."""
        if self.db.is_sqlite:
            return True
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(_TAKE, {"name": self.name, "holder": self.holder, "ttl": self.ttl})).first()
            await conn.commit()
        return row is not None

    async def release(self) -> None:
        """Give the lease up now (a waiting replica need not wait for it to expire)."""
        if self.db.is_sqlite:
            return
        async with self.db.engine.connect() as conn:
            await conn.execute(_RELEASE, {"name": self.name, "holder": self.holder})
            await conn.commit()


async def lead(lease: Lease, stop: asyncio.Event, start: Callable[[], Awaitable[object]],
               halt: Callable[[], Awaitable[object]], *, every: float | None = None) -> None:
    """Until ``stop``: ``start()`` once the lease is ours, renew it every ``every`` s, ``halt()`` if it is lost.

    A database that does not answer does not end the lead at once: the holder keeps going until its lease would
    have expired, since until then no other replica can have taken it.
    """
    every = every if every is not None else lease.ttl / 3
    leading = False
    renewed = 0.0
    try:
        while not stop.is_set():
            try:
                held = await lease.take()
            except Exception as exc:
                log.warning("lease %s: the database did not answer: %s", lease.name, exc)
                held = leading and time.monotonic() - renewed < lease.ttl
            else:
                renewed = time.monotonic() if held else renewed
            if held and not leading:
                log.info("lease %s taken by %s", lease.name, lease.holder)
                await start()
                leading = True
            elif leading and not held:
                log.warning("lease %s lost by %s", lease.name, lease.holder)
                await halt()
                leading = False
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass
    finally:
        if leading:
            await halt()
            try:
                await asyncio.shield(lease.release())
            except Exception as exc:  # it expires by itself
                log.warning("lease %s not released: %s", lease.name, exc)
