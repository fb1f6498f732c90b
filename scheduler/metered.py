"""A Notifier wrapper that counts every send in the core's metrics (``duban_sends_total``, ``duban_flood_limited_total``).

It wraps the outermost notifier of each channel, so what is counted is what the outbox saw: a send that a
limiter held and then sent is one ``sent``. A ``RetryLater`` is the platform's flood control (WeCom 45009,
DingTalk flow control) and is also counted as a flood refusal, except for the channels in ``floods_counted``
whose client counts every refusal itself (Telegram's rate limiter retries 429s before the outbox sees one).
"""

from __future__ import annotations

from bot.metrics import Metrics
from bot.contracts import Button, Notifier, Rejected, RetryLater, Target, Unreachable

_RESULTS: tuple[tuple[type[Exception], str], ...] = (
    (RetryLater, "retry_later"), (Unreachable, "unreachable"), (Rejected, "rejected"))


class MeteredNotifier:
    """Sends through ``inner`` and records the result under the target's channel."""

    def __init__(self, inner: Notifier, metrics: Metrics, *, count_floods: bool = True) -> None:
        self.inner, self.metrics, self.count_floods = inner, metrics, count_floods

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Send, count ``sent`` or the error's kind, and re-raise any error unchanged."""
        try:
            await self.inner.send(target, text, buttons)
        except Exception as error:
            result = next((name for kind, name in _RESULTS if isinstance(error, kind)), "transient")
            self.metrics.sent(target.channel, result)
            if isinstance(error, RetryLater) and self.count_floods:
                self.metrics.flooded(target.channel)
            raise
        self.metrics.sent(target.channel, "sent")

    async def start_link(self) -> str | None:
        """The inner notifier's start link."""
        return await self.inner.start_link()

    def __getattr__(self, name: str) -> object:
        # Optional capabilities the outbox looks up (a limiter's ``ready``) stay visible through the wrapper.
        if name == "inner":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)


def metered(notifiers: dict[str, Notifier], metrics: Metrics, *,
            floods_counted: frozenset[str] = frozenset()) -> dict[str, Notifier]:
    """Every notifier of ``notifiers`` wrapped in a MeteredNotifier (``floods_counted``: channels whose client
    counts flood refusals itself)."""
    return {channel: MeteredNotifier(notifier, metrics, count_floods=channel not in floods_counted)
            for channel, notifier in notifiers.items()}
