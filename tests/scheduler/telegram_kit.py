"""The real Telegram notifier pointed at the fake Bot API, and a moving clock for delivery runs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram_notifier import TelegramNotifier
from scheduler.limits import RateLimitedNotifier
from bot.contracts import Notifier
from tests.fakes.telegram_api import FakeTelegram


def moving_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at ``start`` and runs at real speed (retries wait real seconds)."""
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


@asynccontextmanager
async def telegram_notifier(fake: FakeTelegram, *, limited: bool = True, timeout: float = 1.0,
                            **limits: float) -> AsyncIterator[Notifier]:
    """A TelegramNotifier over a PTB Bot aimed at ``fake`` (short time-outs), behind the rate limiter by default."""
    request = HTTPXRequest(connection_pool_size=4, read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout,
                           pool_timeout=timeout)
    bot = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, request=request)
    inner = TelegramNotifier(bot)
    try:
        yield RateLimitedNotifier(inner, **limits) if limited else inner
    finally:
        await bot.shutdown()
