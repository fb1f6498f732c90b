"""The scheduler's Notifier port for WeCom: members through the app, the group through the robot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.channels.wecom.delivery import CHANNEL, Delivery
from bot.contracts import Button, Rejected, Target


class WeComNotifier:
    """Sends notices: a private target is a member's userid (app message), a group target is the robot's group.

    Limits are kept inside: at most about 30 app messages a minute per member (WeCom drops the excess
    silently) and 20 robot messages a minute (WeCom refuses the excess), so this notifier must not be wrapped
    in the Telegram-tuned ``RateLimitedNotifier``.
    """

    def __init__(self, delivery: Delivery, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.delivery = delivery
        self.clock = clock  # only for how long a notice's numbered choices stay valid

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Deliver ``text`` (safe HTML subset) with its buttons as typed commands; return once WeCom accepted it."""
        if target.channel != CHANNEL:
            raise Rejected(f"not a WeCom target: {target.channel}")
        if target.kind == "group":
            await self.delivery.notice_to_group(text, buttons, target.chat_id)
        else:
            await self.delivery.notice_to_user(target.chat_id, text, buttons, now=self.clock())

    async def start_link(self) -> str | None:
        """None: members open the app inside WeCom; there is no link to start a chat."""
        return None
