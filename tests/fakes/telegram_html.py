"""Telegram's HTML parse mode, re-implemented after tdlib's ``parse_html`` for the fake Bot API."""

from __future__ import annotations

from typing import Any

# Tags tdlib accepts; anything else is refused with "Unsupported start tag".
ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span", "pre",
     "code", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "code": "code",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """Bad markup; ``str(err)`` is the part after "Bad Request: can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _decode_entity(src: str, i: int) -> tuple[str | None, int]:
    """Decode ``&lt;``-style or numeric references at ``src[i]``; (None, i) when it is none."""
    j = i + 1
    if j < len(src) and src[j] == "#":
        j += 1
        hexa = j < len(src) and src[j] in "xX"
        if hexa:
            j += 1
        start = j
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while j < len(src) and src[j] in digits:
            j += 1
        if j == start:
            return None, i
        code = int(src[start:j], 16 if hexa else 10)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        char = chr(code)
    else:
        start = j
        while j < len(src) and src[j].isascii() and src[j].isalpha():
            j += 1
        char = _NAMED_ENTITIES.get(src[start:j])
        if char is None:
            return None, i
    if j < len(src) and src[j] == ";":
        j += 1
    return char, j


def _read_attributes(src: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to and including ``>``; returns them and the index after ``>``."""
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] == ">":
            return attrs, i + 1
        name_start = i
        while i < n and not src[i].isspace() and src[i] not in "=>":
            i += 1
        name = src[name_start:i].lower()
        while i < n and src[i].isspace():
            i += 1
        if i >= n or src[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(src, begin)}"
            )
        i += 1
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        value: list[str] = []
        if src[i] in "'\"":
            quote = src[i]
            i += 1
            while i < n and src[i] != quote:
                char, j = _decode_entity(src, i) if src[i] == "&" else (None, i)
                value.append(char if char is not None else src[i])
                i = j if char is not None else i + 1
            i += 1
        else:
            while i < n and (src[i].isalnum() or src[i] in ".-"):
                value.append(src[i])
                i += 1
        attrs[name] = "".join(value)


def _make_entity(tag: str, attrs: dict[str, str], offset: int, length: int) -> dict[str, Any] | None:
    """The MessageEntity a closed tag yields, or None when Telegram would keep none."""
    if length <= 0:
        return None
    entity: dict[str, Any] = {"offset": offset, "length": length}
    if tag == "a":
        if not attrs.get("href"):
            return None
        entity.update(type="text_link", url=attrs["href"])
    elif tag == "pre":
        entity["type"] = "pre"
        if attrs.get("language"):
            entity["language"] = attrs["language"]
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            return None
        entity.update(type="custom_emoji", custom_emoji_id=attrs["emoji-id"])
    else:
        entity["type"] = _SIMPLE_TYPES[tag]
    return entity


def parse_html(src: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Turn HTML-formatted text into (plain text, entities) or raise EntityParseError.

    tdlib keeps a bare ``&`` literally although the Bot API documents it as reserved; with
    ``strict_ampersand`` (the default) the fake refuses it, so unescaped text fails in tests.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, dict[str, str], int]] = []  # (tag, attributes, UTF-16 start)
    pos16 = 0
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "&":
            char, j = _decode_entity(src, i)
            if char is not None:
                out.append(char)
                pos16 += utf16_len(char)
                i = j
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" is reserved and must be escaped as "&amp;" at byte offset {_byte_offset(src, i)}'
                )
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            name_start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            end_name = src[name_start:i].lower()
            while i < n and src[i].isspace():
                i += 1
            if i >= n or src[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            i += 1
            tag, attrs, start16 = stack.pop()
            if end_name and end_name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(src, begin)}, expected "</{tag}>", '
                    f'found "</{end_name}>"'
                )
            if tag == "code" and stack and stack[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity carrying the language.
                lang = attrs.get("class", "")
                if lang.startswith("language-"):
                    stack[-1][1]["language"] = lang[len("language-"):]
                continue
            entity = _make_entity(tag, attrs, start16, pos16 - start16)
            if entity:
                entities.append(entity)
            continue
        name_start = i
        while i < n and not src[i].isspace() and src[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        tag = src[name_start:i].lower()
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(src, begin)}')
        attrs, i = _read_attributes(src, i, tag, begin)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}')
        stack.append((tag, attrs, pos16))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping entities to match."""
    stripped = text.strip()
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
