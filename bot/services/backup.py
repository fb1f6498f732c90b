"""Backing up and restoring the database: SQLite through its online backup API, PostgreSQL with pg_dump/pg_restore.

The PostgreSQL password reaches the child through ``PGPASSWORD`` only: a command line is visible to every user of
the machine (``ps``), and Duban logs the command it runs.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from config.environment import child_environment

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Rows that make a database worth keeping: restoring over them needs --force.
KEPT_TABLES = ("tasks", "people")


class BackupError(Exception):
    """A backup or restore refused or failed, worded by text key; ``status`` is the CLI's exit status."""

    def __init__(self, key: str, status: int = 2, **params: object) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


def backend(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a database URL; other engines are refused."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError("ops.backend_unsupported", backend=name)
    return name


def sqlite_path(url: str) -> Path:
    """The file of an SQLite URL (an in-memory database cannot be backed up)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("ops.sqlite_memory")
    return Path(database.removeprefix("file:").split("?", 1)[0])


def _starts_with(file: Path, magic: bytes) -> bool:
    with file.open("rb") as handle:
        return handle.read(len(magic)) == magic


def _backup_file(file: str) -> Path:
    path = Path(file)
    if not path.is_file():
        raise BackupError("cli.file_missing", file=file)
    return path


# ---- SQLite ----------------------------------------------------------------------------------------------------


def sqlite_backup(url: str, file: str) -> None:
    """Copy the live SQLite database into ``file`` (consistent while others write), replacing it atomically."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError("ops.db_file_missing", file=str(source))
    target = Path(file)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # A backup should be one self-contained file, not a WAL file beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)


def sqlite_has_data(url: str) -> bool:
    """Whether the SQLite database holds any task or person."""
    path = sqlite_path(url)
    if not path.is_file():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table in KEPT_TABLES:
            try:
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return True
            except sqlite3.OperationalError:  # no such table: never migrated
                continue
        return False
    finally:
        conn.close()


def sqlite_restore(url: str, file: str) -> None:
    """Replace the SQLite database with the backup in ``file`` (page by page, through the backup API)."""
    path = _backup_file(file)
    if not _starts_with(path, SQLITE_MAGIC):
        raise BackupError("ops.not_a_backup", file=file, kind="SQLite")
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# ---- PostgreSQL ------------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: [int(x) if x.isdecimal() else 0 for x in Path(p).parts[-3].split(".")])
    if candidates:
        return candidates[-1]
    raise BackupError("ops.tool_missing", status=1, tool=name)


def pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for the libpq tools, and the environment carrying the password."""
    parsed: URL = make_url(url)
    args: list[str] = []
    if parsed.host:
        args += ["-h", parsed.host]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    if parsed.username:
        args += ["-U", parsed.username]
    args += ["-d", parsed.database or "postgres"]
    return args, child_environment(PGPASSWORD=str(parsed.password) if parsed.password else None)


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([pg_tool(tool), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError("ops.tool_failed", status=1, tool=tool, reason=lines[-1] if lines else done.returncode)


def pg_backup(url: str, file: str) -> None:
    """``pg_dump -Fc`` of the database into ``file`` (written beside it first, then renamed)."""
    conn, env = pg_args(url)
    target = Path(file)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _run("pg_dump", ["-Fc", "--no-owner", "-f", str(partial), *conn], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def pg_restore(url: str, file: str) -> None:
    """``pg_restore`` of a custom-format dump, in one transaction, dropping what it replaces."""
    path = _backup_file(file)
    if not _starts_with(path, PG_CUSTOM_MAGIC):
        raise BackupError("ops.not_a_backup", file=file, kind="pg_dump -Fc")
    conn, env = pg_args(url)
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                        *conn, str(path)], env)


async def pg_has_data(url: str) -> bool:
    """Whether the PostgreSQL database holds any task or person."""
    from bot.db import Database

    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            for table in KEPT_TABLES:
                exists = (await conn.execute(text("SELECT to_regclass(:t)"), {"t": table})).scalar()
                if exists and (await conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1"))).first():
                    return True
        return False
    except DBAPIError as exc:
        raise BackupError("cli.db_unreachable", status=1, url=make_url(url).render_as_string(hide_password=True),
                          reason=str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__) from None
    finally:
        await db.dispose()


# ---- both ------------------------------------------------------------------------------------------------------


async def backup(url: str, file: str) -> None:
    """Write a backup of the database at ``url`` to ``file``."""
    import asyncio

    if backend(url) == "sqlite":
        await asyncio.to_thread(sqlite_backup, url, file)
    else:
        await asyncio.to_thread(pg_backup, url, file)


async def restore(url: str, file: str, *, force: bool = False) -> None:
    """Restore ``file`` into the database at ``url``; a database with tasks or people needs ``force``."""
    import asyncio

    kind = backend(url)
    _backup_file(file)
    has_data = await asyncio.to_thread(sqlite_has_data, url) if kind == "sqlite" else await pg_has_data(url)
    if has_data and not force:
        raise BackupError("ops.restore_refused")
    await asyncio.to_thread(sqlite_restore if kind == "sqlite" else pg_restore, url, file)
