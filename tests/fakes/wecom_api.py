"""A fake WeCom server (aiohttp, 127.0.0.1, port 0) and a player that plays WeCom calling Duban's callback.

``FakeWeCom`` implements what Duban uses of the self-built app API and the group robot, as PROTOCOLS.md
describes them: gettoken (40001 bad secret; tokens expire, and tests can expire them at will), message/send
(40014 invalid token, 42001 expired; 81013 when every recipient is invalid; at most ``per_user_cap`` messages
per member per window — the excess is DROPPED SILENTLY with errcode 0, as WeCom does; ``template_card``
button_interaction cards checked and answered with a ``response_code``), message/update_template_card (a response
code is good once; 60140 after), media/upload (multipart part ``media``; type file/image/voice/video; images JPG or
PNG; at least 5 bytes) and media/get (media_id valid three days after upload, 40007 after), webhook/send (93000 bad key, 45009 past ``robot_cap`` per window) and webhook/upload_media
(multipart part named ``media``). Every answer is HTTP 200 with an ``errcode``, except media/get's file.

``WeComPlayer`` encrypts a member's message with the real crypto and POSTs it to a callback URL, retrying
after ``retry_after`` seconds without an answer, up to 3 deliveries (or forcing extra deliveries, as when
WeCom never saw our answer); it also performs the GET URL check.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import string
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest_asyncio
from aiohttp import web
from lxml import etree

from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.messages import envelope_xml

__all__ = ["AppMessage", "FakeWeCom", "RobotMessage", "WeComPlayer", "fake_wecom", "new_aes_key"]

APP_TEXT_LIMIT = 2048
ROBOT_TEXT_LIMIT = 2048
ROBOT_MARKDOWN_LIMIT = 4096


def new_aes_key() -> str:
    """A fresh 43-character EncodingAESKey (letters and digits, as the admin console makes them)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        key = "".join(secrets.choice(alphabet) for _ in range(43))
        try:
            WeComCrypto("t", key, "")
            return key
        except Exception:  # the last character must leave no stray bits; try another
            continue


