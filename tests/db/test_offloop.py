"""Long work off the event loop (bot.db.offloop): another process, the same database, its own transaction."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.core import Core
from bot.db import Database
from bot.db.models import Person
from bot.db.offloop import off_loop, restart_workers, shareable
from bot.redact import Redactor

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


async def _pid_and_people(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        return os.getpid(), int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def _add_then_fail(db: Database, name: str) -> None:
    async with db.session() as session:
        session.add(Person(name=name, created_at=NOW))
        await session.flush()
        raise ValueError("refused after the insert")


async def _spin(db: Database, seconds: float) -> int:
    """Pure Python for ``seconds``: what a big parse or plan looks like to the interpreter."""
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += sum(range(1000))
    return n


async def _die(db: Database) -> None:
    os._exit(3)


async def test_work_runs_in_another_process_on_the_same_database(core: Core) -> None:
    async with core.db.session() as session:
        session.add(Person(name="张三", created_at=NOW))
    pid, people = await off_loop(core.db, _pid_and_people)
    assert pid != os.getpid() and people == 1


async def test_a_failing_job_rolls_back_its_own_transaction_and_its_error_comes_back(core: Core) -> None:
    with pytest.raises(ValueError, match="refused after the insert"):
        await off_loop(core.db, _add_then_fail, "李四")
    assert (await _pid_and_people(core.db))[1] == 0


async def test_the_loop_keeps_ticking_while_a_worker_computes(core: Core) -> None:
    ticks: list[float] = []
    job = asyncio.create_task(off_loop(core.db, _spin, 1.5))
    while not job.done():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        ticks.append(time.perf_counter() - before)
    assert await job > 0
    assert len(ticks) > 50  # on the loop, the spin would have allowed none
    assert max(ticks) < 1.0  # lenient (a loaded machine); bench/bench_eventloop.py holds the targets


async def test_a_dead_worker_is_replaced_by_a_fresh_pool(core: Core) -> None:
    with pytest.raises(BrokenProcessPool):
        await off_loop(core.db, _die)
    pid, _ = await off_loop(core.db, _pid_and_people)
    assert pid != os.getpid()


async def test_an_in_memory_database_is_worked_on_the_loop() -> None:
    assert not shareable("sqlite+aiosqlite:///:memory:") and not shareable("sqlite+aiosqlite://")
    assert shareable("sqlite+aiosqlite:////tmp/x.sqlite3") and shareable("postgresql+asyncpg://u@h/db")
    db = Database("sqlite+aiosqlite:///:memory:")
    try:
        await db.create_all()
        pid, people = await off_loop(db, _pid_and_people)
        assert (pid, people) == (os.getpid(), 0)
    finally:
        await db.dispose()


async def _log_a_secret(db: Database, secret: str) -> str:
    """In the worker: what its root log handler writes for a warning that quotes ``secret``."""
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    logging.getLogger("duban.test").warning("token %s rejected", secret)
    return buffer.getvalue()


async def test_workers_log_like_the_bot_with_its_secrets_masked(core: Core) -> None:
    secret = "123456:AAH-worker-secret-token-value"
    handler = logging.StreamHandler(io.StringIO())
    handler.addFilter(Redactor([secret]))
    logging.getLogger().addHandler(handler)
    try:
        restart_workers()  # workers take the bot's logging set-up when they start
        line = await off_loop(core.db, _log_a_secret, secret)
    finally:
        logging.getLogger().removeHandler(handler)
        restart_workers()
    assert "rejected" in line and "duban.test" in line
    assert secret not in line and "AAH-worker" not in line


async def _opened_ahead(db: Database) -> tuple[bool, int]:
    """Whether the worker's job got the database its worker opened at start, and how many people it sees."""
    from bot.db import offloop

    return offloop._opened is not None and offloop._opened[1] is db, (await _pid_and_people(db))[1]


async def test_a_worker_opens_the_bots_database_before_its_job_and_another_database_still_works(core: Core, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not shareable(core.db.url):
        pytest.skip("an in-memory database runs its jobs on the loop")
    async with core.db.session() as session:
        session.add(Person(name="张三", created_at=NOW))
    restart_workers()  # the next pool's workers open core.db's database as they start
    assert await off_loop(core.db, _opened_ahead) == (True, 1)
    other = Database(f"sqlite+aiosqlite:///{tmp_path / 'other.sqlite3'}")
    await other.create_all()
    try:
        assert await off_loop(other, _opened_ahead) == (False, 0)  # a job naming another database opens it itself
    finally:
        await other.dispose()
    restart_workers()
