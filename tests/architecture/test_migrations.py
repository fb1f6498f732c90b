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
