"""A fake DingTalk (aiohttp, 127.0.0.1, port 0) and a player that plays DingTalk calling Duban's callback.

``FakeDingTalk`` implements what Duban uses, as PROTOCOLS.md describes it, and checks what DingTalk checks:
- ``POST /v1.0/oauth2/accessToken`` ``{appKey, appSecret}`` → ``{accessToken, expireIn}`` (400
  ``invalidClientIdOrSecret`` for wrong credentials); tokens expire, and tests can expire them at will;
- ``POST /v1.0/robot/oToMessages/batchSend`` and ``/v1.0/robot/groupMessages/send`` with header
  ``x-acs-dingtalk-access-token`` (400 ``InvalidAuthentication`` otherwise), the app's robotCode, 1 to 20
  userIds, a known msgKey and ``msgParam`` as a JSON *string* holding that msgKey's fields (400 otherwise);
  unknown members come back in ``invalidStaffIdList``, members past ``per_user_cap`` a window (or marked with
  ``flow_control``) in ``flowControlledStaffIdList``, and are not sent;
- session webhooks ``POST /robot/sendBySession?session=…`` valid until their expiry (then ``errcode`` 300001);
- custom robots ``POST /robot/send?access_token=…&timestamp=…&sign=…``: the HMAC-SHA256 sign over the robot's
  ``SEC…`` secret and a timestamp within an hour (310000 otherwise), an unknown token 300005, and past
  ``robot_cap`` messages a window 410100.

``DingTalkPlayer`` POSTs a member's message to a callback URL with the headers DingTalk signs with the app
secret, and opens a session webhook for the conversation, as DingTalk does with every message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

__all__ = ["FakeDingTalk", "DingTalkPlayer", "Sent"]

MSG_PARAMS = {
    "sampleText": ("content",),
    "sampleMarkdown": ("title", "text"),
    "sampleActionCard": ("title", "text", "singleTitle", "singleURL"),
    "sampleLink": ("text", "title", "picUrl", "messageUrl"),
    "sampleFile": ("mediaId", "fileName", "fileType"),
    "sampleImageMsg": ("photoURL",),
}
MEDIA_FIELDS = {"sampleFile": "mediaId", "sampleImageMsg": "photoURL"}
HOUR_MS = 60 * 60 * 1000


def sign(secret: str, timestamp: str) -> str:
    """DingTalk's sign, written here from the published construction (not Duban's code, which it checks)."""
    mac = hmac.new(secret.encode(), msg=(timestamp + "\n" + secret).encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


SESSION_BODIES = {"text": ("content",), "markdown": ("title", "text"), "actionCard": ("title", "text")}


@dataclass
class Sent:
    """One message DingTalk delivered: how (``oto``, ``group``, ``session``, ``robot``), to whom, what."""

    via: str
    to: str
    kind: str  # msgKey (API) or msgtype (webhooks)
    param: dict[str, Any]
    at: float = 0.0

    @property
    def text(self) -> str:
        """The message's visible text (content, or a markdown text)."""
        return str(self.param.get("content") or self.param.get("text") or "")


@dataclass
class Session:
    """A conversation's session webhook."""

    conversation: str
    expires_ms: int


@dataclass
class Robot:
    """A custom group robot: its access token, signing secret and the group it posts in."""

    token: str
    secret: str | None
    group: str
    recent: deque[float] = field(default_factory=deque)


