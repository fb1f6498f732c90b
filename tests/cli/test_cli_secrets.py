"""Secrets stay in (issue 10, finding 1): `duban run` with a rejected token, and a send that fails on it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select
from telegram import Bot

from bot.channels.telegram_notifier import TelegramNotifier
from bot.core import Core
from bot.db.models import OutboxMessage
from bot.redact import MASK, Redactor
from scheduler.outbox import DeliveryPolicy, drain
from config import Settings
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture
from tests.scheduler.seed import T0
from tests.scheduler.telegram_kit import moving_clock

ROOT = Path(__file__).resolve().parents[2]
PROXY_PASSWORD = "pr0xy-pa55-for-duban"


async def test_a_rejected_token_is_not_printed_by_duban_run(fake_telegram: FakeTelegram, tmp_path: Path) -> None:  # noqa: F811
    pasted = fake_telegram.token[:-1] + "x\""  # a token pasted wrongly, with a stray quote
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(PYTHONPATH=str(ROOT), DUBAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
               DUBAN_TELEGRAM_TOKEN=pasted, DUBAN_TELEGRAM_BASE_URL=fake_telegram.base_url,
               DUBAN_TELEGRAM_BASE_FILE_URL=fake_telegram.base_file_url)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    said = out.decode() + err.decode()
    assert proc.returncode == 1, said
    last = err.decode().strip().splitlines()[-1]
    assert "InvalidToken" in last and MASK in last, last
    assert pasted.split(":")[1] not in said and pasted.split(":")[1][:-1] not in said


async def test_a_send_that_fails_on_a_wrong_token_stores_no_token(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    wrong = fake_telegram.token[:-1] + "9"
    core.settings.telegram.token = SecretStr(wrong)  # as DUBAN_TELEGRAM_TOKEN says
    async with core.db.session() as s:
        s.add(OutboxMessage(key="t:1", kind="test", channel="telegram", target="2001", target_kind="private",
                            text="提醒", buttons=[], next_attempt_at=T0, created_at=T0))
    bot = Bot(wrong, base_url=fake_telegram.base_url, base_file_url=fake_telegram.base_file_url)
    policy = DeliveryPolicy(backoff_base=0.05, backoff_max=0.1, max_attempts=2)
    try:
        done = await drain(core, {"telegram": TelegramNotifier(bot)}, moving_clock(T0), timeout=10, policy=policy)
    finally:
        await bot.shutdown()
    async with core.db.session() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "dead" and row.last_error and "InvalidToken" in row.last_error and MASK in row.last_error
    assert wrong.split(":")[1] not in row.last_error
    assert all(wrong.split(":")[1] not in line for line in done.errors)


def test_the_redactor_built_from_settings_knows_every_configured_secret() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url="postgresql+asyncpg://duban:db-pa55word@db.example/duban",
        telegram_token="7000000001:AAF-real-looking-token_0123456789",
        telegram_proxy=f"socks5://proxyuser:{PROXY_PASSWORD}@proxy.example:1080",
        wecom={"corp_id": "ww1", "secret": "wecom-app-secret-xyz", "token": "cbtoken77",
               "encoding_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "robot_key": "robot-key-1234"},
    )
    redact = Redactor.from_settings(settings)
    leaks = [
        "connect to postgresql+asyncpg://duban:db-pa55word@db.example/duban failed",
        "The token `7000000001:AAF-real-looking-token_0123456789` was rejected",
        "GET /bot7000000001%3AAAF-real-looking-token_0123456789/getMe and AAF-real-looking-token_0123456789",
        f"proxy socks5://proxyuser:{PROXY_PASSWORD}@proxy.example:1080 refused",
        "gettoken?corpid=ww1&corpsecret=wecom-app-secret-xyz", "message/send?access_token=fetched-at-run-time",
        "token cbtoken77 key kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "webhook/send?key=robot-key-1234",
    ]
    for line in leaks:
        clean = redact(line)
        assert MASK in clean, line
        for secret in ("db-pa55word", "AAF-real", PROXY_PASSWORD, "wecom-app-secret", "fetched-at-run-time",
                       "cbtoken77", "kWxPEV2UEDyx", "robot-key-1234"):
            assert secret not in clean, (line, clean)
    assert redact("进度 11 50% 已完成") == "进度 11 50% 已完成"
