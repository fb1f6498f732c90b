"""Only one Telegram poller across replicas: an ``Updater`` that polls only while it holds the ``telegram-poller``
lease, so a second replica waits instead of drawing ``409 Conflict`` from a second ``getUpdates``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram.ext import Updater

from bot.db import Database
from bot.services.lease import Lease, lead

LEASE_NAME = "telegram-poller"


class LeasedUpdater(Updater):
    """An Updater whose ``start_polling`` returns at once and polls in the background while the lease is held."""

    def __init__(self, inner: Updater, lease: Lease, *, every: float | None = None) -> None:
        super().__init__(bot=inner.bot, update_queue=inner.update_queue)
        self.lease = lease
        self._every = every
        self._stop_leading: asyncio.Event | None = None
        self._leading: asyncio.Task[None] | None = None
        # Waiting for the lease, not polling. Kept apart from PTB's own flag: its start_polling refuses an updater
        # that says it is running, and its polling loop goes on while ``running`` is true.
        self._waiting = False

    @property
    def running(self) -> bool:
        """Polling, or waiting for the lease to poll."""
        return super().running or self._waiting

    @property
    def polling(self) -> bool:
        """Whether this replica is the one polling now."""
        return super().running

    async def start_polling(self, *args: Any, **kwargs: Any) -> asyncio.Queue[object]:  # type: ignore[override]
        """Poll (with the given arguments) whenever the lease is ours, until ``stop``."""
        stopping = self._stop_leading = asyncio.Event()
        self._waiting = True

        async def start() -> None:
            self._waiting = False
            await Updater.start_polling(self, *args, **kwargs)

        async def halt() -> None:
            await Updater.stop(self)
            self._waiting = not stopping.is_set()  # lost the lease: wait for it again

        self._leading = asyncio.get_running_loop().create_task(
            lead(self.lease, stopping, start, halt, every=self._every))
        return self.update_queue

    async def stop(self) -> None:
        """Stop polling (or waiting) and give the lease up."""
        if self._stop_leading is not None:
            self._stop_leading.set()
        if self._leading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._leading
            self._leading = None
        self._waiting = False


def leased(updater: Updater | None, db: Database, holder: str, *, ttl: float = 30.0) -> Updater | None:
    """``updater`` made to poll only under the lease when replicas share PostgreSQL (unchanged on SQLite)."""
    if updater is None or db.is_sqlite:
        return updater
    return LeasedUpdater(updater, Lease(db, LEASE_NAME, holder, ttl=ttl))
