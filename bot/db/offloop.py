"""Long work off the event loop: a worker thread with its own event loop and its own database engine.

A 10,000-row import or the daily pass over a large table spends seconds in Python (parsing, SQLAlchemy
building and reading rows, planning). Run on the bot's event loop, every other chat waits that long. Here
the work runs in a worker thread, on a fresh event loop, through a second engine on the same database (its
own connections: asyncpg and aiosqlite connections belong to the loop that opened them). The bot's loop
only awaits the thread's result; the thread still shares the GIL, so the loop gets the interpreter at least
every switch interval (5 ms).

Transactions are the worker's own: what it does inside one ``session()`` commits or rolls back as one, so an
import stays all or nothing. An in-memory SQLite database cannot be opened twice; then the work runs on the
loop as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.engine import make_url

from bot.db.session import Database

T = TypeVar("T")


async def off_loop(db: Database, work: Callable[[Database], Awaitable[T]]) -> T:
    """``await work(db')`` in a worker thread, where ``db'`` is a twin of ``db`` living on that thread's loop."""
    if not shareable(db.url):
        return await work(db)

    async def in_thread() -> T:
        twin = db.twin()
        try:
            return await work(twin)
        finally:
            await twin.dispose()

    return await asyncio.to_thread(asyncio.run, in_thread())


def shareable(url: str) -> bool:
    """Whether a second engine on ``url`` sees the same data (not for an in-memory SQLite database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return bool(database) and database != ":memory:" and "mode=memory" not in str(parsed)
