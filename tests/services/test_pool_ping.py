"""PostgreSQL's pool pre-ping costs one round trip per checkout, and still replaces a connection the server dropped."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.db import Database
from bot.services import queries
from bot.services.fastread import fetch_rows


async def _backend_pid(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(text("SELECT pg_backend_pid()")))


async def test_a_read_sends_only_the_ping_and_its_statement(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("the pre-ping is PostgreSQL's")
    await _backend_pid(db)  # one pooled connection, checked in again
    records: list = []
    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
    driver.add_query_logger(records.append)  # what the next checkout sends the server
    async with db.session() as s:
        await fetch_rows(s, queries.newest_table())
    await asyncio.sleep(0)  # asyncpg calls its query loggers soon, not at once
    driver.remove_query_logger(records.append)
    seen = [record.query for record in records]
    # SQLAlchemy's own asyncpg ping would wrap ";" in BEGIN and ROLLBACK: three round trips instead of one.
    assert [q.strip() for q in seen[:1]] == [";"] and not any(q.strip() in ("BEGIN;", "ROLLBACK;") for q in seen), seen
    assert len(seen) == 2, seen


async def test_a_connection_the_server_dropped_is_replaced_before_use(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("the pre-ping is PostgreSQL's")
    first = await _backend_pid(db)
    other = Database(db.url)
    async with other.engine.begin() as conn:
        await conn.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
    await other.dispose()
    # The pooled connection is dead now: the ping notices, and the pool opens a new one instead of failing.
    second = await _backend_pid(db)
    assert second != first


async def test_warm_opens_the_pool_ahead_of_the_first_requests(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite's connections are files, opened as needed")
    await db.engine.dispose()
    assert db.engine.pool.checkedin() == 0
    await db.warm(3)
    assert db.engine.pool.checkedin() == 3 and db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_warm_with_the_database_away_says_so_and_does_not_fail_the_start() -> None:
    away = Database("postgresql+asyncpg://postgres@127.0.0.1:1/duban")  # nothing listens on port 1
    try:
        assert await away.warm(3, timeout=5) is False
    finally:
        await away.dispose()
