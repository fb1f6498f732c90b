"""Legacy Excel workbooks (.xls, BIFF8) through calamine, after their cell records have been bounded."""

from __future__ import annotations

import struct
from collections.abc import Iterator

from bot.tableimport.grid import Grid
from bot.tableimport.limits import refuse
from bot.tableimport.model import ImportLimits
from bot.tableimport.ole import workbook_stream
from bot.tableimport.readers.xlsx import book_grids

BOF, EOF, FILEPASS = 0x0809, 0x000A, 0x002F
# Cell records start with (row, column); calamine allocates each sheet's used range from them.
CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x0205, 0x00D6}
MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: (row, first column, …, last column)


def read_xls(data: bytes, file: str, limits: ImportLimits) -> Iterator[Grid]:
    """Each visible worksheet of an .xls as a Grid, like read_xlsx; encrypted or oversized books are refused."""
    check_biff(workbook_stream(data, file), file, limits)
    return book_grids(data, file, limits, damaged="import.corrupt_file")


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
