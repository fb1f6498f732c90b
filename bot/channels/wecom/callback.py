"""The WeCom app's callback URL: a Starlette app that checks, decrypts, answers at once and works afterwards.

- ``GET ?msg_signature&timestamp&nonce&echostr``: the URL check. The signature is verified over ``echostr``,
  which is decrypted and answered as plain text, nothing else.
- ``POST ?msg_signature&timestamp&nonce`` with ``<xml><Encrypt>…</Encrypt></xml>``: the signature is verified
  over the ``Encrypt`` value (403 and nothing handled when it does not match), the message is decrypted,
  an empty 200 goes back at once ("no passive reply"), and the message is handled in a background task.
  WeCom retries after 5 s, up to 3 times, when it gets no answer; deliveries are de-duplicated by MsgId,
  in memory and in the database (handled_messages), so a replay after a restart is ignored too.

Handling turns the message into a channel-neutral ``Request`` for the conversation and sends each ``Reply``
back through the app API. A member's messages are handled one at a time, in the order they arrived.
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
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels import CallbackWork, bounded_body
from bot.channels.wecom.cards import button_data
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.channels.wecom.capabilities import capabilities
from bot.channels.wecom.delivery import CHANNEL, Delivery
from bot.channels.wecom.memory import FileMemory, SentFile
from bot.channels.wecom.messages import MAX_XML_BYTES, BadMessage, Inbound, parse_envelope, parse_message
from bot.core import Core
from bot.logformat import tag_update
from bot.services.housekeeping import first_handling, message_key
from bot.services.robots import RobotError, adopt_setting_robot
from bot.texts import t
from handlers.router import route_text
from bot.contracts import Attachment, Chat, Reply, Request, Sender

log = logging.getLogger("duban.wecom")

Handle = Callable[[Core, Request], Awaitable[list[Reply]]]
CALLBACK_PATH = "/wecom/callback"
# A signed callback is only good this long around its timestamp: a recorded one cannot be replayed later.
TIMESTAMP_WINDOW = 300.0
MEDIA_TYPES = frozenset({"file", "image", "voice", "video"})


class Inbox:
    """Accepted messages: de-duplicated, then handled in the background, one at a time per member."""

    def __init__(self, core: Core, handle: Handle, delivery: Delivery, *, clock: Callable[[], datetime],
                 files: FileMemory | None = None, seen_max: int = 4096) -> None:
        self.core = core
        self.handle = handle
        self.delivery = delivery
        self.caps = core.capabilities.setdefault(CHANNEL, capabilities(core.settings))
        self.clock = clock
        self.files = files or FileMemory()
        self._work = CallbackWork(seen_max)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # a member's lock and its users
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

    async def adopt_robot_setting(self) -> None:
        """Register DUBAN_WECOM__ROBOT_KEY as a robot for every section, once, so its group gets the digests."""
        key = self.core.settings.wecom.robot_key
        if key is None or not key.get_secret_value().strip():
            return
        try:
            async with self.core.db.session() as session:
                await adopt_setting_robot(session, CHANNEL, key.get_secret_value().strip(), now=self.clock())
        except RobotError as error:
            log.warning("DUBAN_WECOM__ROBOT_KEY was not registered as a robot: %s", error.key)

    async def _run(self, message: Inbound) -> None:
        user = message.user_id
        lock, waiting = self._locks.get(user, (asyncio.Lock(), 0))
        self._locks[user] = (lock, waiting + 1)
        tag_update(f"{CHANNEL}:{message.dedup_key}")
        metrics = self.core.metrics
        try:
            async with lock:
                if not await self._first_time(message):
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
            error_id = secrets.token_hex(4)
            log.exception("error %s handling a WeCom %s message from %s", error_id, message.msg_type, user)
        finally:
            lock, waiting = self._locks[user]
            if waiting <= 1:
                del self._locks[user]
            else:
                self._locks[user] = (lock, waiting - 1)

    async def _first_time(self, message: Inbound) -> bool:
        """Record the message as handled in the database; False when it was (before a restart, or by a replica)."""
        async with self.core.db.session() as session:
            return await first_handling(session, message_key(CHANNEL, message.dedup_key), self.clock())

    async def process(self, message: Inbound) -> None:
        """Handle one message: hand it to the conversation (or keep a file for /import) and send the answers."""
        user, now = message.user_id, self.clock()
        if message.msg_type == "event":
            if message.event == "template_card_event" and message.event_key:
                await self._pressed(message, now)
            return  # entering the app, subscribing …: nothing to answer
        if message.msg_type in MEDIA_TYPES and message.media_id:
            sent = SentFile(message.media_id, message.file_name)
            self.files.remember(user, sent, now)  # kept too, for "/import 2024" with a year or columns
            if message.msg_type == "file" and self.core.is_admin(f"{CHANNEL}:{user}"):
                # A file cannot carry a caption here: an admin's file is previewed as "/import" at once.
                request = Request(sender=Sender(CHANNEL, user, user), chat=Chat(CHANNEL, user, "private"), now=now,
                                  text="/import", attachment=self._attachment(sent), caps=self.caps)
                await self.delivery.replies_to_user(user, await self.handle(self.core, request), now=now)
                return
            lang = await self.delivery.lang(user)
            name = message.file_name or message.msg_type
            text = t("wecom.file_received", lang, name=name, minutes=self.files.minutes)
            await self.delivery.text_to_user(user, text)
            return
        if message.msg_type != "text":
            await self.delivery.text_to_user(user, t("wecom.unsupported", await self.delivery.lang(user)))
            return
        request = await self._request(message, now)
        if request is None:
            return
        replies = await self.handle(self.core, request)
        await self.delivery.replies_to_user(user, replies, now=now)

    async def _pressed(self, message: Inbound, now: datetime) -> None:
        """A template card's button: routed like a Telegram button press, then the card's buttons greyed."""
        user = message.user_id
        data = button_data(message.event_key or "")
        if data is None:
            log.warning("WeCom card event with a key Duban never made")
            return
        request = Request(sender=Sender(CHANNEL, user, user), chat=Chat(CHANNEL, user, "private"), now=now,
                          callback=data, caps=self.caps)
        await self.delivery.replies_to_user(user, await self.handle(self.core, request), now=now)
        if message.response_code:
            await self.delivery.card_answered(user, message.response_code, await self.delivery.lang(user))

    async def _request(self, message: Inbound, now: datetime) -> Request | None:
        """The conversation request for a text; None when the channel answered it itself."""
        user, text = message.user_id, message.content.strip()
        sender = Sender(CHANNEL, user, user)
        chat = Chat(CHANNEL, user, "private")
        memory = self.delivery.memory
        if text.isdecimal() and memory.had_choices(user):
            data = memory.choice(user, int(text), now)
            if data is None:
                await self.delivery.text_to_user(user, t("wecom.no_choice", await self.delivery.lang(user), n=text))
                return None
            return Request(sender=sender, chat=chat, now=now, callback=data, caps=self.caps)
        attachment = None
        route = route_text(text)
        if route is not None and route.name == "import" and self.core.is_admin(sender.key):
            sent = self.files.take(user, now)
            if sent is None:
                lang = await self.delivery.lang(user)
                await self.delivery.text_to_user(user, t("wecom.file_expired", lang, minutes=self.files.minutes))
                return None
            attachment = self._attachment(sent)
        return Request(sender=sender, chat=chat, now=now, text=text, attachment=attachment, caps=self.caps)

    def _attachment(self, sent: SentFile) -> Attachment:
        api = self.delivery.app_api()
        limit = self.core.settings.imports.max_bytes

        async def fetch() -> bytes:
            return (await api.get_media(sent.media_id, max_bytes=limit)).data

        return Attachment(name=sent.name or sent.media_id, size=None, mime=None, fetch=fetch)


def callback_app(inbox: Inbox, crypto: WeComCrypto, *, path: str = CALLBACK_PATH,
                 wall: Callable[[], float] = time.time) -> Starlette:
    """The Starlette app serving the callback URL at ``path``; ``wall`` is the real clock timestamps are checked on."""

    def fresh(timestamp: str) -> bool:
        # Not the conversation's clock (tests and the demo move that one): WeCom stamps with the real time.
        return timestamp.isdecimal() and abs(wall() - int(timestamp)) <= TIMESTAMP_WINDOW

    async def verify(request: HttpRequest) -> Response:
        q = request.query_params
        fields = [q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), q.get("echostr")]
        if not all(fields):
            return PlainTextResponse("", status_code=400)
        try:
            plain = crypto.verify_url(*fields)  # type: ignore[arg-type]
        except WeComCryptoError as error:
            log.warning("WeCom URL check refused: %s", error)
            return PlainTextResponse("", status_code=403)
        if not fresh(fields[1]):  # type: ignore[arg-type]
            log.warning("WeCom URL check refused: timestamp outside the window")
            return PlainTextResponse("", status_code=403)
        return PlainTextResponse(plain)

    async def receive(request: HttpRequest) -> Response:
        q = request.query_params
        signature, timestamp, nonce = q.get("msg_signature"), q.get("timestamp"), q.get("nonce")
        if not (signature and timestamp and nonce):
            return Response(status_code=400)
        body = await bounded_body(request, MAX_XML_BYTES)
        if body is None:
            return Response(status_code=413)
        try:
            envelope = parse_envelope(body)
        except BadMessage as error:
            log.warning("WeCom callback with an unreadable body: %s", error)
            return Response(status_code=400)
        try:
            crypto.check(signature, timestamp, nonce, envelope.encrypt)
        except WeComCryptoError:
            inbox.core.metrics.update(CHANNEL, "refused")
            log.warning("WeCom callback refused: bad signature")
            return Response(status_code=403)
        if not fresh(timestamp):
            inbox.core.metrics.update(CHANNEL, "refused")
            log.warning("WeCom callback refused: timestamp %s outside the window", timestamp[:20])
            return Response(status_code=403)
        try:
            message = parse_message(crypto.decrypt(envelope.encrypt))
        except (WeComCryptoError, BadMessage) as error:
            # Signed by someone holding the token but unreadable: retrying would not help.
            log.warning("WeCom callback could not be read: %s", error)
            return Response(status_code=200)
        inbox.accept(message)
        return Response(status_code=200)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await inbox.adopt_robot_setting()
        yield
        await inbox.close()

    app = Starlette(
        routes=[Route(path, verify, methods=["GET"]), Route(path, receive, methods=["POST"])],
        lifespan=lifespan,
    )
    app.state.inbox = inbox
    return app
