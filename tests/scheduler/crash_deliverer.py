"""The crash drill's deliverer: drains an SQLite outbox into a (fake) Bot API until nothing is pending.

Run as ``python -m tests.scheduler.crash_deliverer DB_FILE BASE_URL TOKEN LEASE_SECONDS``; the drill SIGKILLs it
mid-way and starts it again. It is the production delivery loop (``scheduler.outbox.drain``) with the real
Telegram notifier; only the lease is short so that a restarted deliverer soon takes over the killed one's rows.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram_notifier import TelegramNotifier
from bot.core import Core
from bot.db import Database
from bot.db.clock import UTC
from config import Settings
from scheduler.limits import RateLimitedNotifier
from scheduler.outbox import DeliveryPolicy, drain


async def main(db_file: str, base_url: str, token: str, lease: float) -> int:
    """Deliver everything pending; exit 0 when the outbox is empty."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    db = Database(f"sqlite+aiosqlite:///{db_file}")
    core = Core(settings=settings, db=db)
    bot = Bot(token, base_url=base_url, request=HTTPXRequest(connection_pool_size=2, read_timeout=5))
    # The fake does not enforce limits here: the drill is about crashes, so the overall cap is raised.
    notifier = RateLimitedNotifier(TelegramNotifier(bot), global_per_second=2000)
    policy = DeliveryPolicy(lease_seconds=lease, batch=50, backoff_base=0.2)
    try:
        result = await drain(core, {"telegram": notifier}, lambda: datetime.now(UTC), timeout=120, policy=policy)
    finally:
        await bot.shutdown()
        await db.dispose()
    print(f"sent={result.sent} retried={result.retried} dead={result.dead}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))))
