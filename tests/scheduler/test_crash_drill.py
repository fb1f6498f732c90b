"""The crash drill: SIGKILL the deliverer twice while it sends 2,000 notices; restart it; none lost, ≤ 1 repeat per kill."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.db.models import OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.seed import T0

ROOT = Path(__file__).resolve().parents[2]
NOTICES = 2000
KILL_AFTER = (500, 1300)  # messages the fake has accepted when each SIGKILL lands
LEASE = 2.0


async def _deliverer(db_file: Path, fake: FakeTelegram) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduler.crash_deliverer", str(db_file), fake.base_url, fake.token, str(LEASE),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
async def test_sigkill_mid_delivery_loses_nothing_and_repeats_at_most_one_per_kill(tmp_path: Path) -> None:
    db_file = tmp_path / "drill.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{db_file}")
    await db.create_all()
    users = range(10_000, 10_000 + NOTICES)
    async with db.session() as s:
        s.add_all(OutboxMessage(key=f"drill:{uid}", kind="drill", channel="telegram", target=str(uid), target_kind="private",
                                text=f"通知 #{uid}", buttons=[], next_attempt_at=T0, created_at=T0) for uid in users)
    async with FakeTelegram() as fake:
        for uid in users:
            fake.add_user(uid, f"u{uid}")

        def sent() -> int:
            return fake.stats.by_method["sendMessage"]

        for threshold in KILL_AFTER:
            proc = await _deliverer(db_file, fake)
            await fake.wait_until(lambda t=threshold: sent() >= t, timeout=60, what=f"{threshold} sends")
            proc.kill()  # SIGKILL: no cleanup, no flush, whatever was in flight stays in flight
            assert await proc.wait() == -9
        proc = await _deliverer(db_file, fake)
        _, err = await asyncio.wait_for(proc.communicate(), 90)
        assert proc.returncode == 0, err.decode()[-2000:]
        received = Counter(m.raw_text for uid in users for m in fake.messages(uid))
    lost = [uid for uid in users if received[f"通知 #{uid}"] == 0]
    repeats = sum(n - 1 for n in received.values())
    assert lost == []
    assert repeats <= len(KILL_AFTER), received.most_common(3)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")) == 0
    await db.dispose()
