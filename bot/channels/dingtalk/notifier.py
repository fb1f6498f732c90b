"""The scheduler's Notifier port for DingTalk: members by batchSend, groups by the app robot or a custom robot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.channels.dingtalk.delivery import CHANNEL, Delivery
from bot.channels.dingtalk.contract import Button, Rejected, Target, Unreachable


class DingTalkNotifier:
    """Sends notices: a private target is a member's userid, a group target an open conversation id of a group
    the app robot is in, or ``robot:<id>`` for a custom group robot admins registered (``/group add dingtalk``).

    DingTalk reports flow control per call (``flowControlledStaffIdList`` → RetryLater) and custom robots are
    kept within 20 messages a minute inside, so this notifier is not wrapped in the Telegram rate limiter.
    """

    def __init__(self, delivery: Delivery, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.delivery = delivery
        self.clock = clock  # only for how long a notice's numbered choices stay valid

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Deliver ``text`` (safe HTML subset) with its buttons as typed commands; return once DingTalk took it."""
        if target.channel != CHANNEL:
            raise Rejected(f"not a DingTalk target: {target.channel}")
        if target.kind != "group":
            await self.delivery.notice_to_user(target.chat_id, text, buttons, now=self.clock())
        elif target.chat_id.startswith("robot:"):
            from bot.services.robots import find_robot

            async with self.delivery.core.db.session() as session:
                robot = await find_robot(session, CHANNEL, target.chat_id)
            if robot is None:
                raise Unreachable(f"the DingTalk robot {target.chat_id} is no longer registered")
            await self.delivery.notice_to_robot(robot.target, robot.secret, text, buttons)
        else:
            await self.delivery.notice_to_group(target.chat_id, text, buttons)

    async def start_link(self) -> str | None:
        """None: members find the robot inside DingTalk; there is no link that opens a chat with it."""
        return None
