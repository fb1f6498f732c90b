"""The WeCom self-built app's server API over httpx: access token, message/send, media/get and media/upload.

The token is cached and refreshed shortly before it expires; a call refused for an invalid or expired token
(40014, 42001) fetches a new one and is retried once. WeCom answers errors with HTTP 200 and an ``errcode``;
those become the scheduler's neutral delivery errors, so callers need not know WeCom's codes:
45009 (frequency limit) → ``RetryLater(60)``, -1 (busy) and network trouble → ``Transient``, 81013 (every
recipient invalid) and 93000 (robot key invalid) → ``Unreachable``, a message WeCom refuses for good →
``Rejected``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx

from bot.channels import TokenCache
from bot.channels.wecom import redact
from bot.channels.wecom.render import truncate_utf8
from bot.contracts import Rejected, RetryLater, Transient, Unreachable

log = logging.getLogger("duban.wecom")

TEXT_LIMIT = 2048  # bytes; WeCom truncates longer app texts and markdown
TOKEN_ERRORS = frozenset({40014, 42001})
BUSY = -1
FREQUENCY_LIMIT = 45009
ALL_INVALID = 81013
ROBOT_KEY_INVALID = 93000  # the group robot was removed, or its webhook key is wrong
RETRY_AFTER = 60.0
# Codes that mean the configuration is wrong (secret, corp id, agent id, IP allow-list): worth an error log.
CONFIG_ERRORS = frozenset({40001, 40013, 40056, 48002, 60020, 301002})
# Codes that mean this message can never be sent as it is.
REJECTED = frozenset({40007, 40008, 41009, 44004, 45002, 82001})


class WeComApiError(Transient):
    """An errcode with no better neutral meaning; treated as transient."""

    def __init__(self, errcode: int, errmsg: str, what: str) -> None:
        super().__init__(f"WeCom {what} failed: errcode {errcode} ({errmsg})")
        self.errcode = errcode


class WeComConfigError(WeComApiError):
    """WeCom refused the app's credentials or address (bad secret, corp id, agent id, IP not allowed)."""


class _TokenRefused(Exception):
    """The access token was invalid or expired (40014/42001)."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What message/send answered: the message id and any recipients WeCom did not know."""

    msgid: str | None
    invalid_users: tuple[str, ...] = ()
    response_code: str | None = None  # an interactive template card's, for update_template_card


@dataclass(frozen=True, slots=True)
class Media:
    """A downloaded temporary media file."""

    name: str
    mime: str | None
    data: bytes


def check(body: dict[str, Any], what: str) -> None:
    """Raise the neutral error for a WeCom answer whose errcode is not 0."""
    errcode = int(body.get("errcode", 0) or 0)
    if errcode == 0:
        return
    errmsg = str(body.get("errmsg", ""))[:200]
    if errcode in TOKEN_ERRORS:
        raise _TokenRefused(errcode)
    if errcode == FREQUENCY_LIMIT:
        raise RetryLater(RETRY_AFTER, f"WeCom {what}: frequency limit (45009)")
    if errcode == BUSY:
        raise Transient(f"WeCom {what}: system busy (-1)")
    if errcode == ALL_INVALID:
        raise Unreachable(f"WeCom {what}: no valid recipient (81013)")
    if errcode == ROBOT_KEY_INVALID:
        raise Unreachable(f"WeCom {what}: the robot's webhook key is not valid (93000)")
    if errcode in REJECTED:
        raise Rejected(f"WeCom {what}: refused the message (errcode {errcode}: {errmsg})")
    if errcode in CONFIG_ERRORS:
        raise WeComConfigError(errcode, errmsg, what)
    raise WeComApiError(errcode, errmsg, what)


def _recipients(users: str | Sequence[str]) -> str:
    return users if isinstance(users, str) else "|".join(users)


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.I)
_FILENAME = re.compile(r'filename\s*=\s*"?([^";]+)"?', re.I)


def disposition_filename(header: str | None) -> str | None:
    """The file name in a Content-Disposition header (RFC 5987 ``filename*`` preferred)."""
    if not header:
        return None
    found = _FILENAME_STAR.search(header)
    if found:
        return unquote(found.group(2).strip(), encoding=found.group(1) or "utf-8", errors="replace")
    found = _FILENAME.search(header)
    return found.group(1).strip() if found else None


