"""A faster reader of page content streams for pdfminer, giving exactly what pdfminer's own reader gives.

Reading the 17 pages of the sample table (issue 8: at most 0.3 s) took 0.31 s, two thirds of it in
pdfminer's ``PDFContentParser``: a tokenizer walking a content stream through a state machine, one Python
call per token and per 4,096-byte buffer, then looking every operator's method up by building its name.
Here a stream's tokens are found by one regular expression, all at once, each distinct token made once
(strings with escapes or nested parentheses, and tokens left open at the end, read one by one); arrays and
dictionaries are built as pdfminer's ``PSStackParser`` builds them (an unclosed one swallowing what follows,
stray closers ignored, an odd dictionary refused); each operator's method is looked up once a page, and
takes its operands directly. The operators run are pdfminer's own, so what a page draws is unchanged.
Pages with inline images (``BI … ID <binary> EI``) go through pdfminer's reader: their data is not tokens.
So do pages whose content is split into streams inside a token (see ``page_tokens``).

Each glyph drawn is made straight into the dict the table reader uses (``GlyphAggregator``), where pdfminer
made an ``LTChar`` holding colours and graphic state and pdfplumber turned that into a dict of thirty keys.

Fonts are loaded by pdfminer reading their ToUnicode maps and Type 1 font headers with the same slow
tokenizer; ``pdfminer.pdffont`` is given subclasses of its two parsers that take their tokens from ``tokens``.

Together: the sample reads in about 0.13 s (warm, on the 2-CPU machine the bench ran on).
tests/tableimport/test_pdffast.py holds all of this to pdfminer's and pdfplumber's own results.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

import pdfminer.pdffont
from pdfminer import settings
from pdfminer.cmapdb import CMapBase, CMapParser
from pdfminer.converter import PDFPageAggregator
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined, Type1FontHeaderParser
from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
from pdfminer.psparser import (
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    ESC_STRING,
    LIT,
    PSEOF,
    PSBaseParser,
    PSKeyword,
    PSSyntaxError,
    keyword_name,
    literal_name,
)
from pdfminer.pdftypes import stream_value
from pdfminer.utils import Matrix

# One token a match (group 1, its text), after whitespace and comments (NUL is skipped as pdfminer skips it):
# a name (with #xx codes), a number, an operator word (or true, false), a hex string (its closing ">" is
# left, and read alone is nothing), a string without escapes or parentheses inside (any other string is a
# lone "(", read on by ``_string``), ``<<``, ``>>`` or any other byte (a one-byte keyword), the end.
_TOKEN = re.compile(
    rb"(?>(?:[\s\x00]+|%[^\r\n]*)*)"
    rb"(/(?:[^#/%\[\]()<>{}\s]+|#[0-9a-fA-F]{0,2})*"
    rb"|[-+0-9][0-9]*(?:\.[0-9]*)?|\.[0-9]*"
    rb"|[A-Za-z][^#/%\[\]()<>{}\s]*"
    rb"|<(?!<)[0-9a-fA-F\s]*"
    rb"|\([^()\\]*\)"
    rb"|<<|>>?|[^\s\x00%]"
    rb"|\Z)",
)
_LISTED_BYTES = 1 << 20  # data listed at once up to this size
_NUMBER_START = set(bytes([c]) for c in b"+-.0123456789")
_NOTHING = object()
_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{1,2})?")
_OPEN_ESCAPE = re.compile(rb"#[0-9a-fA-F]{0,2}\Z")
_STRING_STOP = re.compile(rb"[()\\]")
_OCTAL = re.compile(rb"[0-7]{1,3}")
_SPACE = re.compile(rb"\s")
_HEX_PAIR = re.compile(rb"[0-9a-fA-F]{2}|.", re.DOTALL)
_ESCAPES = {k[0]: bytes((v,)) for k, v in ESC_STRING.items()}
# Where pdfminer could read a BI operator (a superset: a false alarm only costs speed).
_INLINE_IMAGE = re.compile(rb"BI(?![^#/%\[\]()<>{}\s])")
_CLOSERS = {KEYWORD_ARRAY_END: "a", KEYWORD_DICT_END: "d", KEYWORD_PROC_END: "p"}
_OPENERS = {KEYWORD_ARRAY_BEGIN: "a", KEYWORD_DICT_BEGIN: "d", KEYWORD_PROC_BEGIN: "p"}
_TRUE, _FALSE, _ID = b"true", b"false", KWD(b"ID")
_UNSEEN = object()


class CutOff(Exception):
    """A stream ended inside a string or hex string (pdfminer would read on into the next stream)."""


def _name(raw: bytes) -> object:
    """A name token as pdfminer's ``LIT`` holds it: #xx escapes decoded (a bare # dropped), str when UTF-8."""
    if b"#" in raw:
        raw = _NAME_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)) if m.group(1) else b"", raw)
    try:
        return LIT(str(raw, "utf-8"))
    except UnicodeDecodeError:
        return LIT(raw)


