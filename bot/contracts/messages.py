"""Channel-neutral requests and replies: what every channel adapter translates to and from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.contracts.capabilities import RICH, Capabilities

ChatKind = Literal["private", "group"]


@dataclass(frozen=True, slots=True)
class Sender:
    """Who is speaking: a chat account on one channel (``telegram``/``wecom``/``console``)."""

    channel: str
    id: str
    display_name: str | None = None

    @property
    def key(self) -> str:
        """The account as admins list it in DUBAN_ADMINS, e.g. ``telegram:123456``."""
        return f"{self.channel}:{self.id}"


@dataclass(frozen=True, slots=True)
class Chat:
    """Where the words were said: a private chat or a group."""

    channel: str
    id: str
    kind: ChatKind = "private"
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the user sent; ``fetch`` downloads it only when a handler decides to."""

    name: str
    size: int | None
    mime: str | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Request:
    """One thing a user did: a message (``text``) or a button press (``callback``)."""

    sender: Sender
    chat: Chat
    now: datetime
    text: str = ""
    callback: str | None = None
    attachment: Attachment | None = None
    bot_username: str | None = None
    # What the channel the request came from can do (the adapter sets it), so answers word themselves for it.
    caps: Capabilities = RICH


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a label and the opaque data routed back as ``Request.callback`` (≤ 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class OutFile:
    """A file or picture to send."""

    name: str
    data: bytes
    mime: str


@dataclass(slots=True)
class Reply:
    """One message back.

    ``text`` is in Duban's safe markup: a small HTML subset (``<b> <i> <code> <a href>``) in which every piece
    of table or user text has been escaped with ``html.escape``. Telegram sends it as HTML; the console and
    WeCom convert it. ``edit`` asks the channel to replace the message whose button was pressed.
    """

    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    file: OutFile | None = None
    photo: OutFile | None = None
    edit: bool = False
    toast: str | None = None
