"""Send limits that hold over every sliding window, built from ``aiolimiter`` leaky buckets.

WeCom drops app messages to a member beyond about 30 a minute *silently*, and refuses robot messages beyond
20 a minute. A leaky bucket of capacity B that drains at r per second lets through at most B + r·W messages
in any window of W seconds, so choosing B + r·W = N (less a safety margin) keeps every window within the cap
while still allowing a short burst — a reply of three parts goes out at once, a morning of reminders is spread.
"""

from __future__ import annotations

from collections import OrderedDict

from aiolimiter import AsyncLimiter


def window_limiter(cap: int, window: float, *, margin: int = 1) -> AsyncLimiter:
    """A limiter that never lets more than ``cap - margin`` acquisitions into any ``window`` seconds."""
    allowed = max(cap - margin, 1)
    burst = max(allowed // 3, 1)
    if allowed == burst:
        return AsyncLimiter(burst, window)
    # capacity ``burst`` that drains at (allowed - burst) / window per second
    return AsyncLimiter(burst, window * burst / (allowed - burst))


class KeyedLimiter:
    """One window limiter per key (a member's user id), the least recently used forgotten past ``max_keys``."""

    def __init__(self, cap: int, window: float, *, margin: int = 1, max_keys: int = 10_000) -> None:
        self.cap, self.window, self.margin = cap, window, margin
        self._limiters: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._max_keys = max_keys

    def limiter(self, key: str) -> AsyncLimiter:
        """The limiter for ``key``, made on first use."""
        found = self._limiters.get(key)
        if found is not None:
            self._limiters.move_to_end(key)
            return found
        made = self._limiters[key] = window_limiter(self.cap, self.window, margin=self.margin)
        # An evicted key has been idle longest; a fresh limiter only differs if it sent within the window.
        while len(self._limiters) > self._max_keys:
            self._limiters.popitem(last=False)
        return made

    async def acquire(self, key: str) -> None:
        """Wait until one more message to ``key`` keeps every window within the cap."""
        await self.limiter(key).acquire()
