"""Engines and sessions: embedded SQLite (WAL, foreign keys) by default, PostgreSQL via asyncpg."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only  # the name in both 2.0 and 2.1

from bot.db import sqlite_conn
from bot.db.models import Base

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # Writers wait their turn: while a CLI import holds the write lock, the bot's writes queue up behind it
    # instead of failing with "database is locked" (set before journal_mode, which itself may wait).
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the scheduler read while a chat import writes; NORMAL is durable enough with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No memory-mapped reads: every mapped page a query touches stays in the process's RSS (40 MB at 100,000
    # tasks, against a 100 MB budget), while reads through SQLite's page cache are as fast for a listing.
    cursor.execute("PRAGMA mmap_size=0")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, connect_args: dict | None = None,
                busy_timeout: float = 30.0) -> AsyncEngine:
    """An async engine for ``url``, with SQLite tuned for one embedded process."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine: AsyncEngine | None = None

        def url_args() -> tuple:
            assert engine is not None
            args, kwargs = engine.sync_engine.dialect.create_connect_args(engine.sync_engine.url)
            return args, {**kwargs, **(connect_args or {})}

        # The URL's own arguments still apply; only the connection class differs (see bot.db.sqlite_conn).
        engine = create_async_engine(url, echo=echo, async_creator=sqlite_conn.creator(url_args))
        event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, busy_ms=busy_timeout * 1000))
        return engine
    args = dict(connect_args or {})
    if parsed.get_driver_name() == "asyncpg":
        # No JIT: Duban's statements are short, and JIT compiled asyncpg's type introspection on each new
        # connection (a pass's worker opens one) and the pass's task query, for far more CPU than they take.
        args["server_settings"] = {"jit": "off", **args.get("server_settings", {})}
    engine = create_async_engine(url, echo=echo, pool_pre_ping=True, connect_args=args)
    if engine.dialect.driver == "asyncpg":
        engine.sync_engine.dialect.do_ping = _ping_asyncpg  # type: ignore[method-assign]
    return engine


def _ping_asyncpg(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """The pool's pre-ping in one round trip: a bare ";" on the asyncpg connection.

    SQLAlchemy's own asyncpg ping wraps ";" in BEGIN and ROLLBACK (for PgBouncer's transaction mode), three
    round trips on every checkout, as many as the rest of a 我的任务 call. Errors are translated as its ping
    translates them, so a dead connection is still recognised as a disconnect and replaced.
    """
    driver = getattr(dbapi_connection, "_connection", None)
    handle = getattr(dbapi_connection, "_handle_exception", None)
    if driver is None or handle is None or getattr(dbapi_connection, "_transaction", None) is not None:
        dbapi_connection.ping()  # an adapter this does not know, or one inside a transaction: its own way
        return True
    try:
        await_only(driver.fetchrow(";"))
    except Exception as error:  # noqa: BLE001 - translated to the DBAPI's errors, as the adapter does
        handle(error)
    return True


class Database:
    """An engine with its session factory."""

    def __init__(self, url: str, *, echo: bool = False, connect_args: dict | None = None,
                 busy_timeout: float = 30.0) -> None:
        self.url = url
        self._options = (echo, connect_args, busy_timeout)  # for twin_recipe()
        self.engine = make_engine(url, echo=echo, connect_args=connect_args, busy_timeout=busy_timeout)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader: sqlite_conn.LoopReader | None = None
        self._reader_path = _plain_sqlite_file(url)
        self._wal_set = False
        if self._reader_path is not None:
            # The first pooled connection puts the file into WAL mode; only then may a reader join it.
            event.listen(self.engine.sync_engine, "connect", self._connected)

    def _connected(self, _dbapi_connection: object, _record: object) -> None:
        self._wal_set = True

    def _loop_reader(self) -> sqlite_conn.LoopReader | None:
        if self._reader is None and self._wal_set and self._reader_path is not None:
            self._reader = sqlite_conn.LoopReader.open(self._reader_path)
            if self._reader is None:
                self._reader_path = None  # not WAL after all: do not try again
        return self._reader

    def twin_recipe(self) -> tuple[str, dict]:
        """The URL and options that open this same database elsewhere (a worker process, bot.db.offloop)."""
        echo, connect_args, busy_timeout = self._options
        return self.url, {"echo": echo, "connect_args": connect_args, "busy_timeout": busy_timeout}

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        session = self.sessions()
        try:
            reader = self._loop_reader()
            if reader is not None:
                session.info[sqlite_conn.READER_KEY] = reader
            yield session
            # The transaction begins with the first statement that needs one: a request that only read
            # through the loop reader has nothing to commit.
            if session.in_transaction():
                await session.commit()
        finally:
            # Only an open transaction holds a connection (after an error, or a failed commit). Closing is
            # shielded so that a cancelled request still hands its connection back to the pool.
            if session.in_transaction():
                await asyncio.shield(session.close())

    async def warm(self, connections: int = 3, *, timeout: float = 10.0) -> bool:
        """Open ``connections`` pooled connections now (PostgreSQL), so that the first chats and the first pass of
        a fresh process do not each wait for a new connection (a backend to start, asyncpg's type lookups).
        Whether it could: a database that is away is not an error here (/readyz reports it; requests retry)."""
        if self.is_sqlite:
            return True
        held = []
        try:
            async with asyncio.timeout(timeout):
                for _ in range(connections):
                    held.append(await self.engine.connect())
            return True
        except (OSError, TimeoutError, SQLAlchemyError) as error:
            log.warning("database not reachable at start (%s); connections open as requests need them", type(error).__name__)
            return False
        finally:
            for conn in held:
                await conn.close()

    async def create_all(self) -> None:
        """Create every table straight from the models (tests and throwaway demo databases)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def drop_all(self) -> None:
        """Drop every table (tests only)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)

    async def dispose(self) -> None:
        """Close all pooled connections."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        await self.engine.dispose()


def _plain_sqlite_file(url: str) -> str | None:
    """The file of an SQLite URL naming a plain file (no in-memory database, no URI options), else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query:
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return parsed.database
