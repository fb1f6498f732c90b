"""Read-only SELECTs for the hot paths, without SQLAlchemy's per-statement overhead or thread round trips.

aiosqlite runs SQLite in a worker thread, and SQLAlchemy's adapter makes four round trips per statement
(cursor, execute, fetchall, close); each is a thread wake-up, which costs more than a small query. Here a
statement built once is compiled once and run on the event loop: by the session's loop reader while the
session has not begun a transaction, else on the session's own connection and transaction (see
``bot.db.sqlite_conn``). On PostgreSQL the compiled statement goes straight to asyncpg, which prepares it
once per connection, with no ORM result building. Its columns are converted with SQLAlchemy's own type
processors. Other databases simply go through ``session.execute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.sqlite_conn import READER_KEY, read_now


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    # (column index, converter) for the columns that need converting, e.g. SQLite's text dates.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


_PREPARED: dict[tuple[int, str], _Prepared] = {}
# Statements handed in are kept alive here, so the id() keys above are never reused by another object.
_KEEP: dict[int, Select] = {}


def _prepare(stmt: Select, dialect: Dialect) -> _Prepared:
    key = (id(stmt), dialect.name)
    prepared = _PREPARED.get(key)
    if prepared is not None:
        return prepared
    compiled = stmt.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("prepared statements must not hold IN lists of parameters")
    names = tuple(compiled.positiontup or ())
    processors = tuple(
        (index, process)
        for index, column in enumerate(stmt.selected_columns)
        if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
    )
    prepared = _Prepared(str(compiled), names, dict(compiled.params), processors)
    _PREPARED[key] = prepared
    _KEEP[id(stmt)] = stmt
    return prepared


async def fetch_rows(
    session: AsyncSession, stmt: Select, params: Mapping[str, Any] | None = None
) -> list[Sequence[Any]]:
    """All rows of ``stmt`` with converted values.

    ``stmt`` must be built once and reused (cached), and its parameters must be plain ints and strings: they
    are passed to SQLite as they are.
    """
    params = params or {}
    reader = session.info.get(READER_KEY)
    if reader is not None and not session.in_transaction():
        # Nothing written in this session yet: the loop reader sees what its connection would.
        prepared = _prepare(stmt, session.bind.dialect)
        rows = reader.rows(prepared.sql, _values(prepared, params))
        if rows is not None:
            return _converted(prepared, rows)
    connection = await session.connection()
    if connection.dialect.driver == "asyncpg":
        return await _fetch_asyncpg(connection, stmt, params)
    if connection.dialect.name != "sqlite" or connection.dialect.driver != "aiosqlite":
        return list((await session.execute(stmt, params)).all())
    prepared = _prepare(stmt, connection.dialect)
    values = _values(prepared, params)
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection  # the aiosqlite.Connection under SQLAlchemy's adapter
    assert driver is not None
    # These statements are small and indexed: run them on the loop rather than pay a thread round trip.
    rows = read_now(driver, prepared.sql, values)
    if rows is None:
        rows = await driver.execute_fetchall(prepared.sql, values)
    return _converted(prepared, rows)


async def _fetch_asyncpg(connection: AsyncConnection, stmt: Select, params: Mapping[str, Any]) -> list[Sequence[Any]]:
    """``stmt`` straight through asyncpg, which prepares it once per connection and caches it."""
    prepared = _prepare(stmt, connection.dialect)
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection  # the asyncpg.Connection under SQLAlchemy's adapter
    assert driver is not None
    # Inside the session's transaction once it has begun one (same connection); before that, a lone read
    # needs none, which spares the BEGIN and ROLLBACK round trips SQLAlchemy's adapter would add.
    return _converted(prepared, await driver.fetch(prepared.sql, *_values(prepared, params)))


def _values(prepared: _Prepared, params: Mapping[str, Any]) -> list[Any]:
    return [params[name] if name in params else prepared.defaults[name] for name in prepared.names]


def _converted(prepared: _Prepared, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    if not prepared.processors:
        return [tuple(row) for row in rows]
    converted: list[Sequence[Any]] = []
    for row in rows:
        cells = list(row)
        for index, process in prepared.processors:
            if cells[index] is not None:
                cells[index] = process(cells[index])
        converted.append(cells)
    return converted