def _hex(raw: bytes) -> bytes:
    """A hex string's bytes; as in pdfminer, a last odd digit stands for its own value (``<A>`` is 10)."""
    raw = _SPACE.sub(b"", raw)
    if len(raw) % 2 == 0:
        return bytes.fromhex(raw.decode("ascii"))
    return _HEX_PAIR.sub(lambda m: bytes((int(m.group(0), 16),)), raw)


def _string(data: bytes, start: int) -> tuple[bytes | None, int]:
    """The literal string opened just before ``start`` and where reading goes on; None when it never closes."""
    parts: list[bytes] = []
    depth = 1
    i = start
    end = len(data)
    while True:
        found = _STRING_STOP.search(data, i)
        if found is None:
            return None, end
        j = found.start()
        parts.append(data[i:j])
        c = data[j]
        i = j + 1
        if c == 0x5C:  # a backslash: octal, a known escape, an escaped line break, else the byte is dropped
            octal = _OCTAL.match(data, i)
            if octal is not None:
                code = int(octal.group(), 8)
                if code > 255:  # pdfminer refuses the stream (an assertion) rather than wrap the value
                    raise PSSyntaxError(f"Invalid octal {octal.group()!r} ({code})")
                parts.append(bytes((code,)))
                i = octal.end()
            elif i < end:
                escaped = _ESCAPES.get(data[i])
                if escaped is not None:
                    parts.append(escaped)
                elif data[i] == 0x0D and data[i + 1:i + 2] == b"\n" and (i + 1) % PSBaseParser.BUFSIZ:
                    i += 1  # (pdfminer keeps the \n when the \r ends one of its buffers)
                i += 1
        elif c == 0x28:
            depth += 1
            parts.append(b"(")
        else:
            depth -= 1
            if not depth:
                return b"".join(parts), i
            parts.append(b")")


def tokens(data: bytes, last: bool = True) -> Iterator[object]:
    """pdfminer's tokens of ``data``: numbers, bools, names, strings and keywords (``[``, ``<<`` … included).

    A string or hex string left open at the end is dropped, as pdfminer drops it at the end of a page's
    last stream; in an earlier stream (``last`` false) it raises ``CutOff``.
    """
    listed = _listed(data)
    return iter(listed) if listed is not None else _scanned(data, last)


def _listed(data: bytes) -> list[object] | None:
    """The tokens of ``data`` found all at once, each distinct one made once; None where ``_scanned`` must read.

    That is where a string has escapes or parentheses inside or is left open, or where the last token is a
    hex string (maybe left open) or a name with a #xx code (pdfminer drops it at the very end). Large data
    is scanned, not listed, to keep memory flat.
    """
    if len(data) > _LISTED_BYTES:
        return None
    found = _TOKEN.findall(data)  # the last is b"", the end
    made = {text: _made(text) for text in set(found)}
    final = found[-2] if len(found) > 1 else b""
    if b"(" in made or (final[:1] == b"<" and final[:2] != b"<<") or (final[:1] == b"/" and b"#" in final):
        return None
    return [token for token in map(made.__getitem__, found) if token is not _NOTHING]


def _made(text: bytes) -> object:
    """The token a match of ``_TOKEN`` stands for, or _NOTHING."""
    first = text[:1]
    if first == b"/":
        return _name(text[1:])
    if first in _NUMBER_START:
        try:
            return float(text) if b"." in text else int(text)
        except ValueError:
            return _NOTHING  # a lone sign or dot
    if first.isalpha():
        return True if text == _TRUE else False if text == _FALSE else KWD(text)
    if first == b"<" and text != b"<<":
        return _hex(text[1:])
    if first == b"(":
        return text[1:-1]
    if text in (b"", b">"):
        return _NOTHING
    return KWD(text)


