"""The group robot (群机器人): a webhook that posts into one WeCom group chat.

``POST {base}/cgi-bin/webhook/send?key=KEY`` with JSON; files go up first through ``webhook/upload_media``
(a multipart part named ``media``). WeCom always answers HTTP 200 with an ``errcode``: 93000 (bad key) →
``Unreachable``, 45009 (over 20 messages a minute) → ``RetryLater(60)``. Texts are limited to 2048 bytes,
markdown to 4096; longer content is cut on a character boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from bot.channels.wecom import redact
from bot.channels.wecom.api import check, json_body
from bot.channels.wecom.render import truncate_utf8
from bot.contracts import Transient

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096


class WeComRobot:
    """One group robot, addressed by its webhook key."""

    def __init__(self, *, base_url: str, key: str, client: httpx.AsyncClient | None = None,
                 timeout: float = 10.0) -> None:
        redact.install()
        self.base_url = base_url.rstrip("/")
        self._key = key
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)

    def __repr__(self) -> str:
        return "WeComRobot(key=[REDACTED])"

    @property
    def key(self) -> str:
        """The webhook key (a secret: for comparing and limiting, never for logs)."""
        return self._key

    async def aclose(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own_client:
            await self._client.aclose()

    async def _post(self, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.post(self.base_url + path, **kwargs)
        except httpx.TimeoutException:
            raise Transient(f"WeCom {what}: timed out") from None
        except httpx.HTTPError as error:
            raise Transient(f"WeCom {what}: {type(error).__name__}") from None
        if response.status_code != 200:
            raise Transient(f"WeCom {what}: HTTP {response.status_code}")
        body = json_body(response, what)
        check(body, what)
        return body

    async def _send(self, message: dict[str, Any]) -> None:
        await self._post("/cgi-bin/webhook/send", "webhook/send", params={"key": self._key}, json=message)

    async def send_text(self, content: str, *, mentioned_list: Sequence[str] = ()) -> None:
        """A text message, @-mentioning ``mentioned_list`` (user ids, or ``@all``)."""
        text: dict[str, Any] = {"content": truncate_utf8(content, TEXT_LIMIT)}
        if mentioned_list:
            text["mentioned_list"] = list(mentioned_list)
        await self._send({"msgtype": "text", "text": text})

    async def send_markdown(self, content: str, *, mentions: Sequence[str] = ()) -> None:
        """A markdown message; ``mentions`` are appended as ``<@userid>`` (robot markdown's only mention form)."""
        suffix = "".join(f"<@{user}>" for user in mentions)
        room = MARKDOWN_LIMIT - len(suffix.encode("utf-8")) - (1 if suffix else 0)
        body = truncate_utf8(content, max(room, 0))
        await self._send({"msgtype": "markdown", "markdown": {"content": f"{body}\n{suffix}" if suffix else body}})

    async def upload_media(self, name: str, data: bytes, mime: str = "application/octet-stream") -> str:
        """Upload a file for ``send_file``; its media_id (valid three days)."""
        body = await self._post("/cgi-bin/webhook/upload_media", "webhook/upload_media",
                                params={"key": self._key, "type": "file"}, files={"media": (name, data, mime)})
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Transient("WeCom webhook/upload_media answered without a media_id")
        return media_id

    async def send_file(self, media_id: str) -> None:
        """Post an uploaded file into the group."""
        await self._send({"msgtype": "file", "file": {"media_id": media_id}})
