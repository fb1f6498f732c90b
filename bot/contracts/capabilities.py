"""What each channel can do, so texts and replies pick what works there (no "tap the button" without buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Markup = Literal["html", "markdown", "plain"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One channel's abilities: buttons, files each way, deep links, groups, markup, text limit, reach."""

    buttons: bool = False
    files_in: bool = False
    file_caption: bool = False
    files_out: bool = False
    deep_links: bool = False
    group_chats: bool = False
    markup: Markup = "plain"
    text_limit: int = 2048
    # Whether a notice reaches someone who has not written to the bot first (Telegram needs /start first).
    reach_first: bool = False


# What a channel with no registered capabilities is assumed to do: plain text only.
PLAIN = Capabilities()
_REGISTERED: dict[str, Capabilities] = {}


def register(channel: str, capabilities: Capabilities) -> None:
    """Record a channel's capabilities (each channel package does so when it is imported)."""
    _REGISTERED[channel] = capabilities


def of(channel: str) -> Capabilities:
    """The capabilities of ``channel``, or plain text only when it registered none."""
    return _REGISTERED.get(channel, PLAIN)
