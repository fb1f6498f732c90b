"""Custom group robots (自定义机器人) with 加签: ``POST {oapi}/robot/send?access_token=…&timestamp=…&sign=…``.

An admin adds the robot to a DingTalk group, turns on 加签 (signing) and registers its webhook (or just its
access token) and its ``SEC…`` secret with Duban. Each message carries a fresh millisecond timestamp and
``sign = Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))``, URL-encoded as a query value.

DingTalk answers HTTP 200 with an ``errcode``: 0 sent; 410100 (older servers 130101) past 20 messages a
minute — the robot is then throttled for ten minutes, so Duban keeps each robot under the cap itself; 310000
bad sign, stale timestamp or a missing keyword; 300005/400101 an unknown access token (robot removed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.channels.dingtalk.api import check_errcode, install_log_redaction, post_json
from bot.channels.dingtalk.contract import Rejected
from bot.channels.dingtalk.crypto import sign
from bot.channels.dingtalk.limits import RobotLimiter
from bot.channels.dingtalk.render import markdown_title, truncate_utf8

CAP_PER_MINUTE = 20
TEXT_LIMIT = 20_000  # bytes; DingTalk's documented body limit is about 20 KB


def split_target(webhook_or_token: str, oapi_base: str) -> tuple[str, str]:
    """The send URL (without query) and the access token, from a webhook URL or a bare access token."""
    value = webhook_or_token.strip()
    if "://" not in value:
        if not value or any(c in value for c in "?&=/ "):
            raise Rejected("a DingTalk robot needs its webhook URL or its access_token")
        return f"{oapi_base.rstrip('/')}/robot/send", value
    parts = urlsplit(value)
    tokens = parse_qs(parts.query).get("access_token") or []
    if not tokens or not tokens[0]:
        raise Rejected("the DingTalk robot webhook has no access_token")
    return f"{parts.scheme}://{parts.netloc}{parts.path}", tokens[0]


class DingTalkRobots:
    """Sends to any number of custom group robots, each kept under its 20 messages a minute."""

    def __init__(self, *, oapi_base: str, client: httpx.AsyncClient | None = None, timeout: float = 10.0,
                 cap: int = CAP_PER_MINUTE, window: float = 60.0,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        install_log_redaction()
        self.oapi_base = oapi_base.rstrip("/")
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._limits = RobotLimiter(cap, window)
        self._wall_ms = wall_ms

    def __repr__(self) -> str:
        return f"DingTalkRobots(oapi_base={self.oapi_base!r})"

    async def aclose(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own_client:
            await self._client.aclose()

    async def send(self, webhook_or_token: str, secret: str | None, text: str, *, markdown: bool = False,
                   title: str | None = None, at_user_ids: Sequence[str] = ()) -> None:
        """Post ``text`` (plain, or DingTalk markdown with ``markdown=True``) through one robot, within its cap."""
        url, token = split_target(webhook_or_token, self.oapi_base)
        message: dict[str, Any]
        body = truncate_utf8(text, TEXT_LIMIT)
        if markdown:
            message = {"msgtype": "markdown", "markdown": {"title": title or markdown_title(body), "text": body}}
        else:
            message = {"msgtype": "text", "text": {"content": body}}
        if at_user_ids:
            message["at"] = {"atUserIds": list(at_user_ids), "isAtAll": False}
        await self._limits.acquire(token)
        params = {"access_token": token}
        if secret:
            stamp = str(self._wall_ms())  # DingTalk checks it against its real clock, within an hour
            params |= {"timestamp": stamp, "sign": sign(secret, stamp)}
        _, answer = await post_json(self._client, url, "robot/send", message, params=params)
        check_errcode(answer, "robot/send")
