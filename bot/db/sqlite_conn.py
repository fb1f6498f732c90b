"""SQLite without needless thread hops: loop-aware aiosqlite connections and a read-only reader on the loop.

aiosqlite runs each SQLite call in a worker thread, and every call is a round trip between threads: on a
small virtual machine that costs 0.15–0.3 ms, more than a small indexed SELECT takes. Three things here
avoid round trips whose work is known to be tiny:

- ``commit``/``rollback`` when the connection is not in a transaction (a read-only request, or the pool's
  rollback-on-return after a commit) do nothing in SQLite, so they return at once;
- :func:`read_now` runs a bounded, indexed SELECT straight on a session's SQLite connection from the event
  loop. It sees exactly what the session's own statements see (same connection, same transaction);
- :class:`LoopReader` answers the same small SELECTs for a session that has not begun a transaction yet
  (most requests start by reading: who is asking, their list), so such a session never checks out a
  pooled connection at all.

This is the one module that reaches into aiosqlite's private parts (``Connection(connector,
iter_chunk_size)``, ``_conn``, ``_thread``); they were read in the versions ``SUPPORTED_AIOSQLITE`` names, which
pyproject.toml pins. :func:`check_aiosqlite` refuses any other shape loudly rather than misbehave.

In WAL mode a reader never waits for another connection's writer, so none of this can stall the loop on a
lock. Anything that may take long (imports, the scheduler's snapshot, exports) still goes through the
worker thread as usual.
"""

from __future__ import annotations

import inspect
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

# The aiosqlite releases whose internals this module was written against (pyproject.toml pins the same range).
SUPPORTED_AIOSQLITE = ((0, 21), (0, 22))


class UnsupportedAiosqlite(RuntimeError):
    """The installed aiosqlite is not shaped like the versions this module was written for."""


def check_aiosqlite(connection_class: type = aiosqlite.Connection, version: str | None = None) -> None:
    """Raise UnsupportedAiosqlite unless aiosqlite's version and the private parts used here are as expected."""
    found = version if version is not None else getattr(aiosqlite, "__version__", "0")
    numbers = tuple(int(part) for part in found.split(".")[:2] if part.isdigit())
    low, high = SUPPORTED_AIOSQLITE
    problems = []
    if not low <= numbers <= high:
        problems.append(f"version {found} is outside {low[0]}.{low[1]}–{high[0]}.{high[1]}")
    parameters = list(inspect.signature(connection_class.__init__).parameters)[1:3]
    if parameters != ["connector", "iter_chunk_size"]:
        problems.append(f"Connection takes {parameters}, not (connector, iter_chunk_size)")
    if not isinstance(inspect.getattr_static(connection_class, "_conn", None), property):
        problems.append("Connection has no _conn property")
    if "self._thread" not in inspect.getsource(connection_class.__init__):
        problems.append("Connection keeps no _thread")
    if problems:
        raise UnsupportedAiosqlite(
            "bot/db/sqlite_conn.py was written for aiosqlite's internals as of 0.21–0.22: " + "; ".join(problems)
        )


class LoopAwareConnection(aiosqlite.Connection):
    """An aiosqlite connection whose no-op commits and rollbacks stay on the event loop."""

    async def commit(self) -> None:
        """Commit, unless there is no open transaction (then SQLite would do nothing anyway)."""
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        """Roll back, unless there is no open transaction."""
        if self._conn.in_transaction:
            await super().rollback()


def connect(database: str | Path, *, iter_chunk_size: int = 64, **kwargs: Any) -> LoopAwareConnection:
    """Like ``aiosqlite.connect``, but the SQLite connection may also be used from the event loop thread."""
    _check_once()
    location = str(database)
    # Only one coroutine drives a pooled connection at a time, and SQLite itself is built serialized
    # (sqlite3.threadsafety == 3), so the loop thread may use it while the worker thread is idle.
    kwargs["check_same_thread"] = False

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(location, **kwargs)

    connection = LoopAwareConnection(connector, iter_chunk_size)
    # As SQLAlchemy does for plain aiosqlite: a forgotten connection must not keep the process alive.
    connection._thread.daemon = True
    return connection


_checked: list[bool] = []


def _check_once() -> None:
    if not _checked:
        check_aiosqlite()
        _checked.append(True)


def creator(connect_args: Callable[[], tuple[Sequence[Any], dict[str, Any]]]) -> Callable[[], Awaitable[Any]]:
    """An ``async_creator`` for SQLAlchemy that opens :class:`LoopAwareConnection` with the URL's arguments."""

    async def create() -> LoopAwareConnection:
        args, kwargs = connect_args()
        return await connect(*args, **kwargs)

    return create


def read_now(driver: Any, sql: str, params: Sequence[Any]) -> list[Any] | None:
    """The rows of a small SELECT run right here, or None when ``driver`` is not a loop-aware connection."""
    if not isinstance(driver, LoopAwareConnection):
        return None
    return driver._conn.execute(sql, params).fetchall()


READER_KEY = "duban.loop_reader"  # where Database.session() puts the reader in ``AsyncSession.info``


class LoopReader:
    """A query-only SQLite connection for small SELECTs on the event loop thread, outside any transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._thread = threading.get_ident()

    @classmethod
    def open(cls, path: str) -> LoopReader | None:
        """A reader on the database file at ``path``, or None when the file is not in WAL mode."""
        connection = sqlite3.connect(path, check_same_thread=False)
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.close()  # a reader could then block writers, and wait for them on the loop
                return None
            connection.execute("PRAGMA query_only=ON")
            connection.execute("PRAGMA mmap_size=0")
            connection.execute("PRAGMA busy_timeout=100")
        except sqlite3.Error:
            connection.close()
            return None
        return cls(connection)

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """The rows of a small SELECT, or None when it must go the usual way (another thread, SQLite busy)."""
        if threading.get_ident() != self._thread:
            return None
        try:
            return self._connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return None  # the session's own path runs it again and reports any real error properly

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()
