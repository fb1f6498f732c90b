"""Runs the HTTP side of ``duban run`` (the one server from ``bot.app.build_http``) with Telegram in webhook mode
against the fake Bot API, for the webhook, health, metrics and log tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import text

from bot.app import build_http
from bot.channels.telegram import build_telegram_application, run_until
from bot.channels.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_settings
from bot.core import Core
from bot.db import Database
from bot.http import serve
from handlers.app import handle
from tests.fakes.telegram_api import FakeTelegram

NOW = datetime(2023, 10, 27, 1, 0, tzinfo=timezone.utc)
SECRET = "duban-webhook_secret-0123456789"
USER = 4242


@dataclass
class Replica:
    """One running ``duban run`` HTTP side: its URL, core and Telegram application."""

    url: str
    core: Core
    app: object

    @property
    def webhook(self) -> str:
        """The webhook URL on this replica."""
        return self.url + WEBHOOK_PATH


async def second_database(db: Database, url: str | None = None) -> Database:
    """Another engine on the database behind ``db`` (another process's), at ``url`` when given; on PostgreSQL in
    the test's own schema."""
    if db.is_sqlite:
        return Database(url or db.url)
    async with db.engine.connect() as conn:
        schema = str((await conn.execute(text("SHOW search_path"))).scalar()).strip('"')
    return Database(url or db.url, connect_args={"server_settings": {"search_path": schema}})


def bound_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1 (the server takes it over)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def replica(core: Core, fake: FakeTelegram, *, webhook_url: str | None = None,
                  scheduler: Any = None) -> AsyncIterator[Replica]:
    """The Telegram application in webhook mode and the one HTTP server, as ``run_all`` wires them; with a
    ``scheduler`` (built, not started) its heartbeat and passes feed /readyz and /metrics, and it runs too."""
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    t = core.settings.telegram
    t.token, t.base_url, t.base_file_url = SecretStr(fake.token), fake.base_url, fake.base_file_url
    t.webhook_url, t.webhook_secret = webhook_url or url + WEBHOOK_PATH, SecretStr(SECRET)
    app = build_telegram_application(core, handle, clock=lambda: NOW)
    http = build_http(core, handle, app, scheduler)
    stop, ready = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(serve(http, host="127.0.0.1", port=0, stop=stop, sock=sock, ready=ready))
    bot = asyncio.create_task(run_until(app, stop, webhook=webhook_settings(core)))
    await asyncio.wait_for(ready.wait(), 5)
    if scheduler is not None:
        scheduler.start()
    try:
        yield Replica(url, core, app)
    finally:
        if scheduler is not None:
            from scheduler.jobs import stop_scheduler

            await stop_scheduler(scheduler)
        stop.set()
        await asyncio.wait_for(asyncio.gather(server, bot), 10)


def make_update(update_id: int, text: str = "/help", user: int = USER) -> dict:
    sender = {"id": user, "is_bot": False, "first_name": "Webhook"}
    return {"update_id": update_id, "message": {
        "message_id": update_id % 1000, "date": 1698368400, "chat": {"id": user, "type": "private"},
        "from": sender, "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def post(url: str, update: dict, secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with httpx.AsyncClient() as client:
        return (await client.post(url, json=update, headers=headers)).status_code


