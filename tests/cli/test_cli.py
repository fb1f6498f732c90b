"""The ``duban`` command line as an admin uses it, in a subprocess on a fresh embedded SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db.migrate import HEAD_REVISION

ROOT = Path(__file__).resolve().parents[2]


def duban(tmp_path: Path, *args: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env["DUBAN_DATABASE_URL"] = db or f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_dry_run_previews_and_writes_nothing(tmp_path, fixtures_dir):
    out = duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "任务 45 项" in out.stdout and "试运行" in out.stdout
    listed = duban(tmp_path, "tasks", "--at", "2023-10-27")
    assert "没有符合条件的任务" in listed.stdout


def test_import_then_list_overdue_and_due_soon(tmp_path, fixtures_dir):
    out = duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"))
    assert out.returncode == 0, out.stderr
    assert "已导入" in out.stdout
    soon = duban(tmp_path, "tasks", "--at", "2023-10-27", "--due-within", "5")
    assert "#11" in soon.stdout and "2023-10-31" in soon.stdout and "剩 2 个工作日" in soon.stdout
    late = duban(tmp_path, "tasks", "--at", "2023-11-03", "--overdue")
    assert "#11" in late.stdout and "逾期 3 个工作日" in late.stdout
    assert "#1 " not in late.stdout
    by_leader = duban(tmp_path, "tasks", "--leader", "胡立军", "--at", "2023-06-01")
    assert "#2" in by_leader.stdout and "#1 " not in by_leader.stdout


def test_export_json_follows_the_contract(tmp_path, fixtures_dir):
    duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.csv"))
    out = duban(tmp_path, "export", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"tables", "tasks"}
    task = next(t for t in data["tasks"] if t["no"] == "11")
    assert set(task) >= {"table", "no", "category", "title", "content", "leaders", "sections", "units", "milestones", "status"}
    assert {"due": "2023-10-31", "kind": "dated"}.items() <= task["milestones"][0].items()
    assert set(task["milestones"][0]) == {"due", "text", "kind", "period", "estimate"}


def test_bad_file_exits_nonzero_with_one_line_per_problem_and_keeps_data(tmp_path, fixtures_dir):
    duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"))
    fake = tmp_path / "photo.xlsx"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    out = duban(tmp_path, "import", str(fake))
    assert out.returncode == 2
    assert "photo.xlsx" in out.stderr and "Traceback" not in out.stderr
    listed = duban(tmp_path, "tasks", "--at", "2023-06-01")
    assert "共 45 项" in listed.stdout


def test_missing_file_and_bad_argument_are_named(tmp_path):
    out = duban(tmp_path, "import", "nope.xlsx")
    assert out.returncode == 2 and "nope.xlsx" in out.stderr
    bad = duban(tmp_path, "tasks", "--at", "2023-13-01")
    assert bad.returncode == 2 and "--at" in bad.stderr and "2023-13-01" in bad.stderr


def test_english_messages(tmp_path, fixtures_dir):
    out = duban(tmp_path, "--lang", "en", "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"), "--dry-run")
    assert "45 tasks" in out.stdout and "Dry run" in out.stdout


def test_calendar_check_warns_for_a_year_without_official_data(tmp_path):
    out = duban(tmp_path, "calendar", "check", "--at", "2026-11-25")
    assert out.returncode == 1
    assert "2027" in out.stdout


def test_calendar_override_changes_working_days(tmp_path, fixtures_dir):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("2023-10-30,休\n", encoding="utf-8")
    assert duban(tmp_path, "calendar", "load", str(overrides)).returncode == 0
    duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx"))
    soon = duban(tmp_path, "tasks", "--at", "2023-10-27", "--due-within", "5")
    assert "剩 1 个工作日" in soon.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("2023-10-30,休\nnot-a-date,班\n", encoding="utf-8")
    out = duban(tmp_path, "calendar", "load", str(bad))
    assert out.returncode != 0 and "bad.csv" in out.stderr and "2" in out.stderr


def test_db_upgrade_on_postgres(tmp_path):
    url = os.environ.get("DUBAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not configured: set DUBAN_TEST_POSTGRES_URL")
    out = duban(tmp_path, "db", "upgrade", db=url)
    assert out.returncode == 0, out.stderr
    assert HEAD_REVISION in out.stdout


def test_remind_dry_run_lists_the_pass_and_jobs_lists_the_schedule(tmp_path, fixtures_dir):
    duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.txt"))
    out = duban(tmp_path, "remind", "--at", "2023-10-27T09:00", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("2023-10-27 09:00 dry run")
    assert "王卫健" in out.stdout  # #11's lead leader has no account yet: listed as not routable
    jobs = duban(tmp_path, "jobs")
    assert jobs.returncode == 0, jobs.stderr
    for job in ("duban-daily-pass", "duban-catch-up", "duban-deliver"):
        assert job in jobs.stdout
    bad = duban(tmp_path, "remind", "--at", "tomorrow")
    assert bad.returncode == 2 and "--at" in bad.stderr


def test_run_without_token_points_to_the_console_demo(tmp_path):
    out = duban(tmp_path, "run")
    assert out.returncode == 2 and "duban console --demo" in out.stdout


@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_an_impossible_year_is_told_in_a_sentence(tmp_path, fixtures_dir, year):
    out = duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.csv"), f"--year={year}", "--dry-run")
    assert out.returncode != 0
    said = out.stdout + out.stderr
    assert "1990 至 2100" in said and "import.bad_year" not in said and "{" not in said
