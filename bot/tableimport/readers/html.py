"""HTML tables as saved from a government web page: rowspan filled down, colspan kept in its first column."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.limits import refuse
from bot.tableimport.model import ImportLimits

MAX_COLUMNS = 256
_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "ul", "ol"}
_MARK = "\u2063TABLE\u2063"


def _parse(text: str, file: str):  # type: ignore[no-untyped-def]
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError, lxml.etree.XMLSyntaxError):
        raise refuse("import.no_table", file) from None


def page_text(text: str, file: str = "") -> str:
    """The text of a page, one block per line (for numbered points on a page without tables)."""
    return cell_text(_parse(text, file))


def read_html(text: str, file: str, limits: ImportLimits) -> list[Grid]:
    """Every table of the page in document order; the page text around one is computed when asked for."""
    root = _parse(text, file)
    tables = list(root.iter("table"))
    grids: list[Grid] = []
    budget = limits.max_cells
    for table in tables:
        grid, used = _table(table, len(grids) + 1, budget, file, limits)
        budget -= used
        grids.append(grid)
    for n, (table, grid) in enumerate(zip(tables, grids)):
        grid.around = lambda table=table: _around(root, table)
        if n:
            grid.gap = lambda previous=tables[n - 1], table=table: _between(root, previous, table)
    return grids


def _direct_rows(table):  # type: ignore[no-untyped-def]
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _span(value: str | None, cap: int) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), cap))
    except ValueError:
        return 1


def _table(  # type: ignore[no-untyped-def]
    table, index: int, budget: int, file: str, limits: ImportLimits
) -> tuple[Grid, int]:
    trs = _direct_rows(table)
    if len(trs) > limits.max_rows:
        raise refuse("import.too_many_rows", file, rows=len(trs), limit=limits.max_rows)
    carried: dict[int, tuple[int, str]] = {}  # column → (rows still covered, text)
    rows: list[GridRow] = []
    used = 0
    for n, tr in enumerate(trs, start=1):
        cells: list[str] = []
        spanned: set[int] = set()
        col = 0

        def _fill_carried() -> None:
            nonlocal col
            while col in carried:
                left, value = carried[col]
                spanned.add(len(cells))
                cells.append(value)
                if left <= 1:
                    del carried[col]
                else:
                    carried[col] = (left - 1, value)
                col += 1

        for td in tr.xpath("./td | ./th"):
            _fill_carried()
            if col >= MAX_COLUMNS:
                break
            value = cell_text(td, nested=False)
            rowspan = _span(td.get("rowspan"), len(trs) - n + 1)
            colspan = _span(td.get("colspan"), MAX_COLUMNS - col)
            if rowspan > 1:
                carried[col] = (rowspan - 1, value)
            cells.append(value)
            cells.extend([""] * (colspan - 1))
            col += colspan
        _fill_carried()
        # A rowspan reaching past a gap in this row's cells still lands in its own column.
        for c in sorted(k for k in carried if k >= col):
            left, value = carried[c]
            cells.extend([""] * (c - len(cells)))
            spanned.add(len(cells))
            cells.append(value)
            carried[c] = (left - 1, value)
            if left <= 1:
                del carried[c]
        used += len(cells)
        if used > budget:
            raise refuse("import.too_many_cells", file, cells=limits.max_cells + 1, limit=limits.max_cells)
        rows.append(GridRow(n, cells, frozenset(spanned)))
    return Grid(rows=rows, name=str(index), letters=False), used


def cell_text(element, nested: bool = True) -> str:  # type: ignore[no-untyped-def]
    """The text of an element with <br> and block elements as line breaks and spaces collapsed.

    With ``nested=False`` tables inside the element are left out: each table is read on its own, and a
    layout table wrapping the page must not make every inner cell's text be walked again.
    """
    parts: list[str] = []

    def _walk(el) -> None:  # type: ignore[no-untyped-def]
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style") or (tag == "table" and not nested and el is not element):
            if el.tail:
                parts.append(el.tail)
            return
        if tag == "br":
            parts.append("\n")
        elif tag in _BLOCKS and el is not element:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            _walk(child)
        if tag in _BLOCKS and el is not element:
            parts.append("\n")
        if el.tail and el is not element:
            parts.append(el.tail)

    _walk(element)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _marked_text(root, tables) -> list[str]:  # type: ignore[no-untyped-def]
    # The page text with each of ``tables`` replaced by a marker, split at the markers (len(tables) + 1 pieces).
    swapped = []
    try:
        for table in tables:
            parent = table.getparent()
            marker = lxml.html.Element("p")
            marker.text = _MARK
            marker.tail = table.tail
            position = parent.index(table)
            parent.remove(table)
            parent.insert(position, marker)
            swapped.append((parent, position, marker, table))
        body = root.find("body")
        return cell_text(body if body is not None else root).split(_MARK)
    finally:
        for parent, position, marker, table in reversed(swapped):
            parent.remove(marker)
            table.tail = marker.tail
            parent.insert(position, table)


def _between(root, previous, table) -> list[str] | None:  # type: ignore[no-untyped-def]
    # The lines between two tables in page order; None when this one sits inside the one before (a layout table).
    if any(ancestor is previous for ancestor in table.iterancestors()) or table.getparent() is None:
        return None
    pieces = _marked_text(root, [previous, table])
    return pieces[1].split("\n") + _caption(table) if len(pieces) == 3 else None


def _caption(table) -> list[str]:  # type: ignore[no-untyped-def]
    # A <caption> is the table's own title ("二、公共卫生服务"), nearest to it.
    caption = table.find("caption")
    return cell_text(caption).split("\n") if caption is not None else []


def _around(root, table) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    # The page text with this table replaced by a marker, split into lines before and after it.
    if table.getparent() is None:
        return [], []
    before, _, after = _MARK.join(_marked_text(root, [table])).partition(_MARK)
    # The page's <title> names the document when the body only shows the table (saved from Excel or Word).
    head = " ".join((root.findtext(".//title") or "").split())
    return ([head] if head else []) + before.split("\n") + _caption(table), after.split("\n")
