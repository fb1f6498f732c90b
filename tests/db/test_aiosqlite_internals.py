"""bot/db/sqlite_conn.py reaches into aiosqlite's internals: a differently shaped aiosqlite must fail loudly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from bot.db.sqlite_conn import UnsupportedAiosqlite, check_aiosqlite


def test_the_installed_aiosqlite_is_one_this_code_was_written_for() -> None:
    check_aiosqlite()


def test_a_version_outside_the_pinned_range_is_refused() -> None:
    with pytest.raises(UnsupportedAiosqlite, match="version 0.23.0 is outside"):
        check_aiosqlite(version="0.23.0")


class _ThreadSubclassConnection:
    """Shaped like aiosqlite before 0.21: the connection was itself the worker thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        self._connector = connector
        self._connection: sqlite3.Connection | None = None


class _RenamedConnection:
    """Shaped like a hypothetical later aiosqlite that renamed its constructor arguments."""

    def __init__(self, factory: Callable[[], sqlite3.Connection], chunk: int) -> None:
        self._thread = None

    @property
    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError


@pytest.mark.parametrize(
    ("shape", "complaint"),
    [(_ThreadSubclassConnection, "no _conn property"), (_RenamedConnection, r"not \(connector, iter_chunk_size\)")],
)
def test_a_differently_shaped_connection_is_refused_with_what_differs(shape: type, complaint: str) -> None:
    with pytest.raises(UnsupportedAiosqlite, match=complaint):
        check_aiosqlite(shape, version="0.22.1")
