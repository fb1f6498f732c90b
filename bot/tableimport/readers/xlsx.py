"""Excel workbooks through calamine (fast, exposes merged ranges), after the zip guard has bounded them.

``book_grids`` is shared with the legacy .xls reader, which has its own guard.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import python_calamine

from bot.tableimport.errors import must_propagate
from bot.tableimport.grid import Grid, GridRow, fill_down
from bot.tableimport.limits import SheetScanner, open_checked_zip, refuse
from bot.tableimport.model import ImportLimits

MAX_SHEETS = 64


def read_xlsx(data: bytes, file: str, limits: ImportLimits) -> Iterator[Grid]:
    """Each visible worksheet as a Grid, in workbook order; rows are numbered as Excel shows them."""
    open_checked_zip(
        data, file, limits, lambda name: SheetScanner(file, limits) if name.lower().endswith(".xml") else None
    )
    return book_grids(data, file, limits)


def book_grids(data: bytes, file: str, limits: ImportLimits, damaged: str = "import.unreadable") -> Iterator[Grid]:
    """Each visible sheet of a workbook calamine reads (xlsx or xls) as a Grid; call only after a size guard.

    ``damaged`` is the problem reported when calamine cannot read the book or a sheet.
    """
    try:
        book = python_calamine.load_workbook(io.BytesIO(data))
        names = [m.name for m in book.sheets_metadata if _visible(m)] or list(book.sheet_names)
    except BaseException as exc:  # calamine panics arrive as BaseException
        if must_propagate(exc):
            raise
        raise refuse(damaged, file, detail=type(exc).__name__) from None
    for name in names[:MAX_SHEETS]:
        yield _sheet(book, name, file, limits, damaged)


def _visible(meta: object) -> bool:
    visible = str(getattr(meta, "visible", "Visible"))
    kind = str(getattr(meta, "typ", "WorkSheet"))
    return visible.endswith("Visible") and kind.endswith("WorkSheet")


def _sheet(book: python_calamine.CalamineWorkbook, name: str, file: str, limits: ImportLimits, damaged: str) -> Grid:
    try:
        sheet = book.get_sheet_by_name(name)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except BaseException as exc:
        if must_propagate(exc):
            raise
        raise refuse(damaged, file, detail=type(exc).__name__) from None
    rows = [[_text(v) for v in row] for row in values]
    ranges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged]
    spanned: list[set[int]] = [set() for _ in rows]
    if fill_down(rows, ranges, limits.max_cells, spanned) < 0:
        raise refuse("import.too_many_cells", file, cells=limits.max_cells + 1, limit=limits.max_cells)
    return Grid(rows=[GridRow(i + 1, cells, frozenset(spanned[i])) for i, cells in enumerate(rows)], name=name)


def _text(value: object) -> str:
    if isinstance(value, str):
        # Excel escapes a carriage return inside a cell as _x000D_; calamine leaves it.
        return value.replace("_x000D_", "") if "_x" in value else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)
