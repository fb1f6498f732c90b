"""Duban's safe markup made fit for Telegram: message splitting, inline keyboards, toasts and the command menu.

Splitting rule: Telegram refuses messages longer than 4096 characters, so a reply is cut into parts, only
ever between lines. Lines of ``Reply.text`` are self-contained (every tag a line opens it also closes), so
a part made of whole lines is valid HTML on its own. A single line longer than the limit is the one
exception: it is cut hard, never inside a tag or an ``&entity;``, and the tags open at the cut are closed
at the end of one part and opened again at the start of the next. Lengths are counted on the markup,
which is never shorter than the text Telegram counts after parsing it.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import t
from bot.contracts import Button

log = logging.getLogger("duban.telegram")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TOAST_LIMIT = 200  # answerCallbackQuery text
CALLBACK_DATA_LIMIT = 64  # bytes

# The menu, everyday commands first; admins' commands come last and say so in their description.
MENU_COMMANDS: tuple[str, ...] = (
    "mytasks", "overdue", "week", "due", "task", "search", "section", "leader",
    "ack", "progress", "done", "extend", "whoami", "lang", "help", "start",
    "import", "export", "stats", "invite", "people", "subscribe", "unsubscribe",
)

_TOKEN = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_ANY_TAG = re.compile(r"<[^>]*>")


def bot_commands(lang: str) -> list[BotCommand]:
    """The command menu in ``lang``, for setMyCommands."""
    return [BotCommand(name, t(f"telegram.cmd_{name}", lang)) for name in MENU_COMMANDS]


def plain_text(markup: str) -> str:
    """Safe markup as plain text (tags dropped, entities decoded), for places without parse mode."""
    return html.unescape(_ANY_TAG.sub("", markup))


def toast_text(markup: str) -> str:
    """A callback answer's text: plain, and cut to Telegram's 200 characters."""
    text = " ".join(plain_text(markup).split())
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for the reply's buttons; None when there are none.

    A button Telegram would refuse (empty label, data over 64 bytes) is left out and logged, so that one bad
    button does not cost the whole message.
    """
    built: list[list[InlineKeyboardButton]] = []
    for row in rows:
        kept = []
        for button in row:
            size = len(button.data.encode("utf-8"))
            if not button.label.strip() or not 1 <= size <= CALLBACK_DATA_LIMIT:
                log.warning("dropped a button Telegram would refuse: label %r, %d bytes of data", button.label, size)
                continue
            kept.append(InlineKeyboardButton(button.label, callback_data=button.data))
        if kept:
            built.append(kept)
    return InlineKeyboardMarkup(built) if built else None


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut between lines (see the module docstring).

    Parts with nothing visible are dropped, since Telegram refuses an empty message.
    """
    parts: list[str] = []
    current: list[str] = []
    size = -1  # length of "\n".join(current)
    for line in text.split("\n"):
        for piece in [line] if len(line) <= limit else _split_line(line, limit):
            if current and size + 1 + len(piece) > limit:
                parts.append("\n".join(current))
                current, size = [], -1
            current.append(piece)
            size += 1 + len(piece)
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if plain_text(part).strip()]


def _split_line(line: str, limit: int) -> list[str]:
    """One over-long line cut hard, between tokens, with open tags closed and reopened at each cut."""
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []  # (tag name, opening tag as written)
    piece = ""
    for token in _TOKEN.findall(line):
        tag = _TAG.match(token)
        opening = tag is not None and not tag.group(1)
        extra = len(f"</{tag.group(2)}>") if opening and tag else 0
        closing = _closers(stack)
        fresh = "".join(text for _, text in stack)
        if len(piece) + len(token) + extra + len(closing) > limit and piece != fresh:
            pieces.append(piece + closing)
            piece = fresh
        piece += token
        if tag is None:
            continue
        name = tag.group(2).lower()
        if opening:
            stack.append((name, token))
        else:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name:
                    del stack[i]
                    break
    if piece:
        pieces.append(piece + _closers(stack))
    return pieces


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))
