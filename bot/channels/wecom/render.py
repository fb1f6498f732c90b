"""Duban's safe markup made fit for WeCom: plain text for app messages, WeCom markdown for the robot.

``Reply.text`` is a small HTML subset (``<b> <i> <code> <a href>``, everything else escaped). WeCom text
messages take plain text; WeCom markdown knows ``**bold**``, ``[text](url)`` and `` `code` `` but no
italics. WeCom messages have no inline buttons, so each button becomes a line telling the user what to type:
a command the router understands (``签收 11``) where the button stands for one, else a number that the
channel remembers for a while (pages of a list).

Messages are limited in bytes (2048 for app messages, 4096 for robot markdown); long texts are split
between lines, and a single over-long line is cut on a UTF-8 character boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from urllib.parse import quote

from bot.texts import t
from bot.contracts import Button
from bot.contracts.actions import Choice, Decoded, decode

ELLIPSIS = "…"


# ---- bytes -------------------------------------------------------------------------------------------------


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def split_utf8(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-8 bytes, cut between lines; empty parts are dropped."""
    parts: list[str] = []
    current: list[str] = []
    size = -1  # bytes of "\n".join(current)
    for line in text.split("\n"):
        n = len(line.encode("utf-8"))
        if n > limit:
            keep = limit - len(ELLIPSIS.encode("utf-8"))
            line = truncate_utf8(line, keep) + ELLIPSIS
            n = len(line.encode("utf-8"))
        if current and size + 1 + n > limit:
            parts.append("\n".join(current))
            current, size = [], -1
        current.append(line)
        size += 1 + n
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]


# ---- markup ------------------------------------------------------------------------------------------------


class _Converter(HTMLParser):
    """Walks the safe markup once, writing plain text or WeCom markdown."""

    def __init__(self, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.out: list[str] = []
        self.href: str | None = None
        self.link: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link = []
        elif self.markdown and tag == "b":
            self.out.append("**")
        elif self.markdown and tag == "code":
            self.out.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            text, href = "".join(self.link), self.href
            self.href = None
            if self.markdown and href:
                self.out.append(f"[{md_escape(text)}]({quote(href, safe=':/?#&=%+@;,.~-_')})")
            elif href and text.strip() != href:
                self.out.append(f"{text} ({href})")
            else:
                self.out.append(text)
        elif self.markdown and tag == "b":
            self.out.append("**")
        elif self.markdown and tag == "code":
            self.out.append("`")

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.link.append(data)
        else:
            self.out.append(md_escape(data) if self.markdown else data)


def md_escape(text: str) -> str:
    """Table and user text made inert in WeCom markdown, which has no escape character.

    The few characters that would start markup are swapped for their full-width twins: ``*`` and `` ` ``
    (bold, code), ``<``/``>`` (font tags, @mentions, quotes) and ``](`` (links); a line's leading ``#``
    (a heading) is handled once the whole message is converted, since only then are line starts known.
    """
    return text.replace("*", "＊").replace("`", "｀").replace("<", "＜").replace(">", "＞").replace("](", "］(")


def _convert(markup: str, markdown: bool) -> str:
    parser = _Converter(markdown)
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def plain_text(markup: str) -> str:
    """Safe markup as plain text: tags dropped, entities decoded, links followed by their address."""
    return _convert(markup, markdown=False)


def to_markdown(markup: str) -> str:
    """Safe markup as WeCom markdown: bold, code and links kept, italics dropped, the rest made inert."""
    converted = _convert(markup, markdown=True)
    return "\n".join("＃" + line[1:] if line.startswith("#") else line for line in converted.split("\n"))


# ---- buttons -----------------------------------------------------------------------------------------------

# Action name (bot.contracts.actions) → the text key of the command a user types instead of pressing.
_COMMANDS: dict[str, str] = {
    "task": "wecom.cmd_task",
    "ack": "wecom.cmd_ack",
    "done_ask": "wecom.cmd_done",
    "done": "wecom.cmd_done",
    "progress_ask": "wecom.cmd_progress",
    "extend_ask": "wecom.cmd_extend",
    "reopen": "wecom.cmd_reopen",
    "snooze": "wecom.cmd_snooze",
    "approve": "wecom.cmd_approve",
    "reject": "wecom.cmd_reject",
    "import_confirm": "wecom.cmd_import_confirm",
    "import_cancel": "wecom.cmd_import_cancel",
    "import_year": "wecom.cmd_import_year",
}
# Buttons that only close a prompt: in a text chat there is nothing to close.
_DROPPED = frozenset({"dismiss"})
# Page buttons: ◀ and ▶ get words; the "2/5" button (the page on screen) is left out, the text says it.
_PAGE_LABELS = {"◀": "wecom.prev_page", "▶": "wecom.next_page"}
_PAGE_NOW = re.compile(r"^\d+/\d+$")


def choices(rows: Sequence[Sequence[Button]], refs: Mapping[int, str], lang: str, *,
            first_number: int = 1) -> list[Choice]:
    """The buttons as choices; ``refs`` maps task ids to the ref users type (``11``, ``3/11``)."""
    out: list[Choice] = []
    number = first_number
    for row in rows:
        for button in row:
            action = decode(button.data)
            label = button.label
            page = action is not None and action.kind == "page"
            if (action is not None and action.name in _DROPPED) or (page and _PAGE_NOW.match(label)):
                continue
            if page and label in _PAGE_LABELS:
                label = t(_PAGE_LABELS[label], lang)
            command = _command(action, refs, lang) if action is not None and not page else None
            if command is not None:
                out.append(Choice(label, button.data, command=command))
            else:
                out.append(Choice(label, button.data, number=number))
                number += 1
    return out


def _command(action: Decoded, refs: Mapping[int, str], lang: str) -> str | None:
    key, arg = _COMMANDS.get(action.name), action.arg
    if key is None or not arg:
        return None
    if action.kind == "task":
        return t(key, lang, ref=refs.get(int(arg), f"@{arg}"))
    if action.kind == "id":
        return t(key, lang, id=arg)
    return t(key, lang, token=arg)


def choice_lines(items: Sequence[Choice], lang: str, *, markdown: bool = False) -> list[str]:
    """One line per choice, headed by "可回复："; nothing when there are no choices."""
    if not items:
        return []
    lines = [t("wecom.choices", lang)]
    for item in items:
        label = md_escape(item.label) if markdown else item.label
        if item.command is not None:
            command = f"`{item.command}`" if markdown else item.command
            lines.append(t("wecom.choice_command", lang, label=label, command=command))
        else:
            lines.append(t("wecom.choice_number", lang, label=label, n=item.number))
    return lines


def message_text(markup: str, items: Sequence[Choice], lang: str, *, markdown: bool = False) -> str:
    """A reply's text with its choices below it, as plain text or WeCom markdown."""
    body = to_markdown(markup) if markdown else plain_text(markup)
    lines = choice_lines(items, lang, markdown=markdown)
    if not lines:
        return body
    return f"{body}\n\n" + "\n".join(lines) if body.strip() else "\n".join(lines)
