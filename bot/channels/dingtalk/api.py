"""The DingTalk server API the app robot uses, over httpx: access token, batchSend, groupMessages, session replies.

- ``POST {api_base}/v1.0/oauth2/accessToken`` ``{appKey, appSecret}`` → ``{accessToken, expireIn}``; the token
  is cached until shortly before it expires and sent as header ``x-acs-dingtalk-access-token``. A call refused
  with ``InvalidAuthentication`` fetches a new token and is retried once.
- ``POST /v1.0/robot/oToMessages/batchSend`` ``{robotCode, userIds (≤ 20), msgKey, msgParam}`` — ``msgParam`` is
  a JSON *string*. The answer lists ``invalidStaffIdList`` (not members: unreachable) and
  ``flowControlledStaffIdList`` (not sent this time: retry later).
- ``POST /v1.0/robot/groupMessages/send`` ``{robotCode, openConversationId, msgKey, msgParam}``.
- ``POST {oapi_base}/media/upload?access_token=…&type=file|image`` (multipart ``media``) → ``media_id`` for the
  ``sampleFile`` and ``sampleImageMsg`` messages (the same access token serves the old API).
- ``POST /v1.0/robot/messageFiles/download`` ``{downloadCode, robotCode}`` → ``{downloadUrl}``: a file a member sent.
- A conversation's ``sessionWebhook`` takes the plain robot bodies (``text``, ``markdown``, ``actionCard``) and
  answers ``{"errcode": 0}``; ``300001`` means the session is gone (``SessionExpired``: fall back to batchSend).

DingTalk answers API errors with an HTTP 4xx/5xx and ``{"code", "message", "requestid"}``; they become the
scheduler's neutral delivery errors: 429 and throttling codes → ``RetryLater``, 5xx and network trouble →
``Transient``, other 4xx → ``Rejected`` (or a ``DingTalkConfigError`` for bad app credentials).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels import TokenCache
from bot.redact import Redactor
from bot.channels.dingtalk.contract import Rejected, RetryLater, Transient, Unreachable

log = logging.getLogger("duban.dingtalk")

TOKEN_HEADER = "x-acs-dingtalk-access-token"
MAX_USERS = 20  # batchSend's userIds per call
RETRY_AFTER = 60.0
TOKEN_REFUSED = frozenset({"InvalidAuthentication", "InvalidAccessToken"})
BAD_CREDENTIALS = frozenset({"invalidClientIdOrSecret", "InvalidAppKey", "invalidAppKey"})
# Robot errcodes (custom robots and session webhooks answer HTTP 200 with these).
SESSION_GONE = 300001
THROTTLED = frozenset({410100, 130101})  # 20 messages a minute per robot; older servers say 130101
ROBOT_THROTTLED_FOR = 600.0  # past its cap a robot is throttled for ten minutes: retrying sooner only fails
ROBOT_GONE = frozenset({300005, 400101})  # unknown access token (the robot was removed)
ROBOT_REFUSED = frozenset({310000, 400102, 400105})  # bad sign or stale timestamp, keyword missing, bad body


class DingTalkConfigError(Transient):
    """DingTalk refused the app's key or secret: nothing will work until the settings are fixed."""


class SessionExpired(Exception):
    """The conversation's sessionWebhook is no longer valid (300001, or past its expiry)."""


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What batchSend answered: the send's query key and the recipients it did not send to."""

    process_query_key: str | None
    invalid: tuple[str, ...] = ()
    flow_controlled: tuple[str, ...] = ()


