"""Duban's safe markup made fit for DingTalk: plain text for robot texts, DingTalk markdown for groups and robots.

``Reply.text`` is a small HTML subset (``<b> <i> <code> <a href>``, everything else escaped). DingTalk robot texts
are plain; DingTalk markdown knows headings, ``**bold**``, ``*italics*``, ``[text](url)``, quotes and lists, and
has no escape character every client honours, so table and user text has the characters that would start markup
swapped for their full-width twins.

A DingTalk app robot has no buttons that call back, so each button becomes a line telling the user what to type.
What a button means is read with the router's own decoder (``route_callback``), so no button code is written
here: a task action becomes the phrase the router understands (``签收 11``), any other command ``/name args``, and
a page of a list a number the channel remembers for a while (``回复 1``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from urllib.parse import quote

from bot.channels.dingtalk.contract import Button
from bot.contracts.actions import Choice
from bot.texts import t
from handlers.router import PAGED, route_callback

ELLIPSIS = "…"
_INERT = str.maketrans({"*": "＊", "_": "＿", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞", "~": "～",
                        "|": "｜"})
_LINE_START = re.compile(r"^(\s*)(#|>|[+-](?=\s)|\d+\.(?=\s))", re.M)
_LINE_START_INERT = str.maketrans({"#": "＃", ">": "＞", "-": "－", "+": "＋", ".": "．"})
_TITLE_MARKS = re.compile(r"[*#>`\[\]]")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|blockquote|tg-spoiler|span)(?:\s[^>]*)?>")
# Task actions typed as the phrases the router reads; every other command is typed as /name.
_PHRASES = {"task": "dingtalk.cmd_task", "ack": "dingtalk.cmd_ack", "snooze": "dingtalk.cmd_snooze",
            "done": "dingtalk.cmd_done", "done_ask": "dingtalk.cmd_done", "progress_ask": "dingtalk.cmd_progress",
            "extend_ask": "dingtalk.cmd_extend"}
_PAGE_WORDS = {"◀": "dingtalk.prev_page", "▶": "dingtalk.next_page"}
_PAGE_NOW = re.compile(r"^\d+/\d+$")


# ---- bytes -------------------------------------------------------------------------------------------------


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def split_utf8(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-8 bytes, cut between lines (an over-long line is shortened)."""
    parts: list[str] = []
    for line in text.split("\n"):
        if len(line.encode("utf-8")) > limit:
            line = truncate_utf8(line, limit - len(ELLIPSIS.encode("utf-8"))) + ELLIPSIS
        joined = f"{parts[-1]}\n{line}" if parts else line
        if parts and len(joined.encode("utf-8")) <= limit:
            parts[-1] = joined
        else:
            parts.append(line)
    return [part.strip("\n") for part in parts if part.strip()]


# ---- markup ------------------------------------------------------------------------------------------------


def plain_text(markup: str) -> str:
    """Safe markup as plain text: tags dropped, entities decoded, a link followed by its address."""

    def link(found: re.Match[str]) -> str:
        href, text = html.unescape(found.group(1)), found.group(2)
        return text if not href or html.unescape(_TAG.sub("", text)).strip() == href else f"{text} ({href})"

    return html.unescape(_TAG.sub("", _LINK.sub(link, markup)))


def md_escape(text: str) -> str:
    """Table and user text made inert in DingTalk markdown (markup characters swapped for full-width twins)."""
    return text.translate(_INERT)


class _Markdown(HTMLParser):
    """Walks the safe markup once, writing DingTalk markdown."""

    MARKS = {"b": "**", "i": "*", "code": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: str | None = None
        self.link: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.href, self.link = dict(attrs).get("href") or "", []
        else:
            self.out.append(self.MARKS.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            text, href = md_escape("".join(self.link)), self.href
            self.href = None
            self.out.append(f"[{text}]({quote(href, safe=':/?#&=%+@;,.~-_')})" if href else text)
        else:
            self.out.append(self.MARKS.get(tag, ""))

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.link.append(data)  # escaped with the whole link text when the link closes
        else:
            self.out.append(md_escape(data))


def to_markdown(markup: str) -> str:
    """Safe markup as DingTalk markdown: bold, italics, code and links kept, everything else inert."""
    parser = _Markdown()
    parser.feed(markup)
    parser.close()
    # Headings, quotes and list markers only mean something at a line's start, known once the text is whole.
    text = _LINE_START.sub(lambda m: m.group(1) + m.group(2).translate(_LINE_START_INERT), "".join(parser.out))
    # A single newline is not a break in DingTalk markdown; two trailing spaces make it one.
    return "  \n".join(text.split("\n"))


def markdown_title(text: str, limit: int = 30) -> str:
    """What the conversation list shows for a markdown message: its first line, without markup, cut short."""
    first = next((line for line in text.split("\n") if line.strip()), "Duban")
    plain = _TITLE_MARKS.sub("", first).strip() or "Duban"
    return plain if len(plain) <= limit else plain[: limit - 1] + ELLIPSIS


# ---- buttons -----------------------------------------------------------------------------------------------


def _command(data: str, refs: Mapping[int, str], lang: str) -> str | None:
    """What to type for a button, or None for a page (numbered) or a button that only closes a prompt."""
    route = route_callback(data)
    if route is None or route.name in PAGED.values() or route.name == "dismiss":
        return None
    arg = route.args
    if arg.startswith("@") and arg[1:].isdecimal():
        arg = refs.get(int(arg[1:]), arg)
    key = _PHRASES.get(route.name)
    return t(key, lang, ref=arg) if key else f"/{route.name} {arg}".strip()


def choices(rows: Sequence[Sequence[Button]], refs: Mapping[int, str], lang: str, *,
            first_number: int = 1) -> list[Choice]:
    """The buttons as choices; ``refs`` maps task ids to the ref users type (``11``, ``3/11``)."""
    out: list[Choice] = []
    for button in (b for row in rows for b in row):
        route = route_callback(button.data)
        if route is None or route.name == "dismiss" or _PAGE_NOW.match(button.label):
            continue  # nothing to close in a text chat; the page on screen is said in the text
        label = t(_PAGE_WORDS[button.label], lang) if button.label in _PAGE_WORDS else button.label
        command = _command(button.data, refs, lang)
        if command is not None:
            out.append(Choice(label, button.data, command=command))
        else:
            out.append(Choice(label, button.data, number=first_number + sum(c.number is not None for c in out)))
    return out


def message_text(markup: str, items: Sequence[Choice], lang: str) -> str:
    """A reply's text with its choices below it, as plain text."""
    body = plain_text(markup)
    if not items:
        return body
    lines = [t("dingtalk.choices", lang)]
    for item in items:
        if item.command is not None:
            lines.append(t("dingtalk.choice_command", lang, label=item.label, command=item.command))
        else:
            lines.append(t("dingtalk.choice_number", lang, label=item.label, n=item.number))
    return f"{body}\n\n" + "\n".join(lines) if body.strip() else "\n".join(lines)


def markdown_text(markup: str, items: Sequence[Choice], lang: str) -> str:
    """A group notice's text with its typed commands below it, as DingTalk markdown (numbers are private)."""
    lines = [t("dingtalk.choice_command", lang, label=md_escape(item.label), command=f"`{item.command}`")
             for item in items if item.command is not None]
    body = to_markdown(markup)
    # A code span shows each command literally: a token's "_" must stay what the user types.
    return body + "  \n  \n" + "  \n".join([t("dingtalk.choices", lang), *lines]) if lines else body
