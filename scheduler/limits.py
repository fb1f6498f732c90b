"""Flood limits in front of any Notifier: overall, per private chat and per group, with no bursts.

Telegram allows about 30 messages/s overall, 1/s per private chat and 20/min per group. PTB's
AIORateLimiter has no per-private-chat limit, so this wrapper enforces all three. Each limit is a bucket of
burst 1 (bot.services.buckets), so sends are evenly spaced: a burst of N would go out at once and then exceed
a sliding-window limit. ``safety`` keeps a small margin under each cap. The buckets are this process's unless
the composition root shares them through PostgreSQL (``share_limits``), so that replicas together keep the caps.
"""

from __future__ import annotations

import asyncio

from bot.services.buckets import Buckets, MemoryBuckets, shared_buckets, take
from bot.contracts import Button, Notifier, RetryLater, Target

GLOBAL_KEY = "telegram:all"


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
        buckets: Buckets | None = None,
    ) -> None:
        self.inner = inner
        self._private_period = 1.0 / (private_per_second * safety)
        self._group_period = 60.0 / (group_per_minute * safety)
        self._global_period = 1.0 / (global_per_second * safety)
        self._buckets = buckets
        self._local = MemoryBuckets(max_keys=max_chats)
        self._held: dict[str, float] = {}

    @property
    def buckets(self) -> Buckets:
        """The store: given, else the replicas' shared one when the composition root set it, else this process's."""
        return self._buckets or shared_buckets() or self._local

    def _chat(self, target: Target) -> tuple[str, float]:
        period = self._group_period if target.kind == "group" else self._private_period
        return f"telegram:chat:{target.key}", period

    def ready(self, target: Target) -> bool:
        """True if a send to ``target`` would not wait for its own chat's limit (the overall limit aside)."""
        held = self._held.get(target.key)
        if held is not None:
            if held > asyncio.get_running_loop().time():
                return False
            del self._held[target.key]
        return self.buckets.ready(self._chat(target)[0])

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Wait for the chat's and the overall capacity, then send; a 429 holds the chat for ``retry_after``."""
        await take(self.buckets, *self._chat(target))
        await take(self.buckets, GLOBAL_KEY, self._global_period)
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