class WeComApi:
    """A client for one self-built app (corp id, secret, agent id)."""

    def __init__(
        self,
        *,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        refresh_margin: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        redact.install()
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._tokens = TokenCache(self._fetch_token, margin=refresh_margin, monotonic=monotonic)

    def __repr__(self) -> str:
        return f"WeComApi(corp_id={self.corp_id!r}, agent_id={self.agent_id})"

    async def aclose(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own_client:
            await self._client.aclose()

    # ---- token -------------------------------------------------------------------------------------------

    async def access_token(self, *, force: bool = False) -> str:
        """The cached access token, fetched anew when missing, about to expire, or ``force``d."""
        return await self._tokens.get(force=force)

    async def _fetch_token(self) -> tuple[str, float]:
        body = await self._get_json("/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self._secret},
                                    "gettoken")
        try:
            check(body, "gettoken")
        except _TokenRefused as error:
            raise WeComApiError(int(error.args[0]), "token refused at gettoken", "gettoken") from None
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise Transient("WeCom gettoken answered without a token")
        return token, float(body.get("expires_in") or 7200)

    # ---- transport ---------------------------------------------------------------------------------------

    async def _request(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, self.base_url + path, **kwargs)
        except httpx.TimeoutException:
            raise Transient(f"WeCom {what}: timed out") from None
        except httpx.HTTPError as error:
            raise Transient(f"WeCom {what}: {type(error).__name__}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise Transient(f"WeCom {what}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise WeComApiError(response.status_code, "HTTP status", what)
        return response

    async def _get_json(self, path: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        return json_body(await self._request("GET", path, what, params=params), what)

    async def _call(self, method: str, path: str, what: str, *, params: dict[str, Any] | None = None,
                    raw: bool = False, **kwargs: Any) -> Any:
        """An authenticated call, retried once with a fresh token when WeCom refuses the token."""
        for attempt in (1, 2):
            token = await self.access_token(force=attempt == 2)
            response = await self._request(method, path, what, params={**(params or {}), "access_token": token},
                                           **kwargs)
            if raw and not _is_json(response):
                return response
            body = json_body(response, what)
            try:
                check(body, what)
            except _TokenRefused:
                self._tokens.forget(token)
                if attempt == 2:
                    raise Transient(f"WeCom {what}: token refused twice") from None
                log.info("WeCom refused the access token for %s; fetching a new one", what)
                continue
            return response if raw else body
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- messages ----------------------------------------------------------------------------------------

    async def _send(self, users: str | Sequence[str], msgtype: str, payload: dict[str, Any]) -> SendResult:
        message = {"touser": _recipients(users), "msgtype": msgtype, "agentid": self.agent_id, msgtype: payload}
        body = await self._call("POST", "/cgi-bin/message/send", "message/send", json=message)
        invalid = tuple(u for u in str(body.get("invaliduser") or "").split("|") if u)
        if invalid:
            log.warning("WeCom did not know %d of the recipients", len(invalid))
        msgid, code = body.get("msgid"), body.get("response_code")
        return SendResult(str(msgid) if msgid is not None else None, invalid, str(code) if code else None)

    async def send_text(self, users: str | Sequence[str], content: str) -> SendResult:
        """A text message to one or more members (``u1|u2``), cut to 2048 bytes on a character boundary."""
        return await self._send(users, "text", {"content": truncate_utf8(content, TEXT_LIMIT)})

    async def send_markdown(self, users: str | Sequence[str], content: str) -> SendResult:
        """A markdown message (WeCom's subset), cut to 2048 bytes on a character boundary."""
        return await self._send(users, "markdown", {"content": truncate_utf8(content, TEXT_LIMIT)})

    async def send_file(self, users: str | Sequence[str], media_id: str) -> SendResult:
        """A file message for media uploaded with ``upload_media``."""
        return await self._send(users, "file", {"media_id": media_id})

    async def send_image(self, users: str | Sequence[str], media_id: str) -> SendResult:
        """An image message for media uploaded with ``upload_media(kind="image")``."""
        return await self._send(users, "image", {"media_id": media_id})

    async def send_template_card(self, users: str | Sequence[str], card: dict[str, Any]) -> SendResult:
        """A template card (``button_interaction``: buttons answered by a ``template_card_event`` callback)."""
        return await self._send(users, "template_card", card)

    async def update_template_card(self, users: str | Sequence[str], response_code: str, replace_name: str) -> None:
        """Grey a pressed card's buttons, showing ``replace_name`` (the response code is good once, for 72 hours)."""
        users_list = [users] if isinstance(users, str) else list(users)
        body = {"userids": users_list, "agentid": self.agent_id, "response_code": response_code,
                "button": {"replace_name": replace_name}}
        await self._call("POST", "/cgi-bin/message/update_template_card", "message/update_template_card", json=body)

    # ---- media -------------------------------------------------------------------------------------------

    async def upload_media(self, name: str, data: bytes, mime: str = "application/octet-stream",
                           kind: str = "file") -> str:
        """Upload a temporary media file (valid three days); its media_id."""
        body = await self._call("POST", "/cgi-bin/media/upload", "media/upload", params={"type": kind},
                                files={"media": (name, data, mime)})
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Transient("WeCom media/upload answered without a media_id")
        return media_id

    async def get_media(self, media_id: str, *, max_bytes: int | None = None) -> Media:
        """Download a temporary media file a member sent; a file over ``max_bytes`` is refused."""
        response = await self._call("GET", "/cgi-bin/media/get", "media/get", params={"media_id": media_id}, raw=True)
        data = response.content
        if max_bytes is not None and len(data) > max_bytes:
            raise Rejected("WeCom media/get: file larger than allowed")
        name = disposition_filename(response.headers.get("content-disposition")) or media_id
        mime = response.headers.get("content-type")
        return Media(name=name, mime=mime.split(";")[0].strip() if mime else None, data=data)


def _is_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "")
    return "json" in kind or kind.startswith("text/plain")


def json_body(response: httpx.Response, what: str) -> dict[str, Any]:
    """A WeCom answer's JSON object; anything else is ``Transient`` (a proxy's error page, a cut answer)."""
    try:
        body = response.json()
    except ValueError:
        raise Transient(f"WeCom {what}: answer is not JSON") from None
    if not isinstance(body, dict):
        raise Transient(f"WeCom {what}: answer is not a JSON object")
    return body
