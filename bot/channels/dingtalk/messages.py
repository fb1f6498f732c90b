"""The JSON DingTalk POSTs to the app robot's callback, read without trusting it.

Only what Duban uses is kept: who wrote (``senderStaffId``, the org userid that batchSend addresses), where
(``conversationType`` "1" single chat or "2" group, ``conversationId``), what (``msgtype``, ``text.content``),
the delivery's id (``msgId``, for de-duplication), whether the robot was @-mentioned (``isInAtList``), and
the conversation's reply address (``sessionWebhook``, valid until ``sessionWebhookExpiredTime`` in ms), and for a
file sent in a single chat its ``content.downloadCode`` and ``content.fileName`` (groups do not pass files on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024  # a text message is a few KB; DingTalk sends files as codes, not bytes
SINGLE, GROUP = "1", "2"


class BadMessage(ValueError):
    """A body that is not a DingTalk robot message Duban can read."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message to the robot, in a single chat or a group."""

    msg_id: str
    msg_type: str
    user_id: str
    conversation_type: str
    conversation_id: str
    content: str = ""
    sender_nick: str | None = None
    conversation_title: str | None = None
    in_at_list: bool = False
    session_webhook: str | None = None
    session_expires_ms: int = 0
    robot_code: str | None = None
    download_code: str | None = None  # a file or picture: exchanged for a short-lived download URL
    file_name: str | None = None

    @property
    def is_group(self) -> bool:
        """Whether it was said in a group chat."""
        return self.conversation_type == GROUP

    @property
    def dedup_key(self) -> str:
        """What identifies a retried delivery: the msgId."""
        return f"msg:{self.msg_id}"


def _str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadMessage(f"{key} is not a string")
    return str(value)


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdecimal():
        return int(value)
    return 0


def parse_message(raw: bytes) -> Inbound:
    """The message in a callback body; BadMessage when it is not JSON or lacks msgId, sender or conversation."""
    if len(raw) > MAX_BODY_BYTES:
        raise BadMessage("body too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadMessage("not JSON") from error
    if not isinstance(body, dict):
        raise BadMessage("not a JSON object")
    msg_id, user = _str(body, "msgId"), _str(body, "senderStaffId")
    conversation_type, conversation_id = _str(body, "conversationType") or SINGLE, _str(body, "conversationId")
    if not msg_id or not user or not conversation_id:
        raise BadMessage("msgId, senderStaffId and conversationId are required")
    if conversation_type not in (SINGLE, GROUP):
        raise BadMessage("conversationType is neither 1 nor 2")
    text = body.get("text")
    content = text.get("content") if isinstance(text, dict) else None
    media = body.get("content") if isinstance(body.get("content"), dict) else {}
    return Inbound(
        msg_id=msg_id,
        msg_type=(_str(body, "msgtype") or "").lower(),
        user_id=user,
        conversation_type=conversation_type,
        conversation_id=conversation_id,
        content=content if isinstance(content, str) else "",
        sender_nick=_str(body, "senderNick"),
        conversation_title=_str(body, "conversationTitle"),
        in_at_list=body.get("isInAtList") is True,
        session_webhook=_str(body, "sessionWebhook"),
        session_expires_ms=_int(body.get("sessionWebhookExpiredTime")),
        robot_code=_str(body, "robotCode"),
        download_code=_str(media, "downloadCode"),
        file_name=_str(media, "fileName"),
    )
