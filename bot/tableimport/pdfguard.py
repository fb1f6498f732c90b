"""Bounds on reading a PDF: decompressed bytes, pages, objects drawn per page and time, checked as pdfminer works.

pdfminer inflates a stream in one ``zlib.decompress`` call when it is first used (cross-reference streams
while the file is opened, object streams, page contents, fonts), and draws every glyph of a page into
memory. A PDF under the upload limit can ask for gigabytes either way. So pdfminer's decoders are routed
through bounded ones, and pages are laid out by a device that counts what it draws; both check the budget
of the read in progress (a context variable: concurrent reads in threads each have their own).
"""

from __future__ import annotations

import io
import logging
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pdfminer.cmapdb
import pdfminer.converter
import pdfminer.pdfdocument
import pdfminer.pdffont
import pdfminer.pdfinterp
import pdfminer.pdfpage
import pdfminer.psparser
import pdfminer.pdftypes
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.lzw import LZWDecoder
from pdfminer.runlength import rldecode
from pdfplumber.page import Page

from bot.tableimport.limits import refuse
from bot.tableimport.pdffast import FastInterpreter, GlyphAggregator

MAX_PAGES = 200
STREAM_BYTES = 32 << 20  # one decompressed stream
TOTAL_BYTES = 96 << 20  # all streams of one file (pdfminer keeps them)
SALVAGE_BYTES = 1 << 20  # pdfminer's byte-by-byte salvage of a damaged stream is quadratic: keep it small
PAGE_CONTENT_BYTES = 4 << 20  # a page's content streams, before they are interpreted
PAGE_OBJECTS = 30_000  # glyphs, lines, rectangles and images drawn on one page (a dense page has ~3,000)
SECONDS = 30.0
_CHUNK = 1 << 20


@dataclass
class Budget:
    """What is left for the PDF being read; ``spend`` refuses the file once a bound is passed."""

    file: str
    left: int = TOTAL_BYTES
    deadline: float = field(default_factory=lambda: time.monotonic() + SECONDS)

    def spend(self, produced: int, cap: int = STREAM_BYTES) -> None:
        """Count ``produced`` decompressed bytes of a stream whose own total may not pass ``cap``."""
        if produced > cap or produced > self.left:
            raise refuse("import.pdf_bomb", self.file)

    def take(self, size: int) -> None:
        """Charge a finished stream of ``size`` bytes to the file's total."""
        self.left -= size
        self.spend(0)

    def tick(self) -> None:
        """Refuse the file once the read has taken too long."""
        if time.monotonic() > self.deadline:
            raise refuse("import.pdf_bomb", self.file)


_CURRENT: ContextVar[Budget | None] = ContextVar("pdf_budget", default=None)


def _budget() -> Budget:
    current = _CURRENT.get()
    return current if current is not None else Budget("PDF")


@contextmanager
def budget(file: str) -> Iterator[Budget]:
    """Bound every decompression and page layout done while the block runs."""
    token = _CURRENT.set(Budget(file))
    try:
        yield _CURRENT.get()  # type: ignore[misc]
    finally:
        _CURRENT.reset(token)


def _inflate(data: bytes, cap: int = STREAM_BYTES) -> bytes:
    spent = _budget()
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    produced = 0
    pending = data
    try:
        while pending:
            chunk = inflater.decompress(pending, _CHUNK)
            produced += len(chunk)
            spent.spend(produced, cap)
            parts.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        if not parts:
            raise
        # A bad checksum at the end: keep what was inflated, as pdfminer's own salvage would.
    out = b"".join(parts)
    spent.take(len(out))
    return out


class _SalvageInflater:
    """pdfminer feeds a damaged stream one byte at a time; the output is capped small."""

    def __init__(self) -> None:
        self.inner = zlib.decompressobj()
        self.produced = 0

    def decompress(self, data: bytes) -> bytes:
        """Inflate the next bytes, within the salvage cap."""
        out = self.inner.decompress(data)
        self.produced += len(out)
        _budget().spend(self.produced, SALVAGE_BYTES)
        return out


class _BoundedZlib:
    """The part of ``zlib`` pdfminer.pdftypes uses, with every output bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        """Inflate one stream within the budget."""
        return _inflate(data)

    @staticmethod
    def decompressobj() -> _SalvageInflater:
        """An inflater for pdfminer's salvage path."""
        return _SalvageInflater()


def _lzw(data: bytes) -> bytes:
    spent = _budget()
    parts: list[bytes] = []
    produced = 0
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        produced += len(chunk)
        spent.spend(produced)
        parts.append(chunk)
    spent.take(produced)
    return b"".join(parts)


def _runlength(data: bytes) -> bytes:
    _budget().spend(len(data) * 64)  # a run of 128 bytes from 2: refuse what could outgrow the cap
    out = rldecode(data)
    _budget().take(len(out))
    return out


def _quiet(*_args: object, **_kwargs: object) -> None:
    """Nothing: stands in for the debug logging of pdfminer's parsers."""


# A damaged upload makes pdfminer log a warning per bad operator: thousands of lines for one refusal.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
# And its parsers call log.debug for every token (180,000 calls for a 17-page table, a twentieth of the read),
# each only to find debug logging off.
for _module in (pdfminer.psparser, pdfminer.pdfinterp, pdfminer.pdfdocument, pdfminer.pdfpage, pdfminer.pdffont,
                pdfminer.cmapdb, pdfminer.converter):
    _module.log.debug = _quiet  # type: ignore[method-assign]
pdfminer.pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]
pdfminer.pdftypes.lzwdecode = _lzw
pdfminer.pdftypes.rldecode = _runlength


class _CountingDevice(GlyphAggregator):
    """The layout device (glyphs as dicts, no marked-content tags), refusing a page drawing over PAGE_OBJECTS things."""

    drawn = 0

    def _count(self) -> None:
        self.drawn += 1
        if self.drawn > PAGE_OBJECTS:
            raise refuse("import.pdf_bomb", _budget().file)
        if self.drawn % 1000 == 0:
            _budget().tick()

    def render_char(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Count a glyph, then draw it."""
        self._count()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Count a path, then draw it."""
        self._count()
        return super().paint_path(*args, **kwargs)

    def render_image(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Count an image, then place it (its data is never decoded)."""
        self._count()
        return super().render_image(*args, **kwargs)


class GuardedPage(Page):
    """A pdfplumber page whose content size is checked before, and whose drawing is counted during, layout."""

    @property
    def layout(self):  # type: ignore[no-untyped-def]
        """The page laid out by the counting device and pdffast's interpreter (cached like pdfplumber's own)."""
        if hasattr(self, "_layout"):
            return self._layout
        spent = _budget()
        spent.tick()
        size = 0
        for ref in self.page_obj.contents:
            stream = resolve1(ref)
            size += len(stream.get_data()) if isinstance(stream, PDFStream) else 0
        if size > PAGE_CONTENT_BYTES:
            raise refuse("import.pdf_bomb", spent.file)
        device = _CountingDevice(self.pdf.rsrcmgr, self.page_number, self.mediabox, self.height, self.initial_doctop)
        FastInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
        self._layout = device.get_result()
        return self._layout

    def process_object(self, obj):  # type: ignore[no-untyped-def]
        """A glyph is already the dict the reader uses (see GlyphAggregator); anything else as pdfplumber makes it."""
        return obj if type(obj) is dict else super().process_object(obj)
