"""Duban's safe markup made fit for DingTalk: plain text for texts, DingTalk markdown for groups and robots.

``Reply.text`` is a small HTML subset (``<b> <i> <code> <a href>``, everything else escaped). DingTalk robot
texts are plain; DingTalk markdown knows headings, ``**bold**``, ``*italics*``, ``[text](url)``, quotes and
lists, and has no escape character that every client honours, so table and user text has the characters that
would start markup swapped for their full-width twins. A DingTalk app robot has no buttons that call back, so
buttons become lines telling the user what to type (the text-chat choices WeCom uses, one table for both).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

from bot.channels.wecom.render import (  # the text-chat rendering of buttons is shared with WeCom
    Choice,
    choices,
    message_text,
    split_utf8,
    task_ids,
    truncate_utf8,
)
from bot.texts import t

__all__ = ["Choice", "choices", "markdown_text", "markdown_title", "md_escape", "message_text", "split_utf8",
           "task_ids", "to_markdown", "truncate_utf8"]

_INERT = str.maketrans({"*": "＊", "_": "＿", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞", "~": "～",
                        "|": "｜"})
_LINE_START = re.compile(r"^(\s*)(#|>|[+-](?=\s)|\d+\.(?=\s))", re.M)
_TITLE_MARKS = re.compile(r"[*#>`\[\]]")


def md_escape(text: str) -> str:
    """Table and user text made inert in DingTalk markdown (markup characters swapped for full-width twins)."""
    return text.translate(_INERT)


class _Markdown(HTMLParser):
    """Walks the safe markup once, writing DingTalk markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: str | None = None
        self.link: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.href, self.link = dict(attrs).get("href") or "", []
        else:
            self.out.append({"b": "**", "i": "*", "code": "`"}.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            text, href = md_escape("".join(self.link)), self.href
            self.href = None
            self.out.append(f"[{text}]({quote(href, safe=':/?#&=%+@;,.~-_')})" if href else text)
        else:
            self.out.append({"b": "**", "i": "*", "code": "`"}.get(tag, ""))

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.link.append(data)  # escaped with the whole link text when the link closes
        else:
            self.out.append(md_escape(data))


def _inert_line_starts(text: str) -> str:
    # Headings, quotes and list markers only mean something at a line's start, known once the text is whole.
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2).translate({ord("#"): "＃", ord(">"): "＞",
                                                                       ord("-"): "－", ord("+"): "＋",
                                                                       ord("."): "．"}), text)


def to_markdown(markup: str) -> str:
    """Safe markup as DingTalk markdown: bold, italics, code and links kept, everything else inert."""
    parser = _Markdown()
    parser.feed(markup)
    parser.close()
    lines = _inert_line_starts("".join(parser.out)).split("\n")
    # A single newline is not a break in DingTalk markdown; two trailing spaces make it one.
    return "  \n".join(lines)


def markdown_title(text: str, limit: int = 30) -> str:
    """What the conversation list shows for a markdown message: its first line, without markup, cut short."""
    first = next((line for line in text.split("\n") if line.strip()), "Duban")
    plain = _TITLE_MARKS.sub("", first).strip() or "Duban"
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def markdown_text(markup: str, items: list[Choice], lang: str) -> str:
    """A notice's text with its typed commands below it, as DingTalk markdown."""
    body = to_markdown(markup)
    lines = [t("wecom.choices", lang)]
    for item in items:
        if item.command is not None:
            # A code span shows the command literally (a token's "_" must stay what the user types).
            lines.append(t("wecom.choice_command", lang, label=md_escape(item.label), command=f"`{item.command}`"))
    if len(lines) == 1:
        return body
    return body + "  \n  \n" + "  \n".join(lines)
