"""Value objects of the fake Telegram Bot API: users, chats, files, sent messages, errors, limits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API failure answered as ``{"ok": false, ...}`` with the given HTTP status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> JSON:
        """The JSON body Telegram sends with this error."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 ``Bad Request: {detail}``."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class User:
    """A Telegram user as the fake knows them."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = True  # has opened a private chat with the bot
    blocked: bool = False

    def to_json(self) -> JSON:
        """The User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A private chat, group or supergroup."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None  # the other party of a private chat

    def to_json(self) -> JSON:
        """The Chat object."""
        if self.user is not None:
            data: JSON = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class StoredFile:
    """Bytes uploaded by the bot or sent by a user, reachable through getFile."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0

    def document_json(self) -> JSON:
        """The Document object."""
        data: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data)}
        if self.filename:
            data["file_name"] = self.filename
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_json(self) -> list[JSON]:
        """The PhotoSize list (one size: the fake does not resample)."""
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data),
                 "width": self.width, "height": self.height}]


@dataclass
class SentMessage:
    """A message the bot sent, with what was asked for and what Telegram made of it."""

    json: JSON  # the current Message object (after edits)
    raw_text: str | None  # text or caption exactly as sent, before entity parsing
    parse_mode: str | None
    reply_markup: JSON | None  # any markup kind, as sent (the Message JSON only keeps inline keyboards)
    params: dict[str, Any]
    document: StoredFile | None = None
    photo: StoredFile | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)  # params of each successful edit
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return int(self.json["chat"]["id"])

    @property
    def message_id(self) -> int:
        """The message's id."""
        return int(self.json["message_id"])

    @property
    def text(self) -> str | None:
        """The text as the user sees it (tags parsed away, whitespace trimmed)."""
        return self.json.get("text")

    @property
    def caption(self) -> str | None:
        """The caption as the user sees it."""
        return self.json.get("caption")

    @property
    def entities(self) -> list[JSON]:
        """Entities of the text or caption."""
        return self.json.get("entities") or self.json.get("caption_entities") or []

    @property
    def file(self) -> StoredFile | None:
        """The uploaded document or photo, if any."""
        return self.document or self.photo


class UploadedFile(NamedTuple):
    """A multipart file part, as logged in ``requests``."""

    filename: str | None
    content_type: str | None
    data: bytes


class RequestRecord(NamedTuple):
    """One API call: the method name as sent and its raw (string) parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class FloodLimits:
    """Token-bucket flood limits (capacity = burst, rate = tokens per second)."""

    private_capacity: float = 1
    private_rate: float = 1.0
    group_capacity: float = 20
    group_rate: float = 20 / 60
    global_capacity: float = 30
    global_rate: float = 30.0


@dataclass
class Stats:
    """Counters of what the fake answered."""

    too_many: int = 0  # 429 responses, flood and injected
    by_status: Counter[int] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)


class TokenBucket:
    """A token bucket on an injectable monotonic clock."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity, self.rate, self.tokens, self.stamp = capacity, rate, capacity, now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Consume one token (call after ``wait_time`` returned 0)."""
        self.tokens -= 1
