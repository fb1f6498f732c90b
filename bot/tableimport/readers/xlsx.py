"""Excel workbooks through calamine (fast, exposes merged ranges), after the zip guard has bounded them.

``book_grids`` is shared with the legacy .xls reader, which has its own guard. Calamine gives raw values only,
so the number formats come from xl/styles.xml and the s="…" of the cells that use a non-General one; those
cells are shown as Excel shows them (numfmt.py).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from xml.etree.ElementTree import Element, ParseError

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.tableimport.errors import must_propagate
from bot.tableimport.grid import Grid, GridRow, fill_down
from bot.tableimport.limits import SheetScanner, open_checked_zip, refuse
from bot.tableimport.model import ImportLimits
from bot.tableimport.readers.numfmt import builtin_format, display, general, is_plain

MAX_SHEETS = 64

# (row, column) from 0 -> format code, for the cells of one sheet whose format is not General.
CellFormats = dict[tuple[int, int], str]


def read_xlsx(data: bytes, file: str, limits: ImportLimits) -> Iterator[Grid]:
    """Each visible worksheet as a Grid, in workbook order; rows are numbered as Excel shows them."""
    zf = open_checked_zip(
        data, file, limits, lambda name: SheetScanner(file, limits) if name.lower().endswith(".xml") else None
    )
    formats, date1904 = _xlsx_formats(zf)
    return book_grids(data, file, limits, formats=formats, date1904=date1904)


def book_grids(
    data: bytes,
    file: str,
    limits: ImportLimits,
    damaged: str = "import.unreadable",
    formats: Callable[[str], CellFormats] | None = None,
    date1904: bool = False,
) -> Iterator[Grid]:
    """Each visible sheet of a workbook calamine reads (xlsx or xls) as a Grid; call only after a size guard.

    ``damaged`` is the problem reported when calamine cannot read the book or a sheet; ``formats`` gives a
    sheet's non-General cell formats by sheet name, so those cells read as Excel shows them.
    """
    try:
        book = python_calamine.load_workbook(io.BytesIO(data))
        names = [m.name for m in book.sheets_metadata if _visible(m)] or list(book.sheet_names)
    except BaseException as exc:  # calamine panics arrive as BaseException
        if must_propagate(exc):
            raise
        raise refuse(damaged, file, detail=type(exc).__name__) from None
    for name in names[:MAX_SHEETS]:
        yield _sheet(book, name, file, limits, damaged, formats(name) if formats else {}, date1904)


def _visible(meta: object) -> bool:
    visible = str(getattr(meta, "visible", "Visible"))
    kind = str(getattr(meta, "typ", "WorkSheet"))
    return visible.endswith("Visible") and kind.endswith("WorkSheet")


def _sheet(
    book: python_calamine.CalamineWorkbook,
    name: str,
    file: str,
    limits: ImportLimits,
    damaged: str,
    formats: CellFormats,
    date1904: bool,
) -> Grid:
    try:
        sheet = book.get_sheet_by_name(name)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except BaseException as exc:
        if must_propagate(exc):
            raise
        raise refuse(damaged, file, detail=type(exc).__name__) from None
    rows = [[_text(v) for v in row] for row in values]
    _show_formatted(rows, values, formats, date1904)
    ranges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged]
    spanned: list[set[int]] = [set() for _ in rows]
    if fill_down(rows, ranges, limits.max_cells, spanned) < 0:
        raise refuse("import.too_many_cells", file, cells=limits.max_cells + 1, limit=limits.max_cells)
    return Grid(rows=[GridRow(i + 1, cells, frozenset(spanned[i])) for i, cells in enumerate(rows)], name=name)


def _show_formatted(rows: list[list[str]], values: list[list[object]], formats: CellFormats, date1904: bool) -> None:
    """Put each formatted cell's text as Excel shows it; a column of dates repeats few values, so each is shown once."""
    shown: dict[tuple[str, type, object], str | None] = {}
    for (r, c), code in formats.items():
        if r < len(rows) and c < len(rows[r]):
            value = values[r][c]
            key = (code, type(value), value)
            text = shown[key] if key in shown else shown.setdefault(key, display(value, code, date1904))
            if text is not None:
                rows[r][c] = text


