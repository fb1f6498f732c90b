"""Long work off the event loop: a worker process with its own event loop and its own database engine.

A 10,000-row import or the daily pass over a large table spends seconds in Python (parsing, SQLAlchemy
building and reading rows, planning). Run on the bot's event loop, every other chat waits that long. A
worker thread is not enough: it shares the GIL, and the loop thread gives the GIL up at every SQLite step
and socket call, then waits up to a switch interval (5 ms) to get it back; a listing reading a few hundred
rows waited over a second while a thread imported. So the work runs in a worker process (a small pool,
started on first use from a fork server that has the importer loaded, at a lower CPU priority), on a fresh
event loop, through a second engine on the same database built from the same URL and options.

``work`` must be a module-level coroutine function and its arguments and result picklable: keep both small
(the result is unpickled on the loop). Transactions are the worker's own: what it does inside one
``session()`` commits or rolls back as one, so an import stays all or nothing. An in-memory SQLite
database cannot be opened from another process; then the work runs on the loop as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from bot.db.session import Database
from bot.logformat import JsonFormatter, log_handler
from bot.redact import Redactor, install_redactor

T = TypeVar("T")

WORKERS = 2  # an import and the daily pass can run side by side
WARM_SECONDS = 5.0  # how long a starting worker waits to connect before leaving it to its job
NICENESS = 10  # the workers' CPU weight is about a tenth of the bot's when both want the CPU
# Loaded once, in the fork server, so each worker starts with the importer's libraries in place. A module whose
# jobs must start quickly adds itself with preload() (the scheduler does: a fresh worker per pass would otherwise
# import it anew, about 0.2 s of every pass); any other module is imported by the worker when a job names it.
PRELOAD = ["bot.services.imports", "bot.db.session"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _executor(db: Database) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # A fork server, not a plain fork: forking the bot itself would copy locks other threads hold.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            # One job per worker: a worker ends with its job and the pool forks a fresh one from the fork
            # server, so the hundreds of MB a 100,000-task pass allocates go back to the system instead of
            # staying with an idle worker until the next day (CPython keeps freed memory in its arenas).
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=context, initializer=_start_worker,
                initargs=(*_logging_recipe(), db.twin_recipe()),
                max_tasks_per_child=1,
            )
        return _pool


def preload(module: str) -> None:
    """Have the workers start with ``module`` imported (takes effect when the pool is next started)."""
    if module not in PRELOAD:
        PRELOAD.append(module)


def _logging_recipe() -> tuple[int, str, tuple[str, ...]]:
    """The bot's log level, line format and the secrets its redactors mask, for the workers to log alike."""
    root = logging.getLogger()
    secrets = {s for h in root.handlers for f in h.filters if isinstance(f, Redactor) for s in f.secrets}
    fmt = "json" if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers) else "text"
    return root.level, fmt, tuple(sorted(secrets))


# In a worker: the database its job will most likely name, opened (and on PostgreSQL connected) when the worker
# started, with the event loop it is bound to.
_opened: tuple[tuple[str, dict[str, Any]], Database, asyncio.AbstractEventLoop] | None = None


def _start_worker(level: int, fmt: str, secrets: tuple[str, ...], recipe: tuple[str, dict[str, Any]]) -> None:
    """In each worker: log as the bot does, secrets masked, and a lower CPU priority so chats run first; then open
    the bot's database ahead of the job. Workers start long before their job (each replaces the last one's), so
    a 09:00 pass does not begin by starting a database server process whose work the chats would wait behind."""
    global _opened
    logging.basicConfig(level=level, handlers=[log_handler(sys.stderr, fmt)], force=True)
    install_redactor(Redactor(secrets))
    os.nice(NICENESS)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    url, options = recipe
    db = Database(url, **options)
    try:
        # A database away now is no error: the job connects when it runs, and reports what it finds then.
        loop.run_until_complete(db.warm(1, timeout=WARM_SECONDS))
    except Exception:
        with contextlib.suppress(Exception):
            loop.run_until_complete(db.dispose())
        return
    _opened = (recipe, db, loop)


async def off_loop(db: Database, work: Callable[..., Awaitable[T]], *args: Any) -> T:
    """``await work(db', *args)`` in a worker process, where ``db'`` is a twin of ``db`` opened there."""
    if not shareable(db.url):
        return await work(db, *args)
    pool = _executor(db)
    try:
        # Submitted from a thread: the first submissions start the fork server and the workers, and wait
        # for them (seconds on a busy machine), which must not happen on the loop.
        future = await asyncio.to_thread(pool.submit, _in_worker, db.twin_recipe(), work, args)
        return await asyncio.wrap_future(future)
    except BrokenProcessPool:
        _forget(pool)  # a worker died (killed, out of memory): the next call starts a fresh pool
        raise


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None


def restart_workers() -> None:
    """Stop the worker pool (waiting for running work); the next job starts fresh workers with today's logging."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)


def _in_worker(recipe: tuple[str, dict[str, Any]], work: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
    """In the worker process: the work on the twin database (the one opened at the worker's start when it is the
    one named, on that loop; else opened now on a fresh loop), then close it."""

    async def main(db: Database) -> T:
        try:
            return await work(db, *args)
        finally:
            await db.dispose()

    if _opened is not None and _opened[0] == recipe:
        _, db, loop = _opened
        try:
            return loop.run_until_complete(main(db))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    url, options = recipe
    return asyncio.run(main(Database(url, **options)))


def shareable(url: str) -> bool:
    """Whether another process opening ``url`` sees the same data (not an in-memory SQLite database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return bool(database) and database != ":memory:" and "mode=memory" not in str(parsed)

