"""The in-memory world behind the fake Telegram Bot API: users, chats, messages, files and updates."""

from __future__ import annotations

import asyncio
import itertools
import math
import mimetypes
from collections.abc import Callable
from typing import Any

from .telegram_html import utf16_len
from .telegram_models import JSON, ApiError, Chat, FloodLimits, RequestRecord, SentMessage, Stats, StoredFile, \
    TokenBucket, User

AUTO: Any = object()  # sentinel: derive entities from the text
# Update types delivered when a bot does not name its allowed_updates (Bot API docs).
DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def command_entities(text: str) -> list[JSON]:
    """A bot_command entity when ``text`` starts with a command, as Telegram's clients mark it."""
    if not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0] if text.strip() else text
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}] if len(word) > 1 else []


class TelegramWorld:
    """Users, chats, messages, files, pending updates and the helpers tests use to act as users."""

    def __init__(self, *, token: str, bot_username: str, bot_first_name: str, privacy_mode: bool,
                 strict_ampersand: bool, enforce_limits: bool, limits: FloodLimits | None,
                 clock: Callable[[], float], wall_clock: Callable[[], float]) -> None:
        self.token = token
        self.bot = User(id=int(token.split(":", 1)[0]), first_name=bot_first_name, username=bot_username, is_bot=True)
        self.privacy_mode, self.strict_ampersand = privacy_mode, strict_ampersand
        self.enforce_limits, self.limits = enforce_limits, limits or FloodLimits()
        self.clock, self.wall_clock = clock, wall_clock
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.requests: list[RequestRecord] = []
        self.answered_callbacks: list[JSON] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope key, language_code) -> commands
        self.stats = Stats()
        self.allowed_updates: frozenset[str] | None = None
        self.webhook_url = ""
        self._messages: dict[int, dict[int, JSON]] = {}  # every message per chat, the users' too
        self._sent: dict[int, list[SentMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(500_000_001)
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(4_000_000_000_000_000_001)
        self._open_callbacks: set[str] = set()
        self._buckets: dict[Any, TokenBucket] = {}
        self._changed = asyncio.Event()

    # ---- world set-up -------------------------------------------------------------------------
    def add_user(self, user_id: int, first_name: str, username: str | None = None, started: bool = True,
                 language_code: str | None = None) -> User:
        """Make a user known; ``started=False`` means they never opened a private chat with the bot."""
        user = User(user_id, first_name, username, language_code, started=started)
        self.users[user_id] = user
        self.chats[user_id] = Chat(user_id, "private", user=user)
        return user

    def add_group(self, chat_id: int, title: str, type: str = "group") -> Chat:  # noqa: A002 - Telegram's name
        """Make a group or supergroup the bot is a member of."""
        if type not in ("group", "supergroup"):
            raise ValueError(f"type must be group or supergroup, not {type!r}")
        chat = Chat(chat_id, type, title=title)
        self.chats[chat_id] = chat
        return chat

    def block(self, user_id: int) -> None:
        """The user blocks the bot; Telegram tells the bot with a my_chat_member update."""
        user = self._user(user_id)
        if not user.blocked:
            user.blocked = True
            self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks (restarts) the bot."""
        user = self._user(user_id)
        if user.blocked:
            user.blocked = False
            self._member_update(user, "kicked", "member")

    # ---- acting as users ----------------------------------------------------------------------
    async def user_sends(self, user_id: int, text: str | None = None, chat_id: int | None = None, *,
                         entities: Any = AUTO, document: tuple[Any, ...] | None = None, caption: str | None = None,
                         reply_to: int | JSON | SentMessage | None = None) -> JSON:
        """A user sends text or a document ``(filename, bytes[, mime])``; returns the Message JSON.

        In a group with privacy mode on (the default) the bot only gets commands and replies to
        its own messages, as on Telegram; the message exists but no update is queued otherwise.
        """
        user = self._user(user_id)
        chat = self._chat(user_id if chat_id is None else chat_id)
        if chat.type == "private":
            if chat.id != user_id:
                raise ValueError("a user can only write in their own private chat")
            if user.blocked:
                self.unblock(user_id)
            user.started = True
        message: JSON = {"message_id": self._new_message_id(chat.id), "from": user.to_json(),
                         "chat": chat.to_json(), "date": int(self.wall_clock())}
        body = text if document is None else caption
        auto = command_entities(body or "") if entities is AUTO else entities
        if document is None:
            if not text:
                raise ValueError("user_sends needs text or a document")
            message["text"] = text
            if auto:
                message["entities"] = auto
        else:
            filename, data, *rest = document
            mime = rest[0] if rest else mimetypes.guess_type(filename)[0] or "application/octet-stream"
            message["document"] = self.store_file(data, filename, mime, "documents").document_json()
            if caption:
                message["caption"] = caption
                if auto:
                    message["caption_entities"] = auto
        replied = self._find_reply_target(chat.id, reply_to)
        if replied is not None:
            message["reply_to_message"] = replied
        self._messages[chat.id][message["message_id"]] = message
        if self._bot_sees(chat, body or "", replied):
            self.enqueue_update("message", message)
        return message

    async def press_button(self, user_id: int, message: SentMessage | JSON | int, data: str,
                           chat_id: int | None = None) -> str:
        """The user presses the inline button carrying ``data``; returns the callback query id."""
        user = self._user(user_id)
        if isinstance(message, int):
            message = self._messages[user_id if chat_id is None else chat_id][message]
        current = message.json if isinstance(message, SentMessage) else message
        current = self._messages[current["chat"]["id"]][current["message_id"]]  # latest edit
        datas = [b.get("callback_data") for row in current.get("reply_markup", {}).get("inline_keyboard", [])
                 for b in row]
        if data not in datas:
            raise ValueError(f"message {current['message_id']} has no button with data {data!r}; it has {datas}")
        query_id = str(next(self._callback_seq))
        self._open_callbacks.add(query_id)
        chat_id = current["chat"]["id"]
        self.enqueue_update("callback_query", {"id": query_id, "from": user.to_json(), "message": current,
                                               "chat_instance": str(abs(chat_id) * 7919 % 10**18 + 1), "data": data})
        return query_id

    # ---- reading what the bot did -------------------------------------------------------------
    def messages(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, oldest first."""
        return [m for m in self._sent.get(chat_id, []) if include_deleted or not m.deleted]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every logged call of ``method`` (case-insensitive)."""
        return [r.params for r in self.requests if r.method.lower() == method.lower()]

    def commands_for(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """The commands set for a scope (default scope when None) and language."""
        return self.commands.get((scope_key(scope), language_code), [])

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
        """Wait until ``predicate()`` holds, re-checking after every change in the fake."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake Telegram: {what} not reached within {timeout} s")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages to ``chat_id``; returns them all."""
        try:
            await self.wait_until(lambda: len(self.messages(chat_id)) >= count, timeout)
        except TimeoutError:
            got = [m.text or m.caption for m in self.messages(chat_id)]
            raise TimeoutError(f"expected {count} messages in chat {chat_id} within {timeout} s, got {got}") from None
        return self.messages(chat_id)

    # ---- internals shared with the API methods ------------------------------------------------
    def notify(self) -> None:
        """Wake every waiter (long polls, wait_until)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def enqueue_update(self, kind: str, payload: JSON) -> None:
        """Queue an update unless the bot's allowed_updates exclude its kind."""
        allowed = self.allowed_updates
        if (kind in allowed) if allowed else (kind not in DEFAULT_UPDATE_TYPES_EXCLUDED):
            self._updates.append({"update_id": next(self._update_ids), kind: payload})
            self.notify()

    def pending_updates(self, offset: int, limit: int) -> list[JSON]:
        """Confirm updates below ``offset`` (negative: keep the last -offset) and return the rest."""
        if offset < 0:
            del self._updates[: max(len(self._updates) + offset, 0)]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return self._updates[:limit]

    def drop_pending_updates(self) -> None:
        """Forget every queued update."""
        self._updates.clear()

    def store_file(self, data: bytes, filename: str | None, mime: str | None, folder: str,
                   width: int = 0, height: int = 0) -> StoredFile:
        """Keep bytes under a fresh file_id and file_path."""
        seq = next(self._file_seq)
        ext = (filename or "").rpartition(".")[2] if "." in (filename or "") else ("jpg" if folder == "photos" else "")
        path = f"{folder}/file_{seq}" + (f".{ext}" if ext else "")
        prefix = "AgACAgIAAxkBAAI" if folder == "photos" else "BQACAgIAAxkBAAI"
        stored = StoredFile(f"{prefix}{seq:06d}fake", f"AgAD{seq:04d}", data, filename, mime, path, width, height)
        self.files[stored.file_id] = stored
        return stored

    def check_flood(self, chat: Chat) -> None:
        """Raise 429 when a send to ``chat`` would exceed the flood limits."""
        if not self.enforce_limits:
            return
        lim, now = self.limits, self.clock()
        chat_limits = (lim.private_capacity, lim.private_rate) if chat.type == "private" else (
            lim.group_capacity, lim.group_rate)
        buckets = [self._bucket("global", lim.global_capacity, lim.global_rate, now),
                   self._bucket(chat.id, *chat_limits, now)]
        wait = max(b.wait_time(now) for b in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        for bucket in buckets:
            bucket.take()

    def _bucket(self, key: Any, capacity: float, rate: float, now: float) -> TokenBucket:
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(capacity, rate, now)
        return self._buckets[key]

    def _new_message_id(self, chat_id: int) -> int:
        self._messages.setdefault(chat_id, {})
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _user(self, user_id: int) -> User:
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}: call add_user first")
        return self.users[user_id]

    def _chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            raise ValueError(f"unknown chat {chat_id}: call add_user or add_group first")
        return self.chats[chat_id]

    def _find_reply_target(self, chat_id: int, reply_to: int | JSON | SentMessage | None) -> JSON | None:
        if reply_to is None:
            return None
        mid = reply_to if isinstance(reply_to, int) else (
            reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to["message_id"])
        target = self._messages.get(chat_id, {}).get(mid)
        if target is None:
            raise ValueError(f"no message {mid} in chat {chat_id} to reply to")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _bot_sees(self, chat: Chat, body: str, replied: JSON | None) -> bool:
        """Whether privacy mode lets a group message through (commands for us, replies to us)."""
        if chat.type == "private" or not self.privacy_mode:
            return True
        if replied is not None and replied.get("from", {}).get("id") == self.bot.id:
            return True
        command = body.split(maxsplit=1)[0] if body.startswith("/") else ""
        addressee = command.partition("@")[2]
        return bool(command) and addressee in ("", self.bot.username)

    def _member_update(self, user: User, old: str, new: str) -> None:
        bot = self.bot.to_json()
        self.enqueue_update("my_chat_member", {
            "chat": self.chats[user.id].to_json(), "from": user.to_json(), "date": int(self.wall_clock()),
            "old_chat_member": {"status": old, "user": bot} | ({"until_date": 0} if old == "kicked" else {}),
            "new_chat_member": {"status": new, "user": bot} | ({"until_date": 0} if new == "kicked" else {}),
        })


def scope_key(scope: JSON | None) -> str:
    """A readable key for a BotCommandScope: "default", "all_private_chats", "chat:42", "chat_member:42:7"."""
    if not scope:
        return "default"
    parts = [str(scope["type"])] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)
