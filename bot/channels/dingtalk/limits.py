"""DingTalk's send caps, held over every sliding window with the same leaky buckets as WeCom's.

Custom group robots take 20 messages a minute and are throttled for ten minutes past that (410100), so
Duban keeps each robot within the cap itself. The app robot's per-member flow control is DingTalk's own and
is reported per call (``flowControlledStaffIdList``); those members are retried later.
"""

from __future__ import annotations

from bot.channels.wecom.limits import KeyedLimiter, window_limiter

__all__ = ["KeyedLimiter", "window_limiter"]