def _scanned(data: bytes, last: bool) -> Iterator[object]:
    """``tokens`` one match at a time, reading on where a string needs ``_string``."""
    pos, end = 0, len(data)
    while True:
        for match in _TOKEN.finditer(data, pos):
            text = match.group(1)
            if text == b"(":
                value, pos = _string(data, match.end())
                if value is None:
                    _left_open(last)
                    return
                yield value
                break  # the string was read past the match: scan again from where it ended
            if match.end() == end:
                if text[:1] == b"<" and text != b"<<":  # a hex string nothing closes
                    _left_open(last)
                    return
                if text[:1] == b"/" and _OPEN_ESCAPE.search(text):
                    return  # pdfminer ends the data still reading the escape, and drops the name
            token = _made(text)
            if token is not _NOTHING:
                yield token
            if not text:
                return  # the end of the data
        else:
            return


def _left_open(last: bool) -> None:
    """A string runs to the end of a stream: pdfminer drops it after the last stream, else reads on."""
    if not last:
        raise CutOff


def operations(token_stream: Iterable[object]) -> Iterator[tuple[list, PSKeyword | None]]:
    """pdfminer's ``PDFContentParser.nextobject`` results grouped: each operator with the operands before it.

    Operands left at the end come with None. Arrays, dictionaries and procedures are built as pdfminer's
    ``PSStackParser`` builds them.
    """
    context: list[tuple[str | None, list]] = []
    kind: str | None = None
    stack: list = []  # the operands of the next operator, or the items of the innermost open array
    for token in token_stream:
        if type(token) is not PSKeyword:
            stack.append(token)
            continue
        opens = _OPENERS.get(token)
        if opens is not None:
            context.append((kind, stack))
            kind, stack = opens, []
            continue
        if token is _ID:
            continue  # pdfminer swallows an ID outside an inline image
        closes = _CLOSERS.get(token)
        if closes is None:
            if context:
                stack.append(token)
            else:
                yield stack, token
                stack = []
            continue
        if closes != kind:
            continue  # a closer that does not match: pdfminer ignores it
        built: object = stack
        if closes == "d":
            if len(stack) % 2:
                raise PSSyntaxError(f"Invalid dictionary construct: {stack!r}")
            built = {literal_name(k): v for k, v in zip(stack[::2], stack[1::2]) if v is not None}
        kind, stack = context.pop()
        stack.append(built)
    top = context[0][1] if context else stack
    if top:
        yield top, None


def page_tokens(streams: list[bytes]) -> Iterable[object] | None:
    """The tokens of a page's content streams read as one, or None where only pdfminer's reader reads the same.

    That is a page with an inline image, or one whose stream ends inside a token: pdfminer ends a number,
    name or word there, but reads a string or hex string on into the next stream, and joins an opening
    byte such as "/" or "<" to the next stream's. Earlier streams are read ahead to know; the last one is
    read as it runs.
    """
    if any(_INLINE_IMAGE.search(data) for data in streams):
        return None
    read: list[object] = []
    for data in streams[:-1]:
        if data and not data[-1:].isspace():
            return None
        try:
            read.extend(tokens(data, last=False))
        except CutOff:
            return None
    return itertools.chain(read, tokens(streams[-1])) if streams else read


class FastInterpreter(PDFPageInterpreter):
    """pdfminer's page interpreter reading its content streams with ``operations`` (some pages excepted)."""

    def execute(self, streams: Sequence[object]) -> None:
        """Run the operators of ``streams`` on the device, as pdfminer's ``execute`` does."""
        token_stream = self._tokens(streams)
        if token_stream is None:
            super().execute(streams)
            return
        operators: dict[PSKeyword, tuple | None] = {}
        for operands, keyword in operations(token_stream):
            operator = operators.get(keyword, _UNSEEN)
            if operator is _UNSEEN:
                operator = operators[keyword] = None if keyword is None else self._operator(keyword)
            if operator is None:
                self.argstack.extend(operands)
                if keyword is not None and settings.STRICT:
                    raise PDFInterpreterError(f"Unknown operator: {keyword_name(keyword)!r}")
                continue
            func, nargs = operator
            if not nargs:
                self.argstack.extend(operands)
                func()
            elif len(operands) == nargs and not self.argstack:
                func(*operands)  # pdfminer's stack holds just these, and pop(nargs) empties it
            else:
                self.argstack.extend(operands)
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)

    def _tokens(self, streams: Sequence[object]) -> Iterable[object] | None:
        """The tokens of the streams pdfminer would run (``page_tokens``), or None for pdfminer's reader."""
        valid = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            # pdfminer skips streams it cannot track and streams already running above (circular forms).
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                continue
            valid.append(stream.get_data())
            self.stream_ids.add(stream.objid)
        return page_tokens(valid)

    def _operator(self, keyword: PSKeyword) -> tuple | None:
        """The bound method for ``keyword`` and how many operands it takes, named as pdfminer names it."""
        name = keyword_name(keyword).replace("*", "_a").replace('"', "_w").replace("'", "_q")
        func = getattr(self, f"do_{name}", None)
        return None if func is None else (func, func.__code__.co_argcount - 1)