def _cut(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


@dataclass
class AppMessage:
    """One app message as a member received it (content already cut as WeCom cuts it)."""

    user: str
    msgtype: str
    content: str
    at: float
    msgid: str
    oversize: bool = False
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class RobotMessage:
    """One message the group robot posted."""

    msgtype: str
    content: str
    mentioned_list: list[str]
    at: float
    oversize: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # which robot (webhook key) posted it


@dataclass
class StoredMedia:
    """A temporary media file held by the fake: valid for three days after its upload."""

    media_id: str
    name: str
    mime: str
    data: bytes
    kind: str = "file"
    created: float = 0.0


@dataclass
class Card:
    """A template card the app sent: who got it, its buttons' keys, and whether it was updated after a press."""

    user: str
    task_id: str
    keys: tuple[str, ...]
    response_code: str
    replaced_with: str | None = None


MEDIA_LIFETIME = 3 * 24 * 3600.0  # temporary media expire three days after upload
MEDIA_MIN_BYTES = 5
IMAGE_MAX_BYTES = 10 * 1024 * 1024  # app images: JPG/PNG up to 10 MB
FILE_MAX_BYTES = 20 * 1024 * 1024  # app files up to 20 MB
CARD_KEY = re.compile(r"^[A-Za-z0-9_\-@]{1,128}$")  # task_id and button keys: letters, digits and _-@

class FakeWeCom:
    """The fake WeCom API server and its world: members, tokens, media, what was delivered and dropped."""

    def __init__(
        self,
        *,
        corp_id: str = "wwfakecorp0001",
        secret: str = "fake-app-secret-0123456789",
        agent_id: int = 1000002,
        robot_key: str = "fake-robot-key-0001",
        token: str = "fakeCallbackToken",
        encoding_aes_key: str | None = None,
        users: Iterable[str] = ("zhangsan", "lisi", "wangwu"),
        expires_in: int = 7200,
        per_user_cap: int = 30,
        per_user_window: float = 60.0,
        robot_cap: int = 20,
        robot_window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.robot_key, self.token = robot_key, token
        self.robot_keys: set[str] = {robot_key}  # every robot (group) this corp has; add more with add_robot
        self.encoding_aes_key = encoding_aes_key or new_aes_key()
        self.users: set[str] = set(users)
        self.expires_in = expires_in
        self.per_user_cap, self.per_user_window = per_user_cap, per_user_window
        self.robot_cap, self.robot_window = robot_cap, robot_window
        self.clock = clock
        self.tokens: dict[str, float] = {}  # token → expiry (clock seconds)
        self.media: dict[str, StoredMedia] = {}
        self.delivered: list[AppMessage] = []
        self.dropped: list[AppMessage] = []
        self.robot_messages: list[RobotMessage] = []
        self.robot_refused: int = 0
        self.cards: dict[str, Card] = {}  # by response code
        self.refuse_cards = False  # as a WeCom without template cards: 40008 invalid message type
        self._task_ids: set[str] = set()  # a task_id may be used once per app
        self.calls: list[tuple[str, int]] = []  # (path, errcode answered)
        self.token_fetches = 0
        self._recent: dict[str, deque[float]] = {}
        self._robot_recent: dict[str, deque[float]] = {}  # per robot key: WeCom caps each robot on its own
        self._failures: dict[str, deque[int]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> FakeWeCom:
        """Listen on 127.0.0.1 at a free port; ``base_url`` is set."""
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._message_send)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update_card)
        app.router.add_post("/cgi-bin/webhook/send", self._webhook_send)
        app.router.add_post("/cgi-bin/webhook/upload_media", self._webhook_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeWeCom:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- world helpers -----------------------------------------------------------------------------------

    def add_user(self, userid: str) -> None:
        """A member the app may write to."""
        self.users.add(userid)

    def add_robot(self, key: str) -> str:
        """Another group robot (another group) with its own webhook key and its own 20 a minute."""
        self.robot_keys.add(key)
        return key

    def robot_messages_of(self, key: str) -> list[RobotMessage]:
        """What the robot with webhook ``key`` posted, in order."""
        return [m for m in self.robot_messages if m.key == key]

    def add_media(self, data: bytes, name: str, mime: str = "application/octet-stream", kind: str = "file") -> str:
        """A file a member sent (as WeCom stores it for media/get); its media_id."""
        media_id = f"MEDIA{next(self._ids):06d}{secrets.token_hex(4)}"
        self.media[media_id] = StoredMedia(media_id, name, mime, data, kind, self.clock())
        return media_id

    def _live_media(self, media_id: str) -> StoredMedia | None:
        """The media behind ``media_id`` unless it never existed or its three days are over."""
        media = self.media.get(media_id)
        if media is None or self.clock() >= media.created + MEDIA_LIFETIME:
            return None
        return media

    def card_sent_to(self, user: str) -> Card:
        """The latest template card ``user`` received."""
        found = [card for card in self.cards.values() if card.user == user]
        if not found:
            raise AssertionError(f"{user} received no template card")
        return found[-1]

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (the next call with one gets 42001)."""
        now = self.clock()
        for token in self.tokens:
            self.tokens[token] = now - 1

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next ``times`` calls to ``path`` (e.g. ``/cgi-bin/message/send``) answer ``errcode``."""
        self._failures.setdefault(path, deque()).extend([errcode] * times)

    def messages_to(self, user: str) -> list[AppMessage]:
        """What ``user`` received, in order."""
        return [m for m in self.delivered if m.user == user]

    def texts_to(self, user: str) -> list[str]:
        """The contents of the text and markdown messages ``user`` received (not files, pictures or cards)."""
        return [m.content for m in self.messages_to(user) if m.msgtype in ("text", "markdown")]

    async def wait_for_messages(self, user: str, count: int, timeout: float = 5.0) -> list[AppMessage]:
        """Wait until ``user`` has received at least ``count`` messages."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages_to(user)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{user} received {len(self.messages_to(user))} messages, expected {count}")
            await asyncio.sleep(0.01)
        return self.messages_to(user)

    def callback_crypto(self) -> WeComCrypto:
        """The crypto WeCom uses towards the app's callback URL."""
        return WeComCrypto(self.token, self.encoding_aes_key, self.corp_id)

    def player(self, url: str, **kwargs: Any) -> WeComPlayer:
        """A player that calls ``url`` as this corp's WeCom would."""
        return WeComPlayer(url, crypto=self.callback_crypto(), corp_id=self.corp_id, agent_id=self.agent_id, **kwargs)

    # ---- plumbing ----------------------------------------------------------------------------------------

    def _answer(self, path: str, errcode: int, errmsg: str = "", **extra: Any) -> web.Response:
        self.calls.append((path, errcode))
        body = {"errcode": errcode, "errmsg": errmsg or ("ok" if errcode == 0 else f"error {errcode}"), **extra}
        return web.json_response(body)

    def _injected(self, path: str) -> int | None:
        queue = self._failures.get(path)
        return queue.popleft() if queue else None

    def _token_error(self, request: web.Request) -> int | None:
        token = request.query.get("access_token")
        if not token:
            return 41001
        expiry = self.tokens.get(token)
        if expiry is None:
            return 40014
        if self.clock() >= expiry:
            return 42001
        return None

    def _within_cap(self, user: str, now: float) -> bool:
        recent = self._recent.setdefault(user, deque())
        while recent and recent[0] <= now - self.per_user_window:
            recent.popleft()
        if len(recent) >= self.per_user_cap:
            return False
        recent.append(now)
        return True

    # ---- app API -----------------------------------------------------------------------------------------

    async def _gettoken(self, request: web.Request) -> web.Response:
        path = request.path
        if (code := self._injected(path)) is not None:
            return self._answer(path, code)
        if request.query.get("corpid") != self.corp_id:
            return self._answer(path, 40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return self._answer(path, 40001, "invalid credential")
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.clock() + self.expires_in
        self.token_fetches += 1
        return self._answer(path, 0, access_token=token, expires_in=self.expires_in)

    async def _message_send(self, request: web.Request) -> web.Response:
        path = request.path
        if (code := self._token_error(request)) is not None:
            return self._answer(path, code)
        if (code := self._injected(path)) is not None:
            return self._answer(path, code)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._answer(path, 47001, "data format error")
        if body.get("agentid") != self.agent_id:
            return self._answer(path, 40056, "invalid agentid")
        msgtype = body.get("msgtype")
        payload = body.get(msgtype) if isinstance(msgtype, str) else None
        if msgtype not in ("text", "markdown", "file", "image", "template_card") or not isinstance(payload, dict):
            return self._answer(path, 40008, "invalid message type")
        card: Card | None = None
        if msgtype == "template_card" and self.refuse_cards:
            return self._answer(path, 40008, "invalid message type")
        if msgtype == "template_card":
            problem = self._card_problem(payload)
            if problem is not None:
                return self._answer(path, 40058, problem)
            content, oversize = str(payload["main_title"].get("title", "")), False
            keys = tuple(b["key"] for b in payload["button_list"])
            card = Card("", payload["task_id"], keys, secrets.token_urlsafe(16))
        elif msgtype in ("text", "markdown"):
            content = payload.get("content")
            if not isinstance(content, str) or not content:
                return self._answer(path, 44004, "empty content")
            oversize = len(content.encode("utf-8")) > APP_TEXT_LIMIT
            content = _cut(content, APP_TEXT_LIMIT)
        else:
            content, oversize = str(payload.get("media_id", "")), False
            media = self._live_media(content)
            if media is None or (msgtype == "image" and media.kind != "image"):
                return self._answer(path, 40007, "invalid media_id")
        recipients = [u for u in str(body.get("touser", "")).split("|") if u]
        valid = [u for u in recipients if u in self.users]
        invalid = [u for u in recipients if u not in self.users]
        if not valid:
            return self._answer(path, 81013, "user & party & tag all invalid", invaliduser="|".join(invalid))
        msgid = f"msg{next(self._ids)}"
        now = self.clock()
        for user in valid:
            message = AppMessage(user, msgtype, content, now, msgid, oversize, body)
            # WeCom's per-member cap: the excess is dropped and the sender is told nothing.
            (self.delivered if self._within_cap(user, now) else self.dropped).append(message)
        if card is not None:
            self._task_ids.add(card.task_id)
            card.user = valid[0]
            self.cards[card.response_code] = card
            return self._answer(path, 0, invaliduser="|".join(invalid), msgid=msgid, response_code=card.response_code)
        return self._answer(path, 0, invaliduser="|".join(invalid), msgid=msgid)

    def _card_problem(self, card: dict[str, Any]) -> str | None:
        """Why WeCom would refuse this button_interaction card, or None."""
        if card.get("card_type") != "button_interaction":
            return "card_type must be button_interaction here"
        title = card.get("main_title")
        if not isinstance(title, dict) or not (title.get("title") or title.get("desc")):
            return "main_title.title or main_title.desc is required"
        task_id = card.get("task_id")
        if not isinstance(task_id, str) or not CARD_KEY.match(task_id) or task_id in self._task_ids:
            return "task_id missing, malformed or already used"
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
            return "button_list needs 1 to 6 buttons"
        for button in buttons:
            if not isinstance(button, dict) or not button.get("text") or not CARD_KEY.match(str(button.get("key", ""))):
                return "every button needs text and a key of letters, digits and _-@"
        return None

    async def _update_card(self, request: web.Request) -> web.Response:
        path = request.path
        if (code := self._token_error(request)) is not None:
            return self._answer(path, code)
        body = json.loads(await request.read())
        if body.get("agentid") != self.agent_id:
            return self._answer(path, 40056, "invalid agentid")
        card = self.cards.get(str(body.get("response_code", "")))
        replace = (body.get("button") or {}).get("replace_name")
        if card is None or card.replaced_with is not None:
            return self._answer(path, 60140, "invalid response_code")  # unknown, or already used once
        if card.user not in (body.get("userids") or []) or not replace:
            return self._answer(path, 40058, "userids and button.replace_name are required")
        card.replaced_with = replace
        return self._answer(path, 0)

    async def _media_get(self, request: web.Request) -> web.Response:
        path = request.path
        if (code := self._token_error(request)) is not None:
            return self._answer(path, code)
        if (code := self._injected(path)) is not None:
            return self._answer(path, code)
        media = self._live_media(request.query.get("media_id", ""))
        if media is None:
            return self._answer(path, 40007, "invalid media_id")
        self.calls.append((path, 0))
        ascii_name = media.name.encode("ascii", "replace").decode("ascii").replace('"', "_")
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(media.name)}"
        return web.Response(body=media.data, headers={"Content-Type": media.mime, "Content-Disposition": disposition})

    async def _read_media_part(self, request: web.Request) -> tuple[str, str, bytes] | None:
        if not request.content_type.startswith("multipart/"):
            return None
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, aiohttp.BodyPartReader) and part.name == "media":
                data = bytes(await part.read())
                return part.filename or "file", part.headers.get("Content-Type", "application/octet-stream"), data
        return None

    async def _media_upload(self, request: web.Request) -> web.Response:
        path = request.path
        if (code := self._token_error(request)) is not None:
            return self._answer(path, code)
        if (code := self._injected(path)) is not None:
            return self._answer(path, code)
        kind = request.query.get("type", "")
        if kind not in ("file", "image", "voice", "video"):
            return self._answer(path, 40004, "invalid media type")
        found = await self._read_media_part(request)
        if found is None or len(found[2]) < MEDIA_MIN_BYTES:
            return self._answer(path, 44001, "empty media data")
        name, mime, data = found
        if kind == "image" and not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
            return self._answer(path, 40005, "invalid file type")  # images must be JPG or PNG
        if len(data) > (IMAGE_MAX_BYTES if kind == "image" else FILE_MAX_BYTES):
            return self._answer(path, 40006, "invalid file size")
        media_id = self.add_media(data, name, mime, kind)
        return self._answer(path, 0, type=kind, media_id=media_id, created_at=str(int(time.time())))

    # ---- group robot -------------------------------------------------------------------------------------

    def _robot_has_room(self, key: str, now: float) -> bool:
        recent = self._robot_recent.setdefault(key, deque())
        while recent and recent[0] <= now - self.robot_window:
            recent.popleft()
        if len(recent) >= self.robot_cap:
            return False
        recent.append(now)
        return True

    async def _webhook_send(self, request: web.Request) -> web.Response:
        path = request.path
        key = request.query.get("key", "")
        if key not in self.robot_keys:
            return self._answer(path, 93000, "invalid webhook url")
        if (code := self._injected(path)) is not None:
            return self._answer(path, code)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._answer(path, 40035, "invalid parameter")
        msgtype = body.get("msgtype")
        payload = body.get(msgtype) if isinstance(msgtype, str) else None
        if msgtype not in ("text", "markdown", "file") or not isinstance(payload, dict):
            return self._answer(path, 40008, "invalid message type")
        if msgtype == "file":
            content = str(payload.get("media_id", ""))
            if self._live_media(content) is None:
                return self._answer(path, 40007, "invalid media_id")
            oversize = False
        else:
            content = payload.get("content")
            if not isinstance(content, str) or not content:
                return self._answer(path, 44004, "empty content")
            limit = ROBOT_TEXT_LIMIT if msgtype == "text" else ROBOT_MARKDOWN_LIMIT
            oversize = len(content.encode("utf-8")) > limit
            content = _cut(content, limit)
        now = self.clock()
        if not self._robot_has_room(key, now):
            self.robot_refused += 1
            return self._answer(path, 45009, "api freq out of limit")
        mentioned = list(payload.get("mentioned_list") or []) if msgtype == "text" else []
        self.robot_messages.append(RobotMessage(msgtype, content, mentioned, now, oversize, body, key))
        return self._answer(path, 0)

    async def _webhook_upload(self, request: web.Request) -> web.Response:
        path = request.path
        if request.query.get("key") not in self.robot_keys:
            return self._answer(path, 93000, "invalid webhook url")
        if request.query.get("type") not in ("file", "voice"):
            return self._answer(path, 40004, "invalid media type")
        found = await self._read_media_part(request)
        if found is None or len(found[2]) < 5:
            return self._answer(path, 44001, "empty media data")
        media_id = self.add_media(found[2], found[0], found[1])
        return self._answer(path, 0, type="file", media_id=media_id, created_at=str(int(time.time())))


# ---- WeCom calling the app's callback ----------------------------------------------------------------------


def message_xml(fields: dict[str, str | int]) -> str:
    """A decrypted callback message: each field an element, strings in CDATA as WeCom writes them."""
    root = etree.Element("xml")
    for name, value in fields.items():
        node = etree.SubElement(root, name)
        if isinstance(value, str) and "]]>" not in value:
            node.text = etree.CDATA(value)
        else:
            node.text = str(value)
    return etree.tostring(root, encoding="unicode")


@dataclass
class Delivery:
    """One POST of a callback: the HTTP status (None when no answer came in time) and how long it took."""

    status: int | None
    seconds: float
    body: bytes = b""


class WeComPlayer:
    """Plays WeCom: encrypts members' messages with the real crypto and calls the app's callback URL."""

    def __init__(self, url: str, *, crypto: WeComCrypto, corp_id: str, agent_id: int, retry_after: float = 5.0,
                 attempts: int = 3) -> None:
        self.url, self.crypto, self.corp_id, self.agent_id = url, crypto, corp_id, agent_id
        self.retry_after, self.attempts = retry_after, attempts
        self._ids = itertools.count(7_000_000_000_000_000_001)

    def _signed(self, encrypt: str, at: float | None = None) -> dict[str, str]:
        timestamp, nonce = str(int(time.time() if at is None else at)), str(secrets.randbelow(10**9))
        return {"msg_signature": self.crypto.sign(timestamp, nonce, encrypt), "timestamp": timestamp, "nonce": nonce}

    async def verify_url(self, echo: str = "5927782489442352469", *, tamper: bool = False,
                         encode_plus: bool = True) -> tuple[int, str]:
        """The GET URL check with ``echo`` encrypted as echostr; ``tamper`` spoils the signature."""
        echostr = self.crypto.encrypt(echo)
        params = self._signed(echostr)
        if tamper:
            params["msg_signature"] = "0" * 40
        params["echostr"] = echostr
        query = "&".join(f"{k}={quote(v, safe='' if encode_plus else '+')}" for k, v in params.items())
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}?{query}") as response:
            return response.status, await response.text()

    def text_xml(self, user: str, content: str, *, msg_id: str | None = None, create_time: int | None = None) -> str:
        """A member's text message as WeCom writes it, before encryption."""
        return message_xml({
            "ToUserName": self.corp_id, "FromUserName": user, "CreateTime": create_time or int(time.time()),
            "MsgType": "text", "Content": content, "MsgId": msg_id or str(next(self._ids)), "AgentID": self.agent_id,
        })

    def file_xml(self, user: str, media_id: str, file_name: str | None = None, *, msg_id: str | None = None) -> str:
        """A member's file message (MediaId, and FileName when given)."""
        fields: dict[str, str | int] = {
            "ToUserName": self.corp_id, "FromUserName": user, "CreateTime": int(time.time()), "MsgType": "file",
            "MediaId": media_id, "MsgId": msg_id or str(next(self._ids)), "AgentID": self.agent_id,
        }
        if file_name:
            fields["FileName"] = file_name
        return message_xml(fields)

    def card_event_xml(self, user: str, task_id: str, key: str, response_code: str) -> str:
        """A member's press of a template card button, as WeCom reports it (an event: no MsgId)."""
        return message_xml({
            "ToUserName": self.corp_id, "FromUserName": user, "CreateTime": int(time.time()), "MsgType": "event",
            "Event": "template_card_event", "EventKey": key, "TaskId": task_id, "CardType": "button_interaction",
            "ResponseCode": response_code, "AgentID": self.agent_id,
        })

    async def press_card(self, user: str, task_id: str, key: str, response_code: str, **kwargs: Any) -> list[Delivery]:
        """A member presses a card's button."""
        return await self.post(self.card_event_xml(user, task_id, key, response_code), **kwargs)

    async def send_text(self, user: str, content: str, **kwargs: Any) -> list[Delivery]:
        """A member types ``content`` to the app; the deliveries WeCom made."""
        msg_id = kwargs.pop("msg_id", None)
        return await self.post(self.text_xml(user, content, msg_id=msg_id), **kwargs)

    async def send_file(self, user: str, media_id: str, file_name: str | None = None, **kwargs: Any) -> list[Delivery]:
        """A member sends a file to the app."""
        return await self.post(self.file_xml(user, media_id, file_name), **kwargs)

    async def post(self, plain: str, *, deliveries: int = 1, tamper: bool = False,
                   at: float | None = None) -> list[Delivery]:
        """Encrypt ``plain`` and POST it; retried after ``retry_after`` s without an answer, up to ``attempts``.

        ``deliveries`` forces that many deliveries even when answered, as when WeCom lost our answer; ``at``
        signs with that unix time instead of now (a replay of a recorded callback).
        """
        encrypt = self.crypto.encrypt(plain)
        body = envelope_xml(self.corp_id, str(self.agent_id), encrypt)
        made: list[Delivery] = []
        timeout = aiohttp.ClientTimeout(total=self.retry_after)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _ in range(max(self.attempts, deliveries)):
                params = self._signed(encrypt, at)
                if tamper:
                    params["msg_signature"] = "f" * 40
                started = time.monotonic()
                try:
                    async with session.post(self.url, params=params, data=body.encode("utf-8"),
                                            headers={"Content-Type": "text/xml"}) as response:
                        made.append(Delivery(response.status, time.monotonic() - started, await response.read()))
                except (TimeoutError, aiohttp.ClientError):
                    made.append(Delivery(None, time.monotonic() - started))
                answered = made[-1].status == 200
                if (answered and len(made) >= deliveries) or len(made) >= max(self.attempts, deliveries):
                    break
        return made


@pytest_asyncio.fixture
async def fake_wecom() -> AsyncIterator[FakeWeCom]:
    """A running fake WeCom server."""
    async with FakeWeCom() as fake:
        yield fake
