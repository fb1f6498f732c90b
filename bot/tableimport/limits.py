"""Size guards: refuse oversized uploads and zip bombs before anything is decompressed into memory.

An Office file is a zip. Its central directory declares each member's sizes; a bomb declares huge sizes,
a huge compression ratio, or lies about them. We check the declarations first, then inflate every member
in small bounded steps (never more than it declared), verify its CRC, and let a scanner count rows and
cells on the way, so the real parser (calamine, python-docx) only ever sees bytes that fit the limits.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Protocol

from bot.tableimport.errors import ImportFailure
from bot.tableimport.model import ImportLimits, Problem

MAX_ZIP_MEMBERS = 2_000
MAX_RATIO = 100  # deflated XML rarely passes 30:1; a bomb is typically near 1000:1
RATIO_FLOOR = 1 << 20  # members under 1 MiB uncompressed cannot hurt, whatever their ratio
STEP_IN = 1 << 16
STEP_OUT = 1 << 20
MAX_TAG = 1 << 16


def member_cap(limits: ImportLimits) -> int:
    """The largest uncompressed size one zip member may declare."""
    return 12 * limits.max_bytes


def total_cap(limits: ImportLimits) -> int:
    """The largest uncompressed size all zip members together may declare."""
    return 20 * limits.max_bytes


def refuse(code: str, file: str, **params: object) -> ImportFailure:
    """An ImportFailure with a single problem about ``file``."""
    return ImportFailure((Problem(code, {"file": file, **params}),))


def check_size(data: bytes, file: str, limits: ImportLimits) -> None:
    """Refuse an empty upload or one over ``limits.max_bytes``."""
    if not data or not data.strip():
        raise refuse("import.empty_file", file)
    if len(data) > limits.max_bytes:
        raise refuse("import.too_large", file, size=_mib(len(data)), limit=_mib(limits.max_bytes))


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.2f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


class Scanner(Protocol):
    """Looks at a member's inflated bytes as they stream by; raises ImportFailure when a limit is passed."""

    def feed(self, chunk: bytes) -> None:
        """Take the next piece of the member."""

    def finish(self) -> None:
        """The member has ended."""


def open_checked_zip(
    data: bytes, file: str, limits: ImportLimits, scanner_for: Callable[[str], Scanner | None]
) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking every member's declared and real size, ratio and CRC."""
    entries = declared_entries(data)
    if entries is None:
        raise refuse("import.corrupt_zip", file)
    if entries > MAX_ZIP_MEMBERS:
        raise refuse("import.zip_bomb", file, reason=f"{entries} members")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error, UnicodeError):
        raise refuse("import.corrupt_zip", file) from None
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse("import.encrypted", file)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse("import.corrupt_zip", file)
        total += info.file_size
        ratio_bad = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if info.file_size > member_cap(limits) or ratio_bad or total > total_cap(limits):
            raise refuse("import.zip_bomb", file, reason=f"{info.filename}: {info.file_size} bytes")
    for info in infos:
        _verify_member(data, info, file, scanner_for(info.filename))
    return zf


def declared_entries(data: bytes) -> int | None:
    """How many members the zip's end record declares (None if there is no end record)."""
    # Read the count from the end-of-central-directory record before zipfile builds an object per entry.
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, at + 10)
    return count


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _verify_member(data: bytes, info: zipfile.ZipInfo, file: str, scanner: Scanner | None) -> None:
    offset = info.header_offset
    if offset < 0 or offset + 30 > len(data) or data[offset:offset + 4] != b"PK\x03\x04":
        raise refuse("import.corrupt_zip", file)
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise refuse("import.corrupt_zip", file)
    raw = memoryview(data)[start:end]
    produced = 0
    crc = 0
    tail = b""
    for chunk in _inflate(raw, info, file):
        produced += len(chunk)
        if produced > info.file_size:
            raise refuse("import.zip_bomb", file, reason=f"{info.filename}: more data than declared")
        crc = zlib.crc32(chunk, crc)
        # Office XML never carries a DTD; one here can only be an entity-expansion trick.
        if _DTD.search(tail + chunk[:16]) or _DTD.search(chunk):
            raise refuse("import.corrupt_zip", file)
        tail = chunk[-16:]
        if scanner is not None:
            scanner.feed(chunk)
    if produced != info.file_size or crc != info.CRC:
        raise refuse("import.corrupt_zip", file)
    if scanner is not None:
        scanner.finish()


def _inflate(raw: memoryview, info: zipfile.ZipInfo, file: str):  # type: ignore[no-untyped-def]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), STEP_OUT):
            yield bytes(raw[i:i + STEP_OUT])
        return
    inflater = zlib.decompressobj(-15)
    try:
        for i in range(0, len(raw), STEP_IN):
            pending = bytes(raw[i:i + STEP_IN])
            while pending:
                yield inflater.decompress(pending, STEP_OUT)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        rest = inflater.flush()
    except zlib.error:
        raise refuse("import.corrupt_zip", file) from None
    if rest:
        yield rest
    if not inflater.eof:
        raise refuse("import.corrupt_zip", file)


