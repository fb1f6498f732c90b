"""Template cards with buttons (``template_card``, ``card_type: button_interaction``) for the app's answers.

WeCom app messages have no inline buttons, but a template card has up to six. A press comes back to the
callback as ``Event=template_card_event`` with the button's ``EventKey``, the card's ``TaskId`` and a
``ResponseCode`` that lets the app grey the card's buttons once (``message/update_template_card``).

Only buttons whose action is worth a tap get one: confirming or cancelling an import (and its year), 签收,
snoozing, and approving or refusing an extension. Every other button stays a typed command, and the text above the card
still lists every command, so typing keeps working. A key may hold only letters, digits and ``_-@`` (at most
128 bytes), so the button data's ``:`` travels as ``@`` (button data never holds an ``@``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from bot.channels.wecom.render import plain_text, truncate_utf8
from bot.texts import t
from bot.contracts import Button
from bot.contracts.actions import decode

# Actions (bot.contracts.actions) whose buttons become card buttons.
CARD_ACTIONS = frozenset({"import_confirm", "import_cancel", "import_year", "ack", "snooze", "approve", "reject"})
# Buttons that are the "no" of a pair: drawn in the second style.
SECONDARY = frozenset({"import_cancel", "snooze", "reject"})
MAX_BUTTONS = 6
KEY_LIMIT = 128
_DATA = re.compile(r"^[A-Za-z0-9_\-:]+$")
_KEY = re.compile(r"^[A-Za-z0-9_\-@]+$")
DESC_LIMIT = 120


def card_key(data: str) -> str | None:
    """The card button key for button ``data``, or None when the button stays a typed command."""
    action = decode(data)
    if action is None or action.name not in CARD_ACTIONS or not _DATA.match(data) or len(data) > KEY_LIMIT:
        return None
    return data.replace(":", "@")


def button_data(key: str) -> str | None:
    """The button data a pressed card key stands for; None for a key Duban never made."""
    if not _KEY.match(key) or len(key) > KEY_LIMIT:
        return None
    data = key.replace("@", ":")
    return data if card_key(data) == key else None


def new_task_id() -> str:
    """A card id unique per app (WeCom refuses a reused one)."""
    return f"duban-{secrets.token_hex(10)}"


def button_card(markup: str, rows: Sequence[Sequence[Button]], lang: str, *, task_id: str) -> dict[str, Any] | None:
    """The ``template_card`` for a message's buttons, headed by its first line; None when no button qualifies."""
    buttons: list[dict[str, Any]] = []
    for row in rows:
        for button in row:
            key = card_key(button.data)
            if key is None or any(b["key"] == key for b in buttons):
                continue
            action = decode(button.data)
            style = 2 if action is not None and action.name in SECONDARY else 1
            buttons.append({"text": truncate_utf8(button.label, 30), "style": style, "key": key})
    if not buttons:
        return None
    first = next((line.strip() for line in plain_text(markup).split("\n") if line.strip()), "")
    title = {"title": t("wecom.card_title", lang)}
    if first:
        title["desc"] = truncate_utf8(first, DESC_LIMIT)
    return {"card_type": "button_interaction", "main_title": title, "task_id": task_id,
            "button_list": buttons[:MAX_BUTTONS]}
