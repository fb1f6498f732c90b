"""Embedded SQLite without needless thread hops: what each read sees, and that writes still commit."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.db.models import Person
from bot.db.sqlite_conn import READER_KEY, LoopAwareConnection, LoopReader, connect
from bot.services.fastread import fetch_rows

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)
NAMES = select(Person.name).order_by(Person.name)  # built once, as fetch_rows requires


@pytest.fixture
async def sqlite_db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'duban.sqlite3'}")
    await database.create_all()
    async with database.session() as session:
        session.add(Person(name="张三", created_at=NOW))
    yield database
    await database.dispose()


async def _names(session) -> list[str]:
    return [row[0] for row in await fetch_rows(session, NAMES)]


async def test_a_session_that_only_reads_never_begins_a_transaction(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        assert isinstance(session.info.get(READER_KEY), LoopReader)
        assert await _names(session) == ["张三"]
        assert not session.in_transaction()  # answered by the loop reader: no pooled connection checked out


async def test_reads_after_a_write_see_it_and_other_sessions_do_not_until_commit(sqlite_db: Database) -> None:
    async with sqlite_db.session() as writer:
        writer.add(Person(name="李四", created_at=NOW))
        await writer.flush()
        assert writer.in_transaction()
        assert await _names(writer) == ["张三", "李四"]  # its own connection and transaction
        async with sqlite_db.session() as other:
            assert await _names(other) == ["张三"]
    async with sqlite_db.session() as later:
        assert await _names(later) == ["张三", "李四"]


async def test_an_error_rolls_back_and_a_success_commits(sqlite_db: Database, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        async with sqlite_db.session() as session:
            session.add(Person(name="王五", created_at=NOW))
            await session.flush()
            raise RuntimeError("boom")
    async with sqlite_db.session() as session:
        session.add(Person(name="赵六", created_at=NOW))
    with sqlite3.connect(tmp_path / "duban.sqlite3") as plain:
        assert [r[0] for r in plain.execute("SELECT name FROM people ORDER BY id")] == ["张三", "赵六"]


async def test_the_reader_declines_other_threads_and_the_session_answers_instead(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        reader = session.info[READER_KEY]
        assert await asyncio.to_thread(reader.rows, "SELECT 1", []) is None
        assert reader.rows("SELECT 1", []) == [(1,)]


async def test_no_reader_for_a_file_that_is_not_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "rollback.sqlite3"
    with sqlite3.connect(path) as plain:
        plain.execute("PRAGMA journal_mode=DELETE")
        plain.execute("CREATE TABLE t (x)")
    assert LoopReader.open(str(path)) is None


async def test_no_reader_for_an_in_memory_database() -> None:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_all()
    async with database.session() as session:
        assert READER_KEY not in session.info
        session.add(Person(name="张三", created_at=NOW))
        await session.flush()
        assert await _names(session) == ["张三"]
    await database.dispose()


async def test_commit_and_rollback_wake_the_worker_only_inside_a_transaction(tmp_path: Path) -> None:
    connection = await connect(tmp_path / "c.sqlite3")
    assert isinstance(connection, LoopAwareConnection)
    queued: list[str] = []
    library_execute = connection._execute

    async def counting(fn, *args, **kwargs):  # counts what aiosqlite hands its worker thread
        queued.append(getattr(fn, "__name__", "?"))
        return await library_execute(fn, *args, **kwargs)

    connection._execute = counting  # type: ignore[method-assign]
    await connection.commit()
    await connection.rollback()
    assert queued == []
    await connection.execute("CREATE TABLE t (x)")
    await connection.execute("INSERT INTO t VALUES (1)")
    await connection.commit()
    assert queued[-1] == "commit"
    await connection.close()
    with sqlite3.connect(tmp_path / "c.sqlite3") as plain:
        assert plain.execute("SELECT x FROM t").fetchall() == [(1,)]