class FakeDingTalk:
    """The fake DingTalk servers (api and oapi on one port) and its world: members, groups, robots, sessions."""

    def __init__(self, *, app_key: str = "dingfakeappkey0001", app_secret: str = "fake-dingtalk-app-secret-0123456789",
                 robot_code: str | None = None, users: Iterable[str] = ("zhangsan", "lisi"),
                 groups: Iterable[str] = ("cidGroup001==",), expire_in: int = 7200, per_user_cap: int = 100,
                 per_user_window: float = 60.0, robot_cap: int = 20, robot_window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.app_key, self.app_secret = app_key, app_secret
        self.robot_code = robot_code or app_key
        self.users: set[str] = set(users)
        self.groups: set[str] = set(groups)
        self.expire_in = expire_in
        self.per_user_cap, self.per_user_window = per_user_cap, per_user_window
        self.robot_cap, self.robot_window = robot_cap, robot_window
        self.clock, self.wall_ms = clock, wall_ms
        self.tokens: dict[str, float] = {}
        self.sessions: dict[str, Session] = {}
        self.robots: dict[str, Robot] = {}
        self.flow_control: set[str] = set()  # members DingTalk flow-controls on every call until cleared
        self.sent: list[Sent] = []
        self.refused: list[tuple[str, str]] = []  # (path, why) of every call answered with an error
        self.batch_calls: list[list[str]] = []
        self.media: dict[str, tuple[str, str, bytes]] = {}  # media_id → (type, file name, bytes) uploaded
        self.files: dict[str, tuple[str, bytes]] = {}  # downloadCode → (file name, bytes) members sent
        self._urls: dict[str, bytes] = {}  # short-lived download URL key → bytes
        self.token_fetches = 0
        self._recent: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> FakeDingTalk:
        """Listen on 127.0.0.1 at a free port; ``base_url`` serves as both api_base and oapi_base."""
        app = web.Application()
        app.router.add_post("/v1.0/oauth2/accessToken", self._access_token)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/robot/sendBySession", self._session_send)
        app.router.add_post("/robot/send", self._robot_send)
        app.router.add_post("/v1.0/robot/messageFiles/download", self._file_download)
        app.router.add_post("/media/upload", self._media_upload)
        app.router.add_get("/files/{key}", self._file_get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDingTalk:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- world helpers -----------------------------------------------------------------------------------

    def open_session(self, conversation: str, *, lifetime_ms: int = 90 * 60 * 1000) -> tuple[str, int]:
        """A new session webhook for a conversation: its URL and expiry (ms)."""
        key = secrets.token_hex(16)
        expires = self.wall_ms() + lifetime_ms
        self.sessions[key] = Session(conversation, expires)
        return f"{self.base_url}/robot/sendBySession?session={key}", expires

    def end_sessions(self) -> None:
        """Every session webhook stops working now, whatever its announced expiry (DingTalk's lifetimes vary)."""
        self.sessions.clear()

    def add_robot(self, group: str, *, secret: str | None = None) -> Robot:
        """A custom robot in ``group`` with 加签 (``secret``) or without; its access token is 64 hex digits."""
        robot = Robot(secrets.token_hex(32), secret, group)
        self.robots[robot.token] = robot
        return robot

    def add_file(self, name: str, data: bytes) -> str:
        """A file a member sent the robot, as DingTalk keeps it; its downloadCode."""
        code = "dc" + secrets.token_urlsafe(24)
        self.files[code] = (name, data)
        return code

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now."""
        for token in self.tokens:
            self.tokens[token] = self.clock() - 1

    def to(self, who: str, via: str | None = None) -> list[str]:
        """The texts delivered to a member or a conversation (optionally only those that went ``via``)."""
        return [s.text for s in self.sent if s.to == who and (via is None or s.via == via)]

    def player(self, url: str) -> DingTalkPlayer:
        """A player that calls the callback at ``url`` as this DingTalk."""
        return DingTalkPlayer(self, url)

    # ---- handlers ----------------------------------------------------------------------------------------

    def _api_error(self, path: str, status: int, code: str, message: str) -> web.Response:
        self.refused.append((path, code))
        return web.json_response({"code": code, "message": message, "requestid": secrets.token_hex(8)},
                                 status=status)

    def _robot_error(self, path: str, errcode: int, errmsg: str) -> web.Response:
        self.refused.append((path, str(errcode)))
        return web.json_response({"errcode": errcode, "errmsg": errmsg})

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        if not request.content_type.startswith("application/json"):
            return None
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _access_token(self, request: web.Request) -> web.Response:
        body = await self._json(request) or {}
        if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
            return self._api_error(request.path, 400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        token = secrets.token_hex(16)
        self.tokens[token] = self.clock() + self.expire_in
        self.token_fetches += 1
        return web.json_response({"accessToken": token, "expireIn": self.expire_in})

    def _authorised(self, request: web.Request) -> bool:
        expiry = self.tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        return expiry is not None and self.clock() < expiry

    def _message(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]] | str:
        """(msgKey, msgParam) checked as DingTalk checks them, or why not."""
        if body.get("robotCode") != self.robot_code:
            return "robotCode"
        key, raw = body.get("msgKey"), body.get("msgParam")
        if key not in MSG_PARAMS:
            return "msgKey"
        if not isinstance(raw, str):
            return "msgParam is not a string"
        try:
            param = json.loads(raw)
        except ValueError:
            return "msgParam is not JSON"
        if not isinstance(param, dict) or any(not isinstance(param.get(f), str) for f in MSG_PARAMS[key]):
            return f"msgParam lacks the fields of {key}"
        if key in MEDIA_FIELDS and param[MEDIA_FIELDS[key]] not in self.media:
            return "unknown mediaId"
        return key, param

    def _limited(self, user: str) -> bool:
        if user in self.flow_control:
            return True
        now, recent = self.clock(), self._recent.setdefault(user, deque())
        while recent and recent[0] <= now - self.per_user_window:
            recent.popleft()
        if len(recent) >= self.per_user_cap:
            return True
        recent.append(now)
        return False

    async def _batch_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._api_error(request.path, 400, "InvalidAuthentication", "不合法的access_token")
        body = await self._json(request) or {}
        users = body.get("userIds")
        if not isinstance(users, list) or not 1 <= len(users) <= 20 or not all(isinstance(u, str) for u in users):
            return self._api_error(request.path, 400, "InvalidParameter.UserIds", "userIds: 1 to 20 userids")
        checked = self._message(body)
        if isinstance(checked, str):
            return self._api_error(request.path, 400, "InvalidParameter", checked)
        key, param = checked
        self.batch_calls.append(list(users))
        answer: dict[str, Any] = {"processQueryKey": f"pqk{next(self._ids)}"}
        invalid = [u for u in users if u not in self.users]
        limited = [u for u in users if u in self.users and self._limited(u)]
        for user in users:
            if user not in invalid and user not in limited:
                self.sent.append(Sent("oto", user, key, param, self.clock()))
        if invalid:
            answer["invalidStaffIdList"] = invalid
        if limited:
            answer["flowControlledStaffIdList"] = limited
        return web.json_response(answer)

    async def _group_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._api_error(request.path, 400, "InvalidAuthentication", "不合法的access_token")
        body = await self._json(request) or {}
        checked = self._message(body)
        if isinstance(checked, str):
            return self._api_error(request.path, 400, "InvalidParameter", checked)
        group = body.get("openConversationId")
        if group not in self.groups:
            return self._api_error(request.path, 400, "resource.not.found", "机器人不在群内")
        self.sent.append(Sent("group", str(group), checked[0], checked[1], self.clock()))
        return web.json_response({"processQueryKey": f"pqk{next(self._ids)}"})

    def _webhook_body(self, body: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
        if body is None:
            return None
        kind = body.get("msgtype")
        inner = body.get(kind) if isinstance(kind, str) else None
        if kind not in SESSION_BODIES or not isinstance(inner, dict):
            return None
        if any(not isinstance(inner.get(f), str) for f in SESSION_BODIES[kind]):
            return None
        return str(kind), inner

    async def _session_send(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.query.get("session", ""))
        if session is None or self.wall_ms() >= session.expires_ms:
            return self._robot_error(request.path, 300001, "session 不存在")
        checked = self._webhook_body(await self._json(request))
        if checked is None:
            return self._robot_error(request.path, 400102, "bad body")
        self.sent.append(Sent("session", session.conversation, checked[0], checked[1], self.clock()))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _robot_send(self, request: web.Request) -> web.Response:
        robot = self.robots.get(request.query.get("access_token", ""))
        if robot is None:
            return self._robot_error(request.path, 300005, "token is not exist")
        if robot.secret is not None:
            stamp, signature = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not stamp.isdigit() or abs(self.wall_ms() - int(stamp)) > HOUR_MS:
                return self._robot_error(request.path, 310000, "invalid timestamp")
            if signature != sign(robot.secret, stamp):
                return self._robot_error(request.path, 310000, "sign not match")
        now = self.clock()
        while robot.recent and robot.recent[0] <= now - self.robot_window:
            robot.recent.popleft()
        if len(robot.recent) >= self.robot_cap:
            return self._robot_error(request.path, 410100, "发送速度太快而限流")
        checked = self._webhook_body(await self._json(request))
        if checked is None:
            return self._robot_error(request.path, 400102, "bad body")
        robot.recent.append(now)
        self.sent.append(Sent("robot", robot.group, checked[0], checked[1], now))
        return web.json_response({"errcode": 0, "errmsg": "ok"})


    async def _media_upload(self, request: web.Request) -> web.Response:
        expiry = self.tokens.get(request.query.get("access_token", ""))
        if expiry is None or self.clock() >= expiry:
            return self._robot_error(request.path, 40014, "不合法的access_token")
        kind = request.query.get("type", "")
        if kind not in ("image", "file", "voice", "video") or not request.content_type.startswith("multipart/"):
            return self._robot_error(request.path, 40004, "不合法的媒体文件类型")
        media = (await request.post()).get("media")
        if not isinstance(media, web.FileField):
            return self._robot_error(request.path, 41001, "缺少media")
        media_id = "@lA" + secrets.token_urlsafe(12)
        self.media[media_id] = (kind, media.filename, media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                                  "created_at": int(time.time() * 1000)})

    async def _file_download(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._api_error(request.path, 400, "InvalidAuthentication", "不合法的access_token")
        body = await self._json(request) or {}
        if body.get("robotCode") != self.robot_code:
            return self._api_error(request.path, 400, "InvalidParameter", "robotCode")
        found = self.files.get(str(body.get("downloadCode")))
        if found is None:
            return self._api_error(request.path, 400, "resource.not.found", "downloadCode 不存在或已过期")
        key = secrets.token_urlsafe(16)
        self._urls[key] = found[1]
        return web.json_response({"downloadUrl": f"{self.base_url}/files/{key}"})

    async def _file_get(self, request: web.Request) -> web.Response:
        data = self._urls.pop(request.match_info["key"], None)  # a download URL works once, briefly
        return web.Response(status=404) if data is None else web.Response(body=data)


class DingTalkPlayer:
    """Plays DingTalk calling Duban's callback: signed headers, a message body, a session webhook per message."""

    def __init__(self, fake: FakeDingTalk, url: str) -> None:
        self.fake = fake
        self.url = url
        self._ids = itertools.count(1)

    def message(self, user: str, text: str, *, group: str | None = None, at_robot: bool = True,
                msg_id: str | None = None, session_ms: int = 90 * 60 * 1000, nick: str | None = None) -> dict[str, Any]:
        """The JSON DingTalk posts for a text from ``user``, in a single chat or in ``group``."""
        conversation = group or f"cidSingle{user}=="
        webhook, expires = self.fake.open_session(conversation, lifetime_ms=session_ms)
        body: dict[str, Any] = {
            "msgtype": "text", "text": {"content": f" {text}" if group else text},
            "msgId": msg_id or f"msg{secrets.token_hex(8)}{next(self._ids)}", "createAt": self.fake.wall_ms(),
            "conversationType": "2" if group else "1", "conversationId": conversation,
            "senderId": f"$:LWCP_v1:${user}", "senderStaffId": user, "senderNick": nick or user,
            "isAdmin": False, "robotCode": self.fake.robot_code, "chatbotUserId": "$:LWCP_v1:$robot",
            "sessionWebhook": webhook, "sessionWebhookExpiredTime": expires,
        }
        if group:
            body |= {"conversationTitle": "疾控股工作群", "isInAtList": at_robot,
                     "atUsers": [{"dingtalkId": "$:LWCP_v1:$robot"}] if at_robot else []}
        return body

    def file_message(self, user: str, name: str, data: bytes) -> dict[str, Any]:
        """The JSON DingTalk posts when ``user`` sends the robot a file in their single chat."""
        body = self.message(user, "")
        del body["text"]
        return body | {"msgtype": "file", "content": {"downloadCode": self.fake.add_file(name, data), "fileName": name}}

    def headers(self, *, at_ms: int | None = None, secret: str | None = None) -> dict[str, str]:
        """``timestamp`` and ``sign`` as DingTalk sends them (a forger passes another ``secret``)."""
        stamp = str(self.fake.wall_ms() if at_ms is None else at_ms)
        return {"timestamp": stamp, "sign": sign(secret or self.fake.app_secret, stamp)}

    async def post(self, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> int:
        """POST one callback; the HTTP status Duban answered (the body must be empty)."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        async with aiohttp.ClientSession() as session, session.post(
            self.url, data=data, headers={"Content-Type": "application/json", **(headers or self.headers())}
        ) as response:
            assert await response.read() == b"", "the callback answers with an empty body"
            return response.status

    async def say(self, user: str, text: str, **kwargs: Any) -> int:
        """A member's text, signed now; the status."""
        return await self.post(self.message(user, text, **kwargs))
