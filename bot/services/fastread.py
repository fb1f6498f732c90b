"""Read-only SELECTs for the hot paths, in one round trip to SQLite's worker thread.

aiosqlite runs SQLite in a worker thread, and SQLAlchemy's adapter makes four round trips per statement
(cursor, execute, fetchall, close); each is a thread wake-up, which is most of the cost of a small query.
Here a statement built once is compiled once, run with aiosqlite's ``execute_fetchall`` (one round trip) on
the session's own connection and transaction, and its columns are converted with SQLAlchemy's own type
processors. Other databases simply go through ``session.execute``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession


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
    connection = await session.connection()
    if connection.dialect.name != "sqlite" or connection.dialect.driver != "aiosqlite":
        return list((await session.execute(stmt, params)).all())
    prepared = _prepare(stmt, connection.dialect)
    values = [params[name] if name in params else prepared.defaults[name] for name in prepared.names]
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection  # the aiosqlite.Connection under SQLAlchemy's adapter
    assert driver is not None
    rows = await driver.execute_fetchall(prepared.sql, values)
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
