"""Send limits that hold over every sliding window, as buckets of bot.services.buckets.

WeCom drops app messages to a member beyond about 30 a minute *silently*, and refuses robot messages beyond
20 a minute. A bucket of burst B that refills at r per second lets through at most B + r·W messages in any
window of W seconds, so choosing B + r·W = N (less a safety margin) keeps every window within the cap while
still allowing a short burst — a reply of three parts goes out at once, a morning of reminders is spread.
The buckets are this process's unless the composition root shares them through PostgreSQL, so that every
replica counts against the same cap.
"""

from __future__ import annotations

from bot.services.buckets import Buckets, MemoryBuckets, shared_buckets, take


def window_rate(cap: int, window: float, *, margin: int = 1) -> tuple[float, int]:
    """(period, burst) that never let more than ``cap - margin`` sends into any ``window`` seconds."""
    allowed = max(cap - margin, 1)
    burst = max(allowed // 3, 1)
    if allowed == burst:
        return window / burst, burst
    return window / (allowed - burst), burst


class KeyedLimiter:
    """One window limit per key (a member's user id, a robot), all in one bucket store."""

    def __init__(self, cap: int, window: float, *, margin: int = 1, max_keys: int = 10_000,
                 buckets: Buckets | None = None) -> None:
        self.cap, self.window, self.margin = cap, window, margin
        self.period, self.burst = window_rate(cap, window, margin=margin)
        # Keys of different caps never share a bucket, however the callers name them.
        self._prefix = f"window:{cap}/{window:g}:"
        self._buckets = buckets
        self._local = MemoryBuckets(max_keys=max_keys)

    @property
    def buckets(self) -> Buckets:
        """The store: given, else the replicas' shared one when the composition root set it, else this process's."""
        return self._buckets or shared_buckets() or self._local

    async def acquire(self, key: str) -> None:
        """Wait until one more message to ``key`` keeps every window within the cap."""
        await take(self.buckets, self._prefix + key, self.period, self.burst)


class WindowLimiter:
    """A single window limit (one robot): ``KeyedLimiter`` with one key."""

    def __init__(self, cap: int, window: float, *, margin: int = 1, buckets: Buckets | None = None,
                 key: str = "robot") -> None:
        self._keyed = KeyedLimiter(cap, window, margin=margin, buckets=buckets)
        self._key = key

    async def acquire(self) -> None:
        """Wait until one more message keeps every window within the cap."""
        await self._keyed.acquire(self._key)


def window_limiter(cap: int, window: float, *, margin: int = 1) -> WindowLimiter:
    """A limiter that never lets more than ``cap - margin`` acquisitions into any ``window`` seconds."""
    return WindowLimiter(cap, window, margin=margin)
