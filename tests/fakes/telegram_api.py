"""A fake Telegram Bot API over HTTP (aiohttp, 127.0.0.1, port 0) for driving a real PTB Application.

Use the ``fake_telegram`` fixture (import it into your test module or conftest), then
``fake.application_builder()`` and ``async with running(app): ...``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest_asyncio
from aiohttp import web
from telegram.ext import Application, ApplicationBuilder

from .telegram_methods import BotApiMethods, int_param, json_param, str_param
from .telegram_models import ApiError, FloodLimits, RequestRecord, SentMessage, UploadedFile
from .telegram_webhook import WebhookPusher

__all__ = ["ApiError", "FakeTelegram", "FloodLimits", "SentMessage", "fake_telegram", "running"]

DEFAULT_TOKEN = "7000000001:AAF-fake-token-for-duban-tests_0123456"
MAX_UPLOAD = 50 * 1024 * 1024  # Bot API upload limit; bigger bodies get 413
CONFLICT_OTHER_POLL = ("Conflict: terminated by other getUpdates request; "
                       "make sure that only one bot instance is running")
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    409: CONFLICT_OTHER_POLL,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Injection:
    """A planned failure for the next ``times`` matching calls."""

    method: str
    status: int | str  # an HTTP status, or "hang" / "hang_before" / "hang_after"
    times: int
    chat_id: int | str | None
    retry_after: int
    seconds: float
    description: str | None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Whether this injection applies to the call."""
        if self.method.lower() != method.lower() or self.times <= 0:
            return False
        return self.chat_id is None or str(self.chat_id) == params.get("chat_id")

    def error(self) -> ApiError:
        """The failure answered for a status injection."""
        status = int(self.status)
        if status == 429:
            return ApiError(429, self.description or f"Too Many Requests: retry after {self.retry_after}",
                            {"retry_after": self.retry_after})
        try:
            default = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        except ValueError:
            default = "Injected failure"
        return ApiError(status, self.description or default)


class FakeTelegram(BotApiMethods):
    """The fake Bot API server plus the world helpers (add_user, user_sends, messages, inject...)."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "duban_test_bot",
                 bot_first_name: str = "Duban Test", privacy_mode: bool = True, strict_ampersand: bool = True,
                 enforce_limits: bool = False, limits: FloodLimits | None = None, max_poll_timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
                 local_webhooks: bool = True) -> None:
        super().__init__(token=token, bot_username=bot_username, bot_first_name=bot_first_name,
                         privacy_mode=privacy_mode, strict_ampersand=strict_ampersand,
                         enforce_limits=enforce_limits, limits=limits, clock=clock, wall_clock=wall_clock)
        self.max_poll_timeout = max_poll_timeout
        self.webhook = WebhookPusher(self, local=local_webhooks)  # setWebhook's state and the pushing task
        self.downloads: list[str] = []  # file paths fetched through the file URL
        self._injections: list[Injection] = []
        self._poll_generation = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder already pointed at this fake with its token."""
        return Application.builder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # handler_cancellation: a client that gave up (time-out, stopped poll) frees its handler at once.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Wake long polls and hangs, then close the server."""
        self._closing.set()
        self.notify()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- fault injection -----------------------------------------------------------------------
    def inject(self, method: str, status: int | str = 500, times: int = 1, chat_id: int | str | None = None, *,
               retry_after: int = 1, seconds: float = 30.0, description: str | None = None) -> Injection:
        """Make the next ``times`` calls of ``method`` (optionally only to ``chat_id``) fail.

        ``status``: an HTTP status (429 carries ``retry_after``); ``"hang_before"`` (alias ``"hang"``)
        sleeps ``seconds`` without delivering, then answers 502; ``"hang_after"`` delivers, then
        sleeps ``seconds`` before answering, like a response lost on the way back.
        """
        if status == "hang":
            status = "hang_before"
        if isinstance(status, str) and status not in ("hang_before", "hang_after"):
            raise ValueError(f"unknown injection status {status!r}")
        injection = Injection(method, status, times, chat_id, retry_after, seconds, description)
        self._injections.append(injection)
        return injection

    # ---- HTTP ----------------------------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._respond(ApiError(401, "Unauthorized"))
        try:
            params = await self._read_params(request)
        except ApiError as err:
            return self._respond(err)
        self.requests.append(RequestRecord(method, params))
        self.stats.by_method[method] += 1
        self.notify()
        try:
            result = await self._call(method, params)
        except ApiError as err:
            return self._respond(err)
        return self._respond(result)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._respond(ApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return self._respond(ApiError(404, "Not Found"))
        self.downloads.append(path)
        self.notify()
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return self._respond(ApiError(404, "Not Found"))

    def _respond(self, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            self.stats.by_status[outcome.status] += 1
            if outcome.status == 429:
                self.stats.too_many += 1
            return web.json_response(outcome.body(), status=outcome.status)
        self.stats.by_status[200] += 1
        return web.json_response({"ok": True, "result": outcome})

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        """Query string plus a form, multipart or JSON body; every value a string (files aside)."""
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items() if v is not None})
            elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                for key, value in (await request.post()).items():
                    params[key] = (UploadedFile(value.filename, value.content_type, value.file.read())
                                   if isinstance(value, web.FileField) else value)
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        return params

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        injection = next((i for i in self._injections if i.matches(method, params)), None)
        if injection is None:
            return await self._dispatch(method, params)
        injection.times -= 1
        if injection.status == "hang_before":
            await self._hang(injection.seconds)
            raise ApiError(502, "Bad Gateway")
        if injection.status == "hang_after":
            try:
                return await self._dispatch(method, params)
            finally:
                await self._hang(injection.seconds)
        raise injection.error()

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        name = method.lower()  # Telegram treats method names case-insensitively
        if name == "getupdates":
            return await self._get_updates(params)
        handler = getattr(self, f"api_{name}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params)

    async def _hang(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: answer as soon as updates exist, else after ``timeout`` (capped)."""
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int_param(params, "offset", 0) or 0
        limit = min(max(int_param(params, "limit", 100) or 100, 1), 100)
        try:
            timeout = min(max(float(str_param(params, "timeout") or 0), 0.0), self.max_poll_timeout)
        except ValueError:
            raise ApiError(400, 'Bad Request: field "timeout" must be of type Integer') from None
        allowed = json_param(params, "allowed_updates", "allowed updates")
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) or None
        # A newer getUpdates ends the older one with 409, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLL)
            batch = self.pending_updates(offset, limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass


@asynccontextmanager
async def running(app: Application, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Initialize ``app``, poll and process updates for the block, then stop it the way PTB wants."""
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram with default settings (no flood limits enforced)."""
    async with FakeTelegram() as fake:
        yield fake
