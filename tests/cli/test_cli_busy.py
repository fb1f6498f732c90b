"""SQLite writers wait their turn (issue 10, finding 4): a held write lock gives one clear line, and a short one is waited out."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.cli.test_cli import ROOT


def duban(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``duban ARGS`` on the test's SQLite file, with extra DUBAN_ settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    clean.update(DUBAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}", PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean,
                          capture_output=True, text=True, timeout=120)


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another process's import, as SQLite sees it: a write transaction held for ``seconds``."""
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE IF NOT EXISTS other_import (x)")
        ready.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def test_an_import_against_a_locked_database_says_so_in_one_line_and_exits_2(tmp_path: Path, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    assert duban(tmp_path, "tasks").returncode == 0  # the file exists and is migrated
    holder = _hold_write_lock(tmp_path / "cli.sqlite3", 6)
    try:
        out = duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"), DUBAN_DATABASE__BUSY_TIMEOUT="1")
    finally:
        holder.join()
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "数据库正被另一个程序写入" in lines[0], out.stderr
    assert "SQL" not in out.stderr and "Traceback" not in out.stderr


def test_a_short_lock_is_waited_out(tmp_path: Path, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    assert duban(tmp_path, "tasks").returncode == 0
    holder = _hold_write_lock(tmp_path / "cli.sqlite3", 7)  # longer than the old 5 s busy timeout
    try:
        out = duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"))
    finally:
        holder.join()
    assert out.returncode == 0 and "已导入" in out.stdout, out.stderr
