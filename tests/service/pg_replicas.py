"""Helpers for replica tests: a second engine on the test's PostgreSQL schema, as another replica has."""

from __future__ import annotations

from sqlalchemy import text

from bot.core import Core
from bot.db import Database
from config import Settings


async def second_engine(db: Database) -> Database:
    """Another Database (its own pool and connections) on the same schema as ``db``."""
    async with db.engine.connect() as conn:
        schema = (await conn.execute(text("SELECT current_schema()"))).scalar()
    return Database(db.url, connect_args={"server_settings": {"search_path": schema}})


async def replica_core(db: Database, settings: Settings) -> Core:
    """A core as a second replica builds it: same settings, its own engine."""
    core = Core(settings=settings, db=await second_engine(db))
    await core.reload_calendar()
    return core
