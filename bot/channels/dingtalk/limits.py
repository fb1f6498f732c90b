"""Custom group robots' cap, as buckets of bot.services.buckets (shared by replicas when the root shares them).

DingTalk takes 20 messages a minute per custom robot and throttles the robot for ten minutes past that
(410100), so Duban keeps each robot under the cap itself. A bucket of burst 1 that refills every
``window / (allowed - 1)`` seconds lets at most ``allowed`` messages into any window: a digest and its few
parts go out in a steady trickle. The app robot's per-member flow control is DingTalk's own, reported per call
(``flowControlledStaffIdList``) and retried later by the outbox.
"""

from __future__ import annotations

import hashlib

from bot.services.buckets import Buckets, MemoryBuckets, shared_buckets, take


class RobotLimiter:
    """At most ``cap - margin`` messages per robot (keyed by its access token) in any ``window`` seconds."""

    def __init__(self, cap: int = 20, window: float = 60.0, *, margin: int = 1,
                 buckets: Buckets | None = None) -> None:
        allowed = max(cap - margin, 2)
        self.period = window / (allowed - 1)
        self._buckets = buckets
        self._local = MemoryBuckets()
        # The key names the cap, so robots limited differently never share a bucket.
        self._prefix = f"dingtalk-robot:{cap}/{window:g}:"

    async def acquire(self, robot: str) -> None:
        """Wait until one more message through ``robot`` keeps every window within the cap."""
        # A digest of the token names the bucket: shared buckets are database rows, and the token is a secret.
        key = self._prefix + hashlib.sha256(robot.encode()).hexdigest()[:24]
        await take(self._buckets or shared_buckets() or self._local, key, self.period, 1)