class _BufferTokens:
    """For a pdfminer parser reading one whole buffer from its start: its tokens from ``tokens``.

    The positions it reports are all 0: these parsers do not use them.
    """

    def _read_all(self, fp: BinaryIO) -> None:
        fp.seek(0)
        self._fast = ((0, token) for token in tokens(fp.read()))

    def nexttoken(self) -> tuple[int, object]:
        """The next token, as pdfminer's ``PSBaseParser.nexttoken`` gives it."""
        for found in self._fast:
            return found
        raise PSEOF("Unexpected EOF")


class FastCMapParser(_BufferTokens, CMapParser):
    """pdfminer's CMap parser (ToUnicode maps, embedded encodings) on ``tokens``."""

    def __init__(self, cmap: CMapBase, fp: BinaryIO) -> None:
        super().__init__(cmap, fp)
        self._read_all(fp)


class FastType1FontHeaderParser(_BufferTokens, Type1FontHeaderParser):
    """pdfminer's reader of the encoding in a Type 1 font's clear-text header, on ``tokens``."""

    def __init__(self, data: BinaryIO) -> None:
        super().__init__(data)
        self._read_all(data)


# pdfminer.pdffont makes these parsers by name when it loads a font.
pdfminer.pdffont.CMapParser = FastCMapParser  # type: ignore[misc]
pdfminer.pdffont.Type1FontHeaderParser = FastType1FontHeaderParser  # type: ignore[misc]


class GlyphAggregator(PDFPageAggregator):
    """pdfminer's layout device drawing each glyph straight as the dict the table reader uses.

    pdfminer makes an ``LTChar`` of every glyph (colour, colour space and graphic state kept) that pdfplumber
    then turns into a dict of some thirty keys; here the keys the reader uses are computed as ``LTChar`` and
    pdfplumber's ``Page.process_object`` compute them, in one step, and the dict is what the page holds.
    """

    def __init__(self, rsrcmgr, page_number: int, mediabox, height: float,  # type: ignore[no-untyped-def]
                 doctop: float) -> None:
        super().__init__(rsrcmgr, pageno=page_number, laparams=None)  # no layout analysis: nothing here asks for it
        self.page_number = page_number
        self.x_shift, self.y_shift = mediabox[0], mediabox[1]
        self.page_height = height
        self.doctop = doctop

    def render_char(self, matrix: Matrix, font: PDFFont, fontsize: float, scaling: float, rise: float, cid: int,
                    ncs: object, graphicstate: object) -> float:
        """Draw one glyph as a dict; its advance, as pdfminer returns it."""
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        # The geometry of LTChar.__init__, operation for operation (the same floats come out).
        adv = font.char_width(cid) * fontsize * scaling
        vertical = font.is_vertical()
        if vertical:
            vx, vy = font.char_disp(cid)  # type: ignore[misc]
            vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
            vy = (1000 - vy) * fontsize * 0.001
            bbox = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
        else:
            descent = font.get_descent() * fontsize
            bbox = (0, descent + rise, adv, descent + rise + fontsize)
        a, b, c, d, e, f = matrix
        # apply_matrix_rect, inline: the four corners through the matrix, then their bounds.
        left, bottom, right, up = bbox
        left1, bottom1 = a * left + c * bottom + e, b * left + d * bottom + f
        right1, bottom2 = a * right + c * bottom + e, b * right + d * bottom + f
        right2, top1 = a * right + c * up + e, b * right + d * up + f
        left2, top2 = a * left + c * up + e, b * left + d * up + f
        x0, y0 = min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2)
        x1, y1 = max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2)
        width, height = x1 - x0, y1 - y0
        top = self.page_height - y1 + self.y_shift
        self.cur_item._objs.append({
            "object_type": "char", "page_number": self.page_number, "text": text, "fontname": font.fontname,
            "size": width if vertical else height, "adv": adv, "upright": a * d * scaling > 0 and b * c <= 0,
            "matrix": matrix, "width": width, "height": height, "x0": x0 + self.x_shift, "x1": x1 + self.x_shift,
            "y0": y0, "y1": y1, "top": top, "bottom": self.page_height - y0 + self.y_shift,
            "doctop": self.doctop + top,
        })
        return adv
