"""The composition root: builds the core and wires channels, handlers and the scheduler together."""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import resources
from pathlib import Path

from bot.db import Database
from bot.db.clock import UTC
from bot.db.migrate import upgrade
from bot.core import Core
from config import Settings

log = logging.getLogger("duban")

SAMPLE_TABLE = "sample-2023-tasks.xlsx"


def system_now() -> datetime:
    """The real clock; the only place outside the channels that reads it."""
    return datetime.now(UTC)


def sample_table() -> tuple[str, bytes]:
    """The bundled 2023 sample table (沅江市 2023 责任分解表) as (file name, bytes)."""
    return SAMPLE_TABLE, resources.files("bot.data").joinpath(SAMPLE_TABLE).read_bytes()


async def open_core(settings: Settings, *, migrate: bool | None = None) -> Core:
    """Open the database (upgrading an embedded SQLite by itself) and build the core."""
    db = Database(settings.database.url, echo=settings.database.echo)
    if migrate if migrate is not None else db.is_sqlite:
        await upgrade(db.engine)
    core = Core(settings=settings, db=db)
    await core.reload_calendar()
    return core


def demo_database(folder: Path) -> str:
    """A fresh embedded SQLite URL for the console demo, replacing an earlier demo file."""
    path = folder / "duban-demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


def configure_logging(level: str) -> None:
    """Plain log lines; secrets never reach them because settings keep tokens as SecretStr."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
