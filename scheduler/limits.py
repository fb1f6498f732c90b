"""Flood limits in front of any Notifier: overall, per private chat and per group, with no bursts.

Telegram allows about 30 messages/s overall, 1/s per private chat and 20/min per group. PTB's
AIORateLimiter has no per-private-chat limit, so this wrapper enforces all three. Each limiter is an
``aiolimiter.AsyncLimiter`` of capacity 1, so sends are evenly spaced: a bucket of capacity N would allow a
burst of N at once and then exceed a sliding-window limit. ``safety`` keeps a small margin under each cap.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from aiolimiter import AsyncLimiter

from scheduler.notifier import Button, Notifier, RetryLater, Target


class RateLimitedNotifier:
    """Wraps a Notifier so that no send breaks the platform's flood limits."""

    def __init__(
        self,
        inner: Notifier,
        *,
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        safety: float = 0.97,
        max_chats: int = 10_000,
    ) -> None:
        self.inner = inner
        self._private_period = 1.0 / (private_per_second * safety)
        self._group_period = 60.0 / (group_per_minute * safety)
        self._global = AsyncLimiter(1, 1.0 / (global_per_second * safety))
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._held: dict[str, float] = {}
        self._max_chats = max_chats

    def _limiter(self, target: Target) -> AsyncLimiter:
        limiter = self._chats.get(target.key)
        if limiter is not None:
            self._chats.move_to_end(target.key)
            return limiter
        period = self._group_period if target.kind == "group" else self._private_period
        limiter = self._chats[target.key] = AsyncLimiter(1, period)
        # Least recently used first; once its period has passed a fresh limiter behaves identically.
        while len(self._chats) > self._max_chats:
            self._chats.popitem(last=False)
        return limiter

    def ready(self, target: Target) -> bool:
        """True if a send to ``target`` would not wait for its own chat's limit (the overall limit aside)."""
        held = self._held.get(target.key)
        if held is not None:
            if held > asyncio.get_running_loop().time():
                return False
            del self._held[target.key]
        return self._limiter(target).has_capacity()

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Wait for the chat's and the overall capacity, then send; a 429 holds the chat for ``retry_after``."""
        await self._limiter(target).acquire()
        await self._global.acquire()
        try:
            await self.inner.send(target, text, buttons)
        except RetryLater as err:
            self._held[target.key] = asyncio.get_running_loop().time() + err.seconds
            raise

    async def start_link(self) -> str | None:
        """The wrapped notifier's link to a private chat with the bot."""
        return await self.inner.start_link()


def limited(inner: Notifier, reminders: object) -> RateLimitedNotifier:
    """A RateLimitedNotifier configured from ``settings.reminders`` (telegram_* rates)."""
    return RateLimitedNotifier(
        inner,
        global_per_second=getattr(reminders, "telegram_global_per_second", 30.0),
        private_per_second=getattr(reminders, "telegram_private_per_second", 1.0),
        group_per_minute=getattr(reminders, "telegram_group_per_minute", 20.0),
    )
