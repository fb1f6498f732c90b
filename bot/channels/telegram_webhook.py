"""Telegram webhooks: ``POST /telegram/webhook`` puts each update on the Application's queue.

Telegram sends the secret token given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token`` with every
update; a request without it (401) or with another (403) is refused before anything is parsed, so a forged
update never reaches the conversation. An accepted update is answered 200 at once and handled by the
Application in the background (PTB's custom-webhook pattern: ``updater(None)`` and ``update_queue``).
Redeliveries are caught later, by the update id recorded in the database (``telegram._Bridge.first_time``).
"""

from __future__ import annotations

import hmac
import json
import logging
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.channels import bounded_body
from bot.core import Core

log = logging.getLogger("duban.telegram")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Bot API: secret_token is 1-256 characters, only A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# An update is a few kilobytes; documents come as file ids, never inline.
MAX_UPDATE_BYTES = 1024 * 1024
CHANNEL = "telegram"


def webhook_settings(core: Core) -> tuple[str, str] | None:
    """(public URL, secret token) when webhooks are configured, None for long polling; a bad secret is refused."""
    settings = core.settings.telegram
    if not settings.webhook_url:
        return None
    if settings.webhook_secret is None:
        raise ValueError("DUBAN_TELEGRAM__WEBHOOK_SECRET must be set when DUBAN_TELEGRAM__WEBHOOK_URL is")
    secret = settings.webhook_secret.get_secret_value()
    if not SECRET_PATTERN.fullmatch(secret):
        raise ValueError("DUBAN_TELEGRAM__WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return settings.webhook_url, secret


def webhook_routes(app: Application, core: Core, secret: str) -> list[BaseRoute]:
    """The webhook route for ``app``: checks the secret header, then queues the update."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None or not hmac.compare_digest(given.encode(), expected):
            core.metrics.update(CHANNEL, "refused")
            log.warning("Telegram webhook refused: %s secret token", "no" if given is None else "a wrong")
            return Response(status_code=401 if given is None else 403)
        body = await bounded_body(request, MAX_UPDATE_BYTES)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, app.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError) as error:
            log.warning("Telegram webhook with an unreadable update: %s", error)
            update = None
        if update is None:
            return Response(status_code=400)
        await app.update_queue.put(update)
        return Response(status_code=200)

    return [Route(WEBHOOK_PATH, receive, methods=["POST"])]

