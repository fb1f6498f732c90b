"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL when one is reachable."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.registry import record_capabilities
from bot.core import Core
from bot.db import Database
from config import Settings

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
if not FIXTURES.is_dir():  # CI lays shared/ beside the clone; a local checkout may sit elsewhere
    FIXTURES = Path(os.environ.get("DUBAN_FIXTURES", "/work/shared/fixtures"))

POSTGRES_URL = os.environ.get("DUBAN_TEST_POSTGRES_URL")


def _postgres_reachable(url: str) -> bool:
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return False

    async def probe() -> None:
        db = Database(url)
        try:
            async with db.engine.connect():
                pass
        finally:
            await db.dispose()

    try:
        asyncio.run(asyncio.wait_for(probe(), 5))
        return True
    except Exception:
        return False


_PG_OK = bool(POSTGRES_URL) and _postgres_reachable(POSTGRES_URL or "")
_PG_REASON = (
    "PostgreSQL not configured: set DUBAN_TEST_POSTGRES_URL=postgresql+asyncpg://… (CI does)"
    if not POSTGRES_URL
    else "PostgreSQL at DUBAN_TEST_POSTGRES_URL is not reachable"
)


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of real published documents."""
    return FIXTURES


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database with the schema, on SQLite and (when reachable) PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'duban.sqlite3'}")
        await database.create_all()
        yield database
        await database.dispose()
        return
    if not _PG_OK:
        if os.environ.get("CI") and POSTGRES_URL:
            pytest.fail(_PG_REASON)
        pytest.skip(_PG_REASON)
    # One schema per test keeps PostgreSQL tests independent without creating databases.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)  # type: ignore[arg-type]
    async with admin.engine.begin() as conn:
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    await admin.dispose()
    database = _with_search_path(POSTGRES_URL, schema)  # type: ignore[arg-type]
    await database.create_all()
    yield database
    await database.dispose()
    admin = Database(POSTGRES_URL)  # type: ignore[arg-type]
    async with admin.engine.begin() as conn:
        await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    await admin.dispose()


def _with_search_path(url: str, schema: str) -> Database:
    return Database(url, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    return Settings(_env_file=None, admins=["console:admin", "telegram:1000"])  # type: ignore[call-arg]


@pytest.fixture
async def core(db: Database, settings: Settings) -> Core:
    """The core dependencies over the test database."""
    settings.database.url = db.url
    c = Core(settings=settings, db=db)
    record_capabilities(c)  # as bot.app.open_core does: the console reaches nobody who is not typing
    await c.reload_calendar()
    return c
