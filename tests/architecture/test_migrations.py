"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.db import Base, Database
from bot.db.migrate import current, upgrade


async def test_upgrade_reaches_head_and_matches_models(db: Database) -> None:
    await db.drop_all()
    await upgrade(db.engine)
    assert await current(db.engine) is not None

    def diff(connection):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.drop_all()
    await upgrade(db.engine)
    await upgrade(db.engine)
    assert await current(db.engine) is not None


def test_head_revision_constant_matches_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from bot.db.migrate import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD_REVISION


async def test_open_core_migrates_a_fresh_sqlite_file_and_skips_alembic_when_at_head(tmp_path) -> None:
    from bot.app import open_core
    from bot.db.migrate import at_head
    from config import Settings

    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")  # type: ignore[call-arg]
    core = await open_core(settings)
    assert await at_head(core.db.engine)
    await core.db.dispose()