def _text(value: object) -> str:
    if isinstance(value, str):
        # Excel escapes a carriage return inside a cell as _x000D_; calamine leaves it.
        return value.replace("_x000D_", "") if "_x" in value else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return general(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WANTED = rb'<c r="([A-Z]{1,3})(\d{1,9})"[^>]*?\ss="(%s)"[^>]*>'
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\br="([A-Za-z]{0,3})(\d*)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_NOT_NUMBERS = {b"s", b"str", b"inlineStr", b"b", b"e"}


def _xlsx_formats(zf: zipfile.ZipFile) -> tuple[Callable[[str], CellFormats] | None, bool]:
    """A lookup of each sheet's non-General number cells, and whether the book counts dates from 1904.

    The styles and the workbook's sheet list are small; a sheet's XML is read again only when the book has a
    non-General format at all. A part that does not parse leaves the cells as calamine gives them.
    """
    try:
        names = {n.lower(): n for n in zf.namelist()}
        top = _relations(zf, names, "_rels/.rels", "")
        book_part = next((t for kind, t in top.values() if kind == "officeDocument"), "xl/workbook.xml")
        book = _xml(zf, names, book_part)
        if book is None:
            return None, False
        folder = posixpath.dirname(book_part)
        rels = _relations(zf, names, posixpath.join(folder, "_rels", posixpath.basename(book_part) + ".rels"), folder)
        styles_part = next((t for kind, t in rels.values() if kind == "styles"), posixpath.join(folder, "styles.xml"))
        codes = _xf_codes(_xml(zf, names, styles_part))
        date1904 = any((e.get("date1904") or "").lower() in ("1", "true") for e in _all(book, "workbookPr"))
        if not codes:
            return None, date1904
        parts = {e.get("name", ""): rels.get(e.get(f"{{{_REL}}}id", ""), ("", ""))[1] for e in _all(book, "sheet")}
    except (ParseError, DefusedXmlException, KeyError, ValueError, zipfile.BadZipFile):
        return None, False

    def formats(sheet: str) -> CellFormats:
        name = names.get(parts.get(sheet, "").lower())
        return _styled_cells(zf.read(name), codes) if name else {}

    return formats, date1904


def _xml(zf: zipfile.ZipFile, names: dict[str, str], part: str) -> Element | None:
    name = names.get(part.lower())
    return None if name is None else fromstring(zf.read(name))


def _all(root: Element, local: str) -> list[Element]:
    """Elements by local name, in the transitional or the strict namespace."""
    return [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == local]


def _relations(zf: zipfile.ZipFile, names: dict[str, str], rels: str, folder: str) -> dict[str, tuple[str, str]]:
    """A relationships part as id -> (the type's last word, the target part's path in the zip)."""
    root = _xml(zf, names, rels)
    found: dict[str, tuple[str, str]] = {}
    for rel in _all(root, "Relationship") if root is not None else []:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
    return found


def _xf_codes(styles: Element | None) -> dict[int, str]:
    """Cell style index -> its number format code, for the styles whose format is not General or text."""
    if styles is None:
        return {}
    # Only the numFmts list: conditional formats (dxfs) hold numFmt elements of their own.
    custom = {int(e.get("numFmtId", "-1")): e.get("formatCode", "") for f in _all(styles, "numFmts") for e in f}
    codes: dict[int, str] = {}
    for holder in _all(styles, "cellXfs"):
        for index, xf in enumerate(e for e in holder if e.tag.rsplit("}", 1)[-1] == "xf"):
            fmt_id = int(xf.get("numFmtId", "0"))
            code = custom.get(fmt_id) or builtin_format(fmt_id)
            if not is_plain(code):
                codes[index] = code
    return codes


def _styled_cells(xml: bytes, codes: dict[int, str]) -> CellFormats:
    """Where this sheet's number cells with one of ``codes``' styles are, by (row, column) from 0."""
    # Name the wanted styles in the pattern when they are few; a long alternation is slower than checking after.
    ids = b"|".join(str(i).encode() for i in codes) if len(codes) <= 64 else rb"\d+"
    wanted = re.compile(_WANTED % ids)
    cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/")
    found: CellFormats = {}
    if cells == xml.count(b'<c r="') and b":c " not in xml:
        # Excel, WPS and openpyxl write each cell's reference first: find just the styled cells, at C speed.
        for m in wanted.finditer(xml):
            kind, code = _TYPE.search(m.group(0)), codes.get(int(m.group(3)))
            if code is not None and (kind is None or kind.group(1) not in _NOT_NUMBERS):
                found[int(m.group(2)) - 1, _column(m.group(1)) - 1] = code
        return found
    row, col = 0, 0
    for m in _TAG.finditer(xml):
        ref = _REF.search(m.group(2))
        if m.group(1) == b"row":
            row, col = (int(ref.group(2)) if ref and ref.group(2) and not ref.group(1) else row + 1), 0
            continue
        col = _column(ref.group(1)) if ref and ref.group(1) else col + 1
        style, kind = _STYLE.search(m.group(2)), _TYPE.search(m.group(2))
        if style and int(style.group(1)) in codes and (kind is None or kind.group(1) not in _NOT_NUMBERS):
            found[row - 1, col - 1] = codes[int(style.group(1))]
    return found


def _column(letters: bytes) -> int:
    """A column's number from its letters (A = 1)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n
