"""Only one Telegram poller across replicas (a lease in PostgreSQL), so no second getUpdates draws 409 Conflict."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest
from telegram.ext import Application, MessageHandler, filters

from bot.channels.telegram_lease import LEASE_NAME, LeasedUpdater, leased
from bot.db import Database
from bot.services.lease import Lease
from tests.fakes.telegram_api import fake_telegram, running  # noqa: F401  (fixture)
from tests.service.pg_replicas import second_engine

pytestmark = pytest.mark.postgres


async def replicas(db: Database) -> Database:
    if db.is_sqlite:
        pytest.skip("one process per SQLite database: the lease is always granted")
    return await second_engine(db)


async def test_lease_is_taken_over_only_after_it_expires(db):
    other = await replicas(db)
    a, b = Lease(db, "x", "a:1", ttl=0.6), Lease(other, "x", "b:2", ttl=0.6)
    try:
        assert await a.take() and not await b.take()
        await asyncio.sleep(0.35)
        assert await a.take()  # renewed: still a's
        await asyncio.sleep(0.35)
        assert not await b.take()  # a renewed 0.35 s ago
        await asyncio.sleep(0.4)  # a stopped renewing (killed): its lease expires
        assert await b.take() and not await a.take()
        await b.release()
        assert await a.take()
    finally:
        await other.dispose()


def test_sqlite_keeps_the_plain_updater(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    sentinel = object()
    assert leased(sentinel, db, "a:1") is sentinel  # type: ignore[arg-type]
    assert leased(None, db, "a:1") is None


def replica_app(fake, seen: list[str], name: str, db: Database | None, ttl: float = 1.5) -> Application:
    app = fake.application_builder().build()
    if db is not None:
        app.updater = LeasedUpdater(app.updater, Lease(db, LEASE_NAME, name, ttl=ttl), every=0.2)

    async def record(update, context) -> None:
        seen.append(name)

    app.add_handler(MessageHandler(filters.TEXT, record))
    return app


async def exchange(fake, seen: list[str], count: int) -> None:
    start = len(seen)
    for i in range(count):
        await fake.user_sends(501, f"hello {i}")
    for _ in range(100):
        if len(seen) >= start + count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {len(seen) - start} of {count} updates handled")


async def test_two_replicas_poll_one_at_a_time_and_the_second_takes_over(db, fake_telegram):  # noqa: F811
    other = await replicas(db)
    fake_telegram.add_user(501, "Li")
    seen: list[str] = []
    a = replica_app(fake_telegram, seen, "a", db)
    b = replica_app(fake_telegram, seen, "b", other)
    try:
        async with AsyncExitStack() as both:
            await both.enter_async_context(running(a))
            await asyncio.sleep(0.3)  # a takes the lease first
            await both.enter_async_context(running(b))
            await asyncio.sleep(1.0)  # several renewals, and b asking for the lease
            assert a.updater.polling and not b.updater.polling
            await exchange(fake_telegram, seen, 3)
            assert seen == ["a", "a", "a"]
            # a stops (a rolling restart): it gives the lease up and b polls within one renewal period.
            await a.updater.stop()
            await a.stop()
            for _ in range(40):
                if b.updater.polling:
                    break
                await asyncio.sleep(0.05)
            assert b.updater.polling
            await exchange(fake_telegram, seen, 2)
            assert seen[3:] == ["b", "b"]
            assert fake_telegram.stats.by_status[409] == 0
            # The control: a plain updater polling beside b's draws 409 Conflict, as Telegram answers.
            await a.start()  # for running()'s own stop on exit
            a.updater = fake_telegram.application_builder().build().updater
            await a.updater.initialize()
            await a.updater.start_polling(poll_interval=0, timeout=1)
            await fake_telegram.wait_until(lambda: fake_telegram.stats.by_status[409] > 0, 5, "409")
            conflicts_without_lease = fake_telegram.stats.by_status[409]
    finally:
        await other.dispose()
    assert conflicts_without_lease > 0
