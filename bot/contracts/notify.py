"""The Notifier port: how the scheduler sends one message, and the platform-free errors a channel raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.contracts.messages import Button

TargetKind = Literal["private", "group"]

__all__ = [
    "DeliveryError",
    "Notifier",
    "Rejected",
    "RetryLater",
    "Target",
    "TargetKind",
    "Transient",
    "Unreachable",
]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a notice goes: a channel (``telegram``), a chat id on it, and whether it is a private chat or a group."""

    channel: str
    chat_id: str
    kind: TargetKind = "private"

    @property
    def key(self) -> str:
        """``telegram:123`` — the same spelling as an account key."""
        return f"{self.channel}:{self.chat_id}"


class DeliveryError(Exception):
    """Base of the neutral send errors; anything else a notifier raises is treated as Transient."""


class RetryLater(DeliveryError):
    """The platform asked us to wait (Telegram 429 ``retry_after``); not the message's fault."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds} s")
        self.seconds = float(seconds)


class Unreachable(DeliveryError):
    """The recipient cannot be written to (blocked the bot, never started it, chat gone)."""


class Transient(DeliveryError):
    """A time-out, a 5xx or a dropped connection: retry with backoff."""


class Rejected(DeliveryError):
    """The platform refused this message for good (400: bad markup, too long); retrying cannot help."""


@runtime_checkable
class Notifier(Protocol):
    """One channel's way of sending a message; raises only the errors above."""

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Deliver ``text`` (Duban's safe HTML subset) with inline ``buttons``; return only once accepted."""
        ...

    async def start_link(self) -> str | None:
        """A link that opens a private chat with the bot (for "please message the bot first" prompts), if any."""
        ...