def install_log_redaction() -> None:
    """Mask secret query values (``access_token``, ``session``, ``sign``) in httpx's own log lines (idempotent)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, Redactor) for f in logger.filters):
            logger.addFilter(Redactor())


def _object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise Transient(f"DingTalk {what}: HTTP {response.status_code}, answer is not JSON") from None
    if not isinstance(body, dict):
        raise Transient(f"DingTalk {what}: answer is not a JSON object")
    return body


async def post_json(client: httpx.AsyncClient, url: str, what: str, payload: dict[str, Any], *,
                    headers: dict[str, str] | None = None, params: dict[str, str] | None = None
                    ) -> tuple[int, dict[str, Any]]:
    """POST ``payload`` as JSON; the HTTP status and the JSON object answered (network trouble is Transient)."""
    try:
        response = await client.post(url, json=payload, headers=headers, params=params)
    except httpx.TimeoutException:
        raise Transient(f"DingTalk {what}: timed out") from None
    except httpx.HTTPError as error:
        raise Transient(f"DingTalk {what}: {type(error).__name__}") from None
    if response.status_code >= 500:
        raise Transient(f"DingTalk {what}: HTTP {response.status_code}")
    return response.status_code, _object(response, what)


def check_errcode(body: dict[str, Any], what: str) -> None:
    """Raise the neutral error for a robot answer (custom robot, session webhook) whose errcode is not 0."""
    errcode = body.get("errcode", 0)
    code = int(errcode) if isinstance(errcode, int | str) and str(errcode).lstrip("-").isdecimal() else -1
    if code == 0:
        return
    errmsg = str(body.get("errmsg", ""))[:200]
    if code == SESSION_GONE:
        raise SessionExpired(errmsg)
    if code in THROTTLED:
        raise RetryLater(ROBOT_THROTTLED_FOR, f"DingTalk {what}: sending too fast ({code})")
    if code in ROBOT_GONE:
        raise Unreachable(f"DingTalk {what}: the robot's access token is not valid ({code})")
    if code in ROBOT_REFUSED:
        raise Rejected(f"DingTalk {what}: refused ({code}: {errmsg})")
    raise Transient(f"DingTalk {what}: errcode {code} ({errmsg})")


def _raise_for_api(status: int, body: dict[str, Any], what: str) -> None:
    code, message = str(body.get("code") or ""), str(body.get("message") or "")[:200]
    if code in BAD_CREDENTIALS:
        raise DingTalkConfigError(f"DingTalk {what}: the app key or secret was refused ({code})")
    if status == 429 or "Throttling" in code or "QpsLimit" in code or "Flowcontrol" in code:
        raise RetryLater(RETRY_AFTER, f"DingTalk {what}: throttled ({code or status})")
    if status in (401, 403) and code not in TOKEN_REFUSED:
        raise DingTalkConfigError(f"DingTalk {what}: forbidden ({code or status}: {message})")
    raise Rejected(f"DingTalk {what}: HTTP {status} ({code}: {message})")


class DingTalkApi:
    """A client for one enterprise internal app and its robot (app key, app secret, robot code)."""

    def __init__(self, *, api_base: str, app_key: str, app_secret: str, robot_code: str,
                 oapi_base: str = "https://oapi.dingtalk.com", client: httpx.AsyncClient | None = None,
                 timeout: float = 10.0, refresh_margin: float = 300.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        install_log_redaction()
        self.api_base = api_base.rstrip("/")
        self.oapi_base = oapi_base.rstrip("/")
        self.app_key = app_key
        self._secret = app_secret
        self.robot_code = robot_code
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._tokens = TokenCache(self._fetch_token, margin=refresh_margin, monotonic=monotonic)

    def __repr__(self) -> str:
        return f"DingTalkApi(app_key={self.app_key!r}, robot_code={self.robot_code!r})"

    async def aclose(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own_client:
            await self._client.aclose()

    async def access_token(self, *, force: bool = False) -> str:
        """The cached access token, fetched anew when missing, about to expire, or ``force``d."""
        return await self._tokens.get(force=force)

    async def _fetch_token(self) -> tuple[str, float]:
        status, body = await post_json(self._client, f"{self.api_base}/v1.0/oauth2/accessToken", "accessToken",
                                       {"appKey": self.app_key, "appSecret": self._secret})
        if status != 200:
            _raise_for_api(status, body, "accessToken")
        token, expires_in = body.get("accessToken"), body.get("expireIn")
        if not isinstance(token, str) or not token:
            raise Transient("DingTalk accessToken answered without a token")
        return token, float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 7200.0

    async def _call(self, path: str, what: str, payload: dict[str, Any]) -> dict[str, Any]:
        """An authenticated POST, retried once with a fresh token when DingTalk refuses the token."""
        for attempt in (1, 2):
            token = await self.access_token(force=attempt == 2)
            status, body = await post_json(self._client, self.api_base + path, what, payload,
                                           headers={TOKEN_HEADER: token})
            if status == 200:
                return body
            if str(body.get("code") or "") in TOKEN_REFUSED and attempt == 1:
                log.info("DingTalk refused the access token for %s; fetching a new one", what)
                continue
            _raise_for_api(status, body, what)
        raise Transient(f"DingTalk {what}: token refused twice")

    async def batch_send(self, user_ids: Sequence[str], msg_key: str, msg_param: dict[str, Any]) -> BatchResult:
        """One robot message to up to 20 members (``msgParam`` goes as a JSON string, as DingTalk wants)."""
        users = list(dict.fromkeys(user_ids))
        if not users or len(users) > MAX_USERS:
            raise ValueError(f"batchSend takes 1 to {MAX_USERS} userIds, not {len(users)}")
        body = await self._call("/v1.0/robot/oToMessages/batchSend", "batchSend", {
            "robotCode": self.robot_code, "userIds": users, "msgKey": msg_key,
            "msgParam": json.dumps(msg_param, ensure_ascii=False),
        })
        key = body.get("processQueryKey")
        return BatchResult(str(key) if key else None, _ids(body, "invalidStaffIdList"),
                           _ids(body, "flowControlledStaffIdList"))

    async def group_send(self, open_conversation_id: str, msg_key: str, msg_param: dict[str, Any]) -> None:
        """One robot message into a group the app robot is a member of."""
        await self._call("/v1.0/robot/groupMessages/send", "groupMessages/send", {
            "robotCode": self.robot_code, "openConversationId": open_conversation_id, "msgKey": msg_key,
            "msgParam": json.dumps(msg_param, ensure_ascii=False),
        })

    async def upload_media(self, name: str, data: bytes, mime: str, *, kind: str = "file") -> str:
        """A file or image uploaded to the old API's media store (``media/upload``); its media id (three days)."""
        for attempt in (1, 2):
            token = await self.access_token(force=attempt == 2)
            try:
                response = await self._client.post(f"{self.oapi_base}/media/upload",
                                                   params={"access_token": token, "type": kind},
                                                   files={"media": (name, data, mime)})
            except httpx.HTTPError as error:
                raise Transient(f"DingTalk media/upload: {type(error).__name__}") from None
            body = _object(response, "media/upload")
            if body.get("errcode") in (40014, 42001, 88) and attempt == 1:  # the token was refused: once more
                continue
            check_errcode(body, "media/upload")
            media_id = body.get("media_id")
            if isinstance(media_id, str) and media_id:
                return media_id
            raise Transient("DingTalk media/upload answered without a media_id")
        raise Transient("DingTalk media/upload: token refused twice")

    async def download(self, download_code: str, *, max_bytes: int) -> bytes:
        """A file a member sent the robot: its downloadCode exchanged for a URL, fetched at most ``max_bytes``."""
        body = await self._call("/v1.0/robot/messageFiles/download", "messageFiles/download",
                                {"downloadCode": download_code, "robotCode": self.robot_code})
        url = body.get("downloadUrl")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise Transient("DingTalk messageFiles/download answered without a downloadUrl")
        chunks, size = [], 0
        try:
            async with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise Transient(f"DingTalk file download: HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise Rejected("DingTalk file download: larger than allowed")
                    chunks.append(chunk)
        except httpx.HTTPError as error:
            raise Transient(f"DingTalk file download: {type(error).__name__}") from None
        return b"".join(chunks)

    async def session_send(self, webhook: str, message: dict[str, Any]) -> None:
        """A reply into the conversation behind ``webhook``; SessionExpired when DingTalk no longer knows it."""
        status, body = await post_json(self._client, webhook, "sessionWebhook", message)
        if status == 404:
            raise SessionExpired(f"HTTP {status}")
        if status != 200:
            raise Rejected(f"DingTalk sessionWebhook: HTTP {status}")
        check_errcode(body, "sessionWebhook")


def _ids(body: dict[str, Any], key: str) -> tuple[str, ...]:
    value = body.get(key)
    return tuple(str(v) for v in value if isinstance(v, str | int)) if isinstance(value, list) else ()
