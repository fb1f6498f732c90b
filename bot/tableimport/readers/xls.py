"""Legacy Excel workbooks (.xls, BIFF8) through calamine, after their cell records have been bounded.

Calamine gives raw values only, so the number formats come from the FORMAT and XF records and each number
cell's XF index, as for .xlsx.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from bot.tableimport.grid import Grid
from bot.tableimport.limits import refuse
from bot.tableimport.model import ImportLimits
from bot.tableimport.ole import workbook_stream
from bot.tableimport.readers.numfmt import builtin_format, is_plain
from bot.tableimport.readers.xlsx import CellFormats, book_grids

BOF, EOF, FILEPASS = 0x0809, 0x000A, 0x002F
# Cell records start with (row, column); calamine allocates each sheet's used range from them.
CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x0205, 0x00D6}
MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: (row, first column, …, last column)
FORMAT, XF, BOUNDSHEET, DATEMODE = 0x041E, 0x00E0, 0x0085, 0x0022
NUMBER, RK, FORMULA, MULRK = 0x0203, 0x027E, 0x0006, 0x00BD  # number cells: (row, column, XF index, …)
BIFF8 = 0x0600


def read_xls(data: bytes, file: str, limits: ImportLimits) -> Iterator[Grid]:
    """Each visible worksheet of an .xls as a Grid, like read_xlsx; encrypted or oversized books are refused."""
    stream = workbook_stream(data, file)
    check_biff(stream, file, limits)
    formats, date1904 = _xls_formats(stream)
    return book_grids(data, file, limits, damaged="import.corrupt_file", formats=formats, date1904=date1904)


def check_biff(stream: bytes, file: str, limits: ImportLimits) -> None:
    """Walk the record headers: refuse a password (FILEPASS) and sheets whose extent passes the limits."""
    pos, rows, cols, cells = 0, 0, 0, 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + size
        if pos > len(stream):
            raise refuse("import.corrupt_file", file)
        if kind == FILEPASS:
            raise refuse("import.encrypted", file)
        if kind == BOF:
            rows, cols = 0, 0
        elif (kind in CELLS or kind in MULTI) and size >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            if kind in MULTI and size >= 6:
                col = struct.unpack_from("<H", stream, body + size - 2)[0]
            rows, cols, cells = max(rows, row + 1), max(cols, col + 1), cells + 1
            _check(rows, cols, cells, file, limits)


def _check(rows: int, cols: int, cells: int, file: str, limits: ImportLimits) -> None:
    if rows > limits.max_rows:
        raise refuse("import.too_many_rows", file, rows=rows, limit=limits.max_rows)
    if rows * cols > limits.max_cells or cells > limits.max_cells:
        raise refuse("import.too_many_cells", file, cells=max(rows * cols, cells), limit=limits.max_cells)


def _xls_formats(stream: bytes) -> tuple[Callable[[str], CellFormats] | None, bool]:
    """Each sheet's number cells whose format is not General, by sheet name, and whether dates count from 1904.

    One walk over the records (check_biff has bounded them): the workbook globals come first, so the formats
    are known before any cell. A BIFF5 or older book keeps calamine's values.
    """
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    sheets: dict[int, str] = {}  # where a sheet's BOF is -> its name
    cells: dict[int, CellFormats] = {}
    codes: dict[int, str] | None = None
    date1904, pos, sheet = False, 0, -1
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body, at = stream[pos + 4:pos + 4 + size], pos
        pos += 4 + size
        if kind == BOF:
            if sheet < 0 and (size < 2 or struct.unpack_from("<H", body)[0] != BIFF8):
                return None, False
            sheet = at
        elif codes is None:
            if kind == FORMAT and size >= 5:
                custom[struct.unpack_from("<H", body)[0]] = _unicode(body, 2, 2)
            elif kind == XF and size >= 4:
                xf_formats.append(struct.unpack_from("<H", body, 2)[0])
            elif kind == BOUNDSHEET and size >= 8:
                sheets[struct.unpack_from("<I", body)[0]] = _unicode(body, 6, 1)
            elif kind == DATEMODE and size >= 2:
                date1904 = struct.unpack_from("<H", body)[0] == 1
            elif kind == EOF:
                codes = _codes(xf_formats, custom)
                if not codes:
                    return None, date1904
        elif kind in (NUMBER, RK, FORMULA) and size >= 6:
            row, col, xf = struct.unpack_from("<HHH", body)
            if xf in codes and not (kind == FORMULA and size >= 14 and body[12:14] == b"\xff\xff"):
                cells.setdefault(sheet, {})[row, col] = codes[xf]  # a formula's 0xFFFF result is no number
        elif kind == MULRK and size >= 6:
            row, first = struct.unpack_from("<HH", body)
            for n in range((size - 6) // 6):
                xf = struct.unpack_from("<H", body, 4 + 6 * n)[0]
                if xf in codes:
                    cells.setdefault(sheet, {})[row, first + n] = codes[xf]
    by_name = {name: cells.get(at, {}) for at, name in sheets.items()}
    return (lambda name: by_name.get(name, {})), date1904


def _codes(xf_formats: list[int], custom: dict[int, str]) -> dict[int, str]:
    """XF index -> format code, for the XFs whose format is not General or text."""
    codes = {i: custom.get(f) or builtin_format(f) for i, f in enumerate(xf_formats)}
    return {i: code for i, code in codes.items() if not is_plain(code)}


def _unicode(body: bytes, at: int, length_bytes: int) -> str:
    """A BIFF8 string: its length (1 or 2 bytes), a flags byte, then Latin-1 or UTF-16 characters."""
    if len(body) < at + length_bytes + 1:
        return ""
    count = body[at] if length_bytes == 1 else struct.unpack_from("<H", body, at)[0]
    flags = body[at + length_bytes]
    start = at + length_bytes + 1 + (2 if flags & 0x08 else 0) + (4 if flags & 0x04 else 0)
    if flags & 0x01:
        return body[start:start + 2 * count].decode("utf-16-le", "replace")
    return body[start:start + count].decode("latin-1")
