"""Webhook delivery for the fake Bot API: ``setWebhook``, ``deleteWebhook``, ``getWebhookInfo`` and the pushing
of queued updates to the bot's URL, as Telegram does it.

Facts followed (Bot API, "Getting updates"): ``setWebhook`` takes ``url`` (empty removes it), ``max_connections``
(1-100, default 40), ``allowed_updates``, ``drop_pending_updates`` and ``secret_token`` (1-256 characters of
``A-Z a-z 0-9 _ -``), and answers ``true`` with the description "Webhook was set". Each update is POSTed as JSON
with ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set; any answer other than 2xx, or none, means the
update is delivered again later, and ``getWebhookInfo`` reports the last error. While a webhook is set,
``getUpdates`` answers 409 (see ``telegram_api``). One deviation, for tests on 127.0.0.1: with
``local_webhooks`` (the default) a plain ``http://127.0.0.1:<any port>`` URL is accepted; Telegram wants
HTTPS on port 443, 80, 88 or 8443.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout

from .telegram_models import JSON, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_PORTS = (443, 80, 88, 8443)


class WebhookPusher:
    """The webhook a bot set, and the task pushing pending updates to it one at a time, in order."""

    def __init__(self, world: Any, *, local: bool = True, retry_delay: float = 0.2, timeout: float = 10.0) -> None:
        self.world = world  # the FakeTelegram: pending updates, notify, wall clock
        self.local = local
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.allowed_updates: list[str] | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.deliveries: list[tuple[int, int | str]] = []  # (update_id, HTTP status or error) per attempt
        self.lose_answers = 0  # the next N successful deliveries count as lost (Telegram delivers them again)
        self._task: asyncio.Task[None] | None = None
        self._session: ClientSession | None = None

    # ---- the methods -------------------------------------------------------------------------
    def set(self, params: dict[str, Any], url: str, allowed: list[str] | None) -> None:
        """setWebhook's checks and effect (``url`` non-empty here)."""
        self._check_url(url)
        secret = params.get("secret_token")
        if secret is not None and not SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        raw_max = params.get("max_connections")
        max_connections = 40 if raw_max is None else int(raw_max)
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self.url, self.secret, self.max_connections = url, secret, max_connections
        self.allowed_updates = allowed
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._push())
        self.world.notify()

    def delete(self) -> None:
        """deleteWebhook's effect: pushing stops; pending updates wait for getUpdates."""
        self.url, self.secret = "", None
        self.world.notify()

    def info(self) -> JSON:
        """getWebhookInfo's WebhookInfo object."""
        info: JSON = {"url": self.url, "has_custom_certificate": False,
                      "pending_update_count": len(self.world._updates)}
        if self.url:
            info["max_connections"] = self.max_connections
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        """Stop pushing and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    # ---- pushing -----------------------------------------------------------------------------
    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if self.local and parts.scheme == "http" and parts.hostname == "127.0.0.1":
            return
        if parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")

    async def _push(self) -> None:
        self._session = self._session or ClientSession(timeout=ClientTimeout(total=self.timeout))
        while True:
            pending = self.world._updates[:1] if self.url else []
            if not pending:
                await self.world._changed.wait()
                continue
            update = pending[0]
            if await self._post(update):
                with contextlib.suppress(ValueError):
                    self.world._updates.remove(update)
                self.world.notify()
            else:
                await asyncio.sleep(self.retry_delay)

    async def _post(self, update: JSON) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        assert self._session is not None
        try:
            async with self._session.post(self.url, data=json.dumps(update), headers=headers) as response:
                status: int | str = response.status
                await response.read()
        except (ClientError, TimeoutError) as error:
            status = type(error).__name__
        self.deliveries.append((update["update_id"], status))
        ok = isinstance(status, int) and 200 <= status < 300
        if ok and self.lose_answers > 0:
            self.lose_answers -= 1
            status, ok = "answer lost", False
        if not ok:
            self.last_error_date = int(self.world.wall_clock())
            self.last_error_message = (f"Wrong response from the webhook: {status}" if isinstance(status, int)
                                       else f"Connection failed: {status}")
        return ok