class _TagScanner:
    """Finds start tags in streamed XML without building a tree; a tag cut between chunks is carried over."""

    pattern: re.Pattern[bytes]

    def __init__(self, file: str) -> None:
        self.file = file
        self.carry = b""

    def _complete(self, chunk: bytes) -> bytes:
        """This chunk's complete tags, after the partial tag kept from the last; keeps a new trailing one."""
        buf = self.carry + chunk
        cut = buf.rfind(b"<")
        if cut >= 0 and buf.find(b">", cut) < 0:
            self.carry = buf[cut:]
            buf = buf[:cut]
            if len(self.carry) > MAX_TAG:
                raise refuse("import.corrupt_zip", self.file)
        else:
            self.carry = b""
        return buf

    def feed(self, chunk: bytes) -> None:
        """Scan the complete tags of this chunk and keep a trailing partial tag for the next one."""
        buf = self._complete(chunk)
        for match in self.pattern.finditer(buf):
            self.tag(match.group(1), match.group(2))

    def finish(self) -> None:
        """Nothing is left to check at the end of a member."""

    def tag(self, name: bytes, attrs: bytes) -> None:
        """Handle one start tag."""
        raise NotImplementedError


_CELL_REF = re.compile(rb'\br="([A-Za-z]{0,3})(\d*)"')
_DIM_REF = re.compile(rb'\bref="\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


class SheetScanner(_TagScanner):
    """Bounds a worksheet's extent: calamine allocates rows × columns of its used range, so both must fit.

    The common case (every row and cell carries its ``r`` reference) is checked per chunk with C-speed
    regex scans; a chunk holding a row or cell without a reference is walked tag by tag, by position.
    """

    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
    _cell_ref = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,9})"')
    _row_ref = re.compile(rb'<row r="(\d{1,9})"')
    _dimension = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension(?=[\s/>])([^>]*)>")
    _prefixed = (b":c ", b":c>", b":c/", b":row")

    def __init__(self, file: str, limits: ImportLimits) -> None:
        super().__init__(file)
        self.limits = limits
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0
        self.cells = 0
        self.in_data = False

    def feed(self, chunk: bytes) -> None:
        """Scan the complete tags of this chunk; quickly when every row and cell starts with its reference."""
        buf = self._complete(chunk)
        if not self.in_data:
            # The declared dimension comes before the cells (the schema fixes the order).
            for dim in self._dimension.finditer(buf):
                self.tag(b"dimension", dim.group(1))
            self.in_data = b"sheetData" in buf
        cells = buf.count(b"<c ") + buf.count(b"<c>") + buf.count(b"<c/")
        rows = buf.count(b"<row ") + buf.count(b"<row>") + buf.count(b"<row/")
        cell_refs = self._cell_ref.findall(buf) if cells else []
        row_refs = self._row_ref.findall(buf) if rows else []
        if len(cell_refs) != cells or len(row_refs) != rows or any(p in buf for p in self._prefixed):
            for match in self.pattern.finditer(buf):
                if match.group(1) != b"dimension":
                    self.tag(match.group(1), match.group(2))
            return
        if cell_refs:
            self.max_col = max(self.max_col, max(_col_index(c) for c in {ref[0] for ref in cell_refs}))
            self.max_row = max(self.max_row, max(int(ref[1]) for ref in cell_refs))
            self.col = _col_index(cell_refs[-1][0])
            self.row = int(cell_refs[-1][1])
        if row_refs:
            self.max_row = max(self.max_row, max(int(r) for r in row_refs))
            self.row = max(self.row, int(row_refs[-1]))
        self.cells += cells
        self._check(self.max_row, self.max_col, self.cells)

    def tag(self, name: bytes, attrs: bytes) -> None:
        """Track the row and column of each row and cell tag, and the declared dimension."""
        if name == b"c":
            ref = _CELL_REF.search(attrs)
            if ref and ref.group(1):
                self.col = _col_index(ref.group(1))
                if ref.group(2):
                    self.row = max(self.row, int(ref.group(2)))
            else:
                self.col += 1
            self.cells += 1
            self.max_col = max(self.max_col, self.col)
            self.max_row = max(self.max_row, self.row)
        elif name == b"row":
            ref = _CELL_REF.search(attrs)
            self.row = int(ref.group(2)) if ref and ref.group(2) and not ref.group(1) else self.row + 1
            self.col = 0
            self.max_row = max(self.max_row, self.row)
        else:
            dim = _DIM_REF.search(attrs)
            if dim and dim.group(3):
                rows = int(dim.group(4)) - int(dim.group(2)) + 1
                cols = _col_index(dim.group(3)) - _col_index(dim.group(1)) + 1
                self._check(rows, cols, 0)
            return
        self._check(self.max_row, self.max_col, self.cells)

    def _check(self, rows: int, cols: int, cells: int) -> None:
        limits = self.limits
        if rows > limits.max_rows:
            raise refuse("import.too_many_rows", self.file, rows=rows, limit=limits.max_rows)
        if rows * cols > limits.max_cells or cells > limits.max_cells:
            raise refuse("import.too_many_cells", self.file, cells=max(rows * cols, cells), limit=limits.max_cells)


class WordTableScanner(_TagScanner):
    """Counts table rows and cells in a Word part so python-docx never parses an oversized table."""

    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(tr|tc)(?=[\s/>])([^>]*)>")

    def __init__(self, file: str, limits: ImportLimits) -> None:
        super().__init__(file)
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def tag(self, name: bytes, attrs: bytes) -> None:
        """Count one row or cell tag."""
        if name == b"tr":
            self.rows += 1
            if self.rows > self.limits.max_rows:
                raise refuse("import.too_many_rows", self.file, rows=self.rows, limit=self.limits.max_rows)
        else:
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise refuse("import.too_many_cells", self.file, cells=self.cells, limit=self.limits.max_cells)
