"""``duban db backup`` / ``duban db restore`` on SQLite and PostgreSQL, run as an operator would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("DUBAN_TEST_POSTGRES_URL")


def duban(cwd: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env["DUBAN_DATABASE_URL"] = db
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def export(cwd: Path, db: str) -> str:
    out = duban(cwd, db, "export", "--format", "json", "--at", "2023-10-27")
    assert out.returncode == 0, out.stderr
    return out.stdout


def round_trip(tmp_path: Path, fixtures_dir: Path, source: str, target: str) -> None:
    """Import into ``source``, back it up, restore into the empty ``target``: both export the same."""
    loaded = duban(tmp_path, source, "import", str(fixtures_dir / "yuanjiang-2023-tasks.csv"))
    assert loaded.returncode == 0, loaded.stderr
    backup = tmp_path / "duban.backup"
    made = duban(tmp_path, source, "db", "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0 and str(backup) in made.stdout
    restored = duban(tmp_path, target, "db", "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    original = export(tmp_path, source)
    assert '"no": "11"' in original
    assert export(tmp_path, target) == original
    # The target now has tasks: a second restore is refused in one line, and --force replaces it.
    again = duban(tmp_path, target, "db", "restore", str(backup))
    assert again.returncode == 2
    assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr
    forced = duban(tmp_path, target, "db", "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert export(tmp_path, target) == original


def test_sqlite_round_trip_refusal_and_force(tmp_path, fixtures_dir):
    round_trip(tmp_path, fixtures_dir, f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}",
               f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'b.sqlite3'}")


def test_sqlite_restore_over_a_migrated_empty_database_needs_no_force(tmp_path, fixtures_dir):
    source = f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}"
    target = f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite3'}"
    assert duban(tmp_path, source, "import", str(fixtures_dir / "yuanjiang-2023-tasks.csv")).returncode == 0
    assert duban(tmp_path, source, "db", "backup", str(tmp_path / "x.bak")).returncode == 0
    assert duban(tmp_path, target, "db", "upgrade").returncode == 0
    out = duban(tmp_path, target, "db", "restore", str(tmp_path / "x.bak"))
    assert out.returncode == 0, out.stderr
    assert export(tmp_path, target) == export(tmp_path, source)


def test_missing_file_and_wrong_kind_of_file_are_one_line(tmp_path):
    db = f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}"
    missing = duban(tmp_path, db, "db", "restore", str(tmp_path / "nope.bak"))
    assert missing.returncode == 2 and "nope.bak" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    junk = tmp_path / "junk.bak"
    junk.write_text("not a database")
    wrong = duban(tmp_path, db, "db", "restore", str(junk))
    assert wrong.returncode == 2 and "junk.bak" in wrong.stderr and "SQLite" in wrong.stderr
    no_db = duban(tmp_path, db, "db", "backup", str(tmp_path / "out.bak"))
    assert no_db.returncode == 2 and "a.sqlite3" in no_db.stderr
    assert not (tmp_path / "out.bak").exists()
    no_file = duban(tmp_path, db, "db", "backup")
    assert no_file.returncode == 2 and "FILE" in no_file.stderr


# ---- PostgreSQL --------------------------------------------------------------------------------------------------


async def _admin(statement: str) -> None:
    import asyncpg

    url = make_url(POSTGRES_URL)  # type: ignore[arg-type]
    conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                                 database=url.database)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def scratch_databases():
    """Two fresh PostgreSQL databases (created and dropped here), as URLs."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set DUBAN_TEST_POSTGRES_URL")
    names = [f"duban_bk_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        for name in names:
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down or refuses CREATE DATABASE
        pytest.skip(f"cannot create a scratch database: {exc}")
    base = make_url(POSTGRES_URL)
    try:
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        for name in names:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
def test_postgres_round_trip_refusal_and_force(tmp_path, fixtures_dir, scratch_databases):
    source, target = scratch_databases
    assert duban(tmp_path, source, "db", "upgrade").returncode == 0
    round_trip(tmp_path, fixtures_dir, source, target)


def test_postgres_password_stays_off_the_command_line_and_a_missing_tool_is_named(monkeypatch):
    from bot.services import backup

    args, env = backup.pg_args("postgresql+asyncpg://duban:s3cret-pw@db.example:5433/duban")
    assert "s3cret-pw" not in " ".join(args) and env["PGPASSWORD"] == "s3cret-pw"
    assert args == ["-h", "db.example", "-p", "5433", "-U", "duban", "-d", "duban"]
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    with pytest.raises(backup.BackupError) as caught:
        backup.pg_tool("pg_dump")
    assert caught.value.key == "ops.tool_missing" and caught.value.params == {"tool": "pg_dump"}
