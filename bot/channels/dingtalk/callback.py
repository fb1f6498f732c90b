"""The app robot's callback URL (HTTP mode): check the sign, answer at once, handle afterwards, once.

``POST /dingtalk/callback`` carries headers ``timestamp`` (ms) and ``sign`` = Base64(HMAC-SHA256(AppSecret,
timestamp + "\\n" + AppSecret)) and a JSON message. A wrong sign, or a timestamp more than an hour from the real
clock, is refused with 403 and nothing is handled. A good one gets an empty 200 at once (no reply in the HTTP
answer) and is handled in a background task; deliveries are de-duplicated by msgId, in memory and in the
database (handled_messages), so a retry after a restart or at another replica is answered once.

In a single chat every text is handled, and an admin's file is previewed as an import; in a group only messages
that @-mention the robot (``isInAtList``), answered in that group. A member's messages are handled one at a time, in the order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from bot.channels import CallbackWork, bounded_body
from bot.channels.dingtalk.capabilities import CAPABILITIES
from bot.channels.dingtalk.contract import Attachment, Chat, Reply, Request, Sender
from bot.channels.dingtalk.crypto import SignatureError, check_callback
from bot.channels.dingtalk.delivery import CHANNEL, Conversation, Delivery
from bot.channels.dingtalk.messages import MAX_BODY_BYTES, BadMessage, Inbound, parse_message
from bot.core import Core
from bot.logformat import tag_update
from bot.services.housekeeping import first_handling, message_key
from bot.texts import t

log = logging.getLogger("duban.dingtalk")

Handle = Callable[[Core, Request], Awaitable[list[Reply]]]
CALLBACK_PATH = "/dingtalk/callback"


class Inbox:
    """Accepted messages: de-duplicated, then handled in the background, one at a time per member."""

    def __init__(self, core: Core, handle: Handle, delivery: Delivery, *, clock: Callable[[], datetime],
                 seen_max: int = 4096) -> None:
        self.core = core
        self.handle = handle
        self.delivery = delivery
        self.clock = clock
        self._work = CallbackWork(seen_max)
        # One lock per member, kept: members are the org's staff, a bounded number.
        self._queues: dict[str, asyncio.Lock] = {}
        self.handled = 0
        self.duplicates = 0

    def accept(self, message: Inbound) -> bool:
        """Start handling ``message`` unless it was delivered before; True when it is new."""
        if not self._work.first_time(message.dedup_key):
            self.duplicates += 1
            self.core.metrics.update(CHANNEL, "duplicate")
            return False
        self._work.start(self._run(message))
        return True

    async def drain(self) -> None:
        """Wait until every accepted message has been handled (tests, shutdown)."""
        await self._work.drain()

    async def close(self, timeout: float = 10.0) -> None:
        """Give running work ``timeout`` seconds to finish, then cancel the rest."""
        await self._work.close(timeout)

    async def _run(self, message: Inbound) -> None:
        lock = self._queues.setdefault(message.user_id, asyncio.Lock())
        tag_update(f"{CHANNEL}:{message.dedup_key}")
        metrics = self.core.metrics
        try:
            async with lock:
                async with self.core.db.session() as session:
                    first = await first_handling(session, message_key(CHANNEL, message.dedup_key), self.clock())
                if not first:  # handled before a restart, or by another replica
                    self.duplicates += 1
                    metrics.update(CHANNEL, "duplicate")
                    return
                started = time.perf_counter()
                await self.process(message)
                self.handled += 1
                metrics.update(CHANNEL, "handled")
                metrics.replied(time.perf_counter() - started)
        except Exception:
            metrics.update(CHANNEL, "error")
            log.exception("error %s handling a DingTalk %s message", secrets.token_hex(4), message.msg_type)

    async def process(self, message: Inbound) -> None:
        """Hand one message to the conversation and send the answers into the same conversation."""
        now = self.clock()
        where = Conversation(message.user_id, message.conversation_id, message.is_group, message.session_webhook,
                             message.session_expires_ms)
        if message.msg_type == "file" and message.download_code and not message.is_group:
            await self._file(message, where, now)
            return
        if message.msg_type != "text":
            await self.delivery.text_to(where, t("dingtalk.unsupported", await self.delivery.lang(message.user_id)))
            return
        request = await self._request(message, where, now)
        if request is not None:
            await self.delivery.replies_to(where, await self.handle(self.core, request), now=now)

    async def _file(self, message: Inbound, where: Conversation, now: datetime) -> None:
        """An admin's file is previewed as an import at once (a file carries no caption); anyone else's is not read."""
        sender = Sender(CHANNEL, message.user_id, message.sender_nick)
        name = message.file_name or "file"
        if not self.core.is_admin(sender.key):
            lang = await self.delivery.lang(message.user_id)
            await self.delivery.text_to(where, t("dingtalk.file_not_imported", lang, name=name))
            return
        api, code, limit = self.delivery.app_api(), message.download_code or "", self.core.settings.imports.max_bytes

        async def fetch() -> bytes:
            return await api.download(code, max_bytes=limit)

        request = Request(sender=sender, chat=Chat(CHANNEL, message.user_id, "private"), now=now, text="/import",
                          attachment=Attachment(name=name, size=None, mime=None, fetch=fetch), caps=CAPABILITIES)
        await self.delivery.replies_to(where, await self.handle(self.core, request), now=now)

    async def _request(self, message: Inbound, where: Conversation, now: datetime) -> Request | None:
        """The conversation request for a text; None when the channel answered it itself."""
        text = message.content.strip()
        sender = Sender(CHANNEL, message.user_id, message.sender_nick)
        chat = (Chat(CHANNEL, message.conversation_id, "group", message.conversation_title) if message.is_group
                else Chat(CHANNEL, message.user_id, "private"))
        memory = self.delivery.memory
        if text.isdecimal() and memory.had_choices(where.memory_key):
            data = memory.choice(where.memory_key, int(text), now)
            if data is None:
                lang = await self.delivery.lang(message.user_id)
                await self.delivery.text_to(where, t("dingtalk.no_choice", lang, n=text))
                return None
            return Request(sender=sender, chat=chat, now=now, callback=data, caps=CAPABILITIES)
        return Request(sender=sender, chat=chat, now=now, text=text, caps=CAPABILITIES)


class Callback:
    """The POST endpoint: sign and timestamp checked against the real clock, then the message accepted.

    The sign proves the AppSecret, so the message is this app's; its ``robotCode`` is not checked again.
    """

    def __init__(self, inbox: Inbox, app_secret: str, *,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.inbox = inbox
        self._secret = app_secret
        self.wall_ms = wall_ms  # DingTalk stamps with the real time, not the conversation's (movable) clock
        self.refused = 0

    def __repr__(self) -> str:
        return "Callback(app_secret=[REDACTED])"

    async def receive(self, request: HttpRequest) -> Response:
        """Check, accept and answer one callback POST."""
        try:
            check_callback(self._secret, request.headers.get("timestamp"), request.headers.get("sign"),
                           now_ms=self.wall_ms())
        except SignatureError as error:
            self.refused += 1
            self.inbox.core.metrics.update(CHANNEL, "refused")
            log.warning("DingTalk callback refused: %s", error)
            return Response(status_code=403)
        body = await bounded_body(request, MAX_BODY_BYTES)
        if body is None:
            return Response(status_code=413)
        try:
            message = parse_message(body)
        except BadMessage as error:
            # Signed with our secret but unreadable: a retry would not read better.
            log.warning("DingTalk callback could not be read: %s", error)
            return Response(status_code=200)
        if message.is_group and not message.in_at_list:
            pass  # in a group the robot answers only when it is @-mentioned
        else:
            self.inbox.accept(message)
        return Response(status_code=200)


def callback_routes(callback: Callback, *, path: str = CALLBACK_PATH) -> list[Route]:
    """The callback's one route, for the process's HTTP server."""
    return [Route(path, callback.receive, methods=["POST"])]


def callback_app(callback: Callback, *, path: str = CALLBACK_PATH) -> Starlette:
    """The callback alone as a Starlette app (its inbox finished on shutdown); ``app.state.inbox`` for tests."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await callback.inbox.close()

    app = Starlette(routes=callback_routes(callback, path=path), lifespan=lifespan)
    app.state.inbox = callback.inbox
    app.state.callback = callback
    return app
