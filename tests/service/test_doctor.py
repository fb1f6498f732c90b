"""``duban doctor`` against the fake Bot API and the fake WeCom on 127.0.0.1, a migrated and an unreachable database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.cli_doctor import run_checks
from bot.db import Database
from bot.db.migrate import HEAD_REVISION, upgrade
from tests.fakes.telegram_api import fake_telegram  # noqa: F401  (fixture)
from tests.fakes.wecom_api import FakeWeCom

ROOT = Path(__file__).resolve().parents[2]
COVERED = date(2025, 6, 1)  # chinesecalendar has official data for 2025 and 2026


async def migrated(settings, tmp_path: Path) -> None:
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'doctor.sqlite3'}"
    db = Database(settings.database.url)
    await upgrade(db.engine)
    await db.dispose()


def lines(checks) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.detail) for c in checks}


async def test_all_well_with_telegram_and_wecom(settings, tmp_path, fake_telegram):  # noqa: F811
    await migrated(settings, tmp_path)
    settings.telegram.token = SecretStr(fake_telegram.token)
    settings.telegram.base_url = fake_telegram.base_url
    async with FakeWeCom() as wecom:
        settings.wecom.base_url = wecom.base_url
        settings.wecom.corp_id, settings.wecom.secret = wecom.corp_id, SecretStr(wecom.secret)
        checks = lines(await run_checks(settings, "en", COVERED))
        assert wecom.token_fetches == 1
    assert {name: status for name, (status, _) in checks.items()} == {
        "settings": "ok", "database": "ok", "schema": "ok", "calendar": "ok", "telegram": "ok", "wecom": "ok"}
    assert "@duban_test_bot" in checks["telegram"][1] and "telegram, wecom" in checks["settings"][1]
    assert [m for m, _ in fake_telegram.requests] == ["getMe"]


async def test_wrong_credentials_and_missing_calendar_fail(settings, tmp_path, fake_telegram):  # noqa: F811
    await migrated(settings, tmp_path)
    settings.telegram.token = SecretStr("7000000001:AAF-a-wrong-token-for-the-fake-api_01")
    settings.telegram.base_url = fake_telegram.base_url
    async with FakeWeCom() as wecom:
        settings.wecom.base_url = wecom.base_url
        settings.wecom.corp_id, settings.wecom.secret = wecom.corp_id, SecretStr("not-the-secret-0123")
        checks = lines(await run_checks(settings, "en", date(2040, 3, 1)))
    assert checks["telegram"][0] == "fail" and "401" in checks["telegram"][1]
    assert checks["wecom"][0] == "fail" and "gettoken" in checks["wecom"][1]
    assert checks["calendar"][0] == "fail" and "2040" in checks["calendar"][1]


async def test_database_behind_head_is_a_failure(settings, tmp_path):
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(settings.database.url)
    await upgrade(db.engine, "0007")
    await db.dispose()
    checks = lines(await run_checks(settings, "en", COVERED))
    assert checks["database"][0] == "ok"
    assert checks["schema"] == ("fail", f"at revision 0007, the latest is {HEAD_REVISION}; run duban db upgrade")
    assert checks["settings"][0] == "warn"  # no channel configured
    assert "telegram" not in checks and "wecom" not in checks


async def test_dingtalk_token_checked_when_configured(settings, tmp_path):
    if "dingtalk" not in type(settings).model_fields:
        pytest.skip("DingTalk settings (issue 11) are not in config/settings.py yet")
    await migrated(settings, tmp_path)
    seen: list[dict] = []

    async def access_token(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        if body.get("appSecret") != "ding-secret-0123456":
            return web.json_response({"code": "invalidClientSecret", "message": "bad secret"}, status=400)
        return web.json_response({"accessToken": "tok-123", "expireIn": 7200})

    app = web.Application()
    app.router.add_post("/v1.0/oauth2/accessToken", access_token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        settings.dingtalk.api_base = f"http://127.0.0.1:{port}"
        settings.dingtalk.app_key = "dingkey"
        settings.dingtalk.app_secret = SecretStr("ding-secret-0123456")
        assert lines(await run_checks(settings, "en", COVERED))["dingtalk"][0] == "ok"
        settings.dingtalk.app_secret = SecretStr("wrong-secret-0123")
        status, detail = lines(await run_checks(settings, "en", COVERED))["dingtalk"]
        assert status == "fail" and "400" in detail and "bad secret" in detail
    finally:
        await runner.cleanup()
    assert [b["appKey"] for b in seen] == ["dingkey", "dingkey"]


def doctor(tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(env_vars, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot", "--lang", "en", "doctor"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_unreachable_database_exits_1_with_one_line_per_check_and_no_password(tmp_path):
    out = doctor(tmp_path, DUBAN_DATABASE_URL="postgresql+asyncpg://duban:hunter2-secret@127.0.0.1:1/duban",
                 DUBAN_TELEGRAM_TOKEN="7000000001:AAF-token-that-must-not-show_0123",
                 DUBAN_TELEGRAM__BASE_URL="http://127.0.0.1:1/bot")
    assert out.returncode == 1, out.stderr
    rows = out.stdout.strip().splitlines()
    assert [row.split()[0] for row in rows] == ["ok", "fail", "fail", rows[3].split()[0], "fail"]
    assert rows[1].startswith("fail database: cannot connect to postgresql+asyncpg://duban:***@127.0.0.1:1/duban")
    assert "hunter2" not in out.stdout + out.stderr and "AAF-token" not in out.stdout + out.stderr
    assert out.stderr == ""


def test_healthy_sqlite_exits_0(tmp_path):
    db = f"sqlite+aiosqlite:///{tmp_path / 'ok.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=tmp_path, check=True, capture_output=True,
                   env={**env, "DUBAN_DATABASE_URL": db, "PYTHONPATH": str(ROOT)})
    out = doctor(tmp_path, DUBAN_DATABASE_URL=db)
    # Next year's holiday data may be missing (a warning), never a failure here.
    assert out.returncode == 0, out.stdout
    assert out.stdout.splitlines()[1] == f"ok   database: reachable: {db}"


def test_a_bad_setting_is_one_line_naming_the_variable_not_a_traceback(tmp_path):
    out = doctor(tmp_path, DUBAN_DATABASE__BUSY_TIMEOUT="soon")
    assert out.returncode == 1
    assert out.stdout.startswith("fail settings: DUBAN_DATABASE__BUSY_TIMEOUT: ") and len(out.stdout.splitlines()) == 1
    assert "Traceback" not in out.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    other = subprocess.run([sys.executable, "-m", "bot", "--lang", "en", "tasks"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120, env={**env, "DUBAN_DATABASE__BUSY_TIMEOUT": "soon",
                                                        "PYTHONPATH": str(ROOT)})
    assert other.returncode == 2 and other.stderr.startswith("error: DUBAN_DATABASE__BUSY_TIMEOUT: ")
