"""Alembic migrations, run programmatically (``duban db upgrade`` and automatic upgrade of embedded SQLite)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

HEAD_REVISION = "0012"  # a test checks it against the migrations' head

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    """An Alembic config pointing at Duban's migrations and ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))

    def _upgrade(connection) -> None:  # type: ignore[no-untyped-def]
        cfg.attributes["connection"] = connection
        from alembic import command

        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def current(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    def _current(connection) -> str | None:  # type: ignore[no-untyped-def]
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is already at HEAD_REVISION (checked without importing Alembic)."""
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar() == HEAD_REVISION
    except DBAPIError:
        return False
