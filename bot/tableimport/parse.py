"""From bytes to a validated ParsedTable: pick the reader, find the header, read and check every row."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.tableimport import cells as C
from bot.tableimport.errors import ImportFailure, must_propagate
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import Header, find_header
from bot.tableimport.limits import check_size
from bot.tableimport.model import Format, ImportLimits, ParsedTable, Problem
from bot.tableimport.override import parse_columns
from bot.tableimport.readers.csvfile import read_csv
from bot.tableimport.readers.docx import WordDocument, read_docx
from bot.tableimport.readers.html import page_text, read_html
from bot.tableimport.readers.text import paragraphs, read_points, read_records, read_text_table
from bot.tableimport.readers.xls import read_xls
from bot.tableimport.readers.xlsx import read_xlsx
from bot.tableimport.rows import build_points, build_table
from bot.tableimport.sniff import sniff_format

EXPECTED_HEADERS = "序号、工作任务、具体内容、牵头领导、牵头股室、相关责任单位、完成时限、备注"


def read_table(
    data: bytes, filename: str, *, limits: ImportLimits = ImportLimits(), columns: str | None = None
) -> ParsedTable:
    """Read a responsibility table from an upload; raises only ImportFailure, listing every problem.

    ``columns`` is the admin's correction of the column guess ("B=类别,C=任务,D=牵头单位").
    """
    mapping = parse_columns(columns) if columns else None
    try:
        return _read(data, filename, Reading(limits, mapping))
    except MemoryError:
        raise ImportFailure((Problem("import.unreadable", {"file": filename, "detail": "MemoryError"}),)) from None
    except BaseException as exc:  # calamine and lxml can fail in ways of their own; none may escape as such
        if must_propagate(exc):
            raise
        raise ImportFailure((Problem("import.unreadable", {"file": filename, "detail": type(exc).__name__}),)) from None


def _read(data: bytes, filename: str, opts: Reading) -> ParsedTable:
    limits = opts.limits
    check_size(data, filename, limits)
    fmt, text = sniff_format(data, filename)
    if fmt == "xlsx":
        return _from_grids(read_xlsx(data, filename, limits), "xlsx", filename, opts)
    if fmt == "xls":
        return _from_grids(read_xls(data, filename, limits), "xls", filename, opts)
    if fmt == "pdf":
        from bot.tableimport.readers.pdf import read_pdf  # pdfplumber and pdfminer load on the first PDF

        pdf = read_pdf(data, filename, limits)
        if pdf.tables:
            return _from_grids(pdf.tables, "pdf", filename, opts)
        return _from_text(pdf.text, "pdf", filename, opts, no_table="import.no_table")
    if fmt == "docx":
        return _from_word(read_docx(data, filename, limits), filename, opts)
    text = text or ""
    if fmt == "csv":
        return _from_grids([read_csv(text, filename, limits)], "csv", filename, opts)
    if fmt == "html":
        grids = read_html(text, filename, limits)
        if grids:
            return _from_grids(grids, "html", filename, opts)
        return _from_text(page_text(text, filename), "html", filename, opts, no_table="import.no_table")
    return _from_text(text, "text", filename, opts, no_table="import.text_no_table")


@dataclass(frozen=True)
class Reading:
    """How to read one upload: its limits and the admin's column mapping, if any."""

    limits: ImportLimits
    mapping: dict[int, str] | None = None


# Sheets that explain or track a table rather than hold it.
_ASIDE_SHEET = re.compile(r"(说明|填表|填报|修订|修改|变更|版本|目录|封面|附注|注释|字典|参数|下拉|模板说明|sheet\s*\d+$)", re.I)


def _candidate(grid: Grid, opts: Reading) -> Header | None:
    header = find_header(grid.rows)
    if header is None and opts.mapping:
        line, found = _found_headers(grid)
        index = next((i for i, r in enumerate(grid.rows) if r.line == line), -1) if found else -1
        header = Header(index=index, line=line or 0, fields={}, labels={})
    return header


def _data_rows(grid: Grid, header: Header) -> int:
    return sum(1 for r in grid.rows[header.index + 1:] if any(c.strip() for c in r.cells))


def _from_grids(grids, fmt: Format, filename: str, opts: Reading) -> ParsedTable:  # type: ignore[no-untyped-def]
    # A workbook may hold notes, a revision log or several years: read the sheet that holds the task table.
    first: Grid | None = None
    found: list[tuple[tuple, Grid, Header, list[str]]] = []
    names: list[str] = []
    covers: list[str] = []  # text of the sheets without a table so far (a cover holding the title)
    for grid in grids:
        first = first or grid
        names.append(grid.name)
        header = _candidate(grid, opts)
        if header is None:
            covers += _sheet_lines(grid)
            continue
        aside = bool(grid.name and _ASIDE_SHEET.search(grid.name))
        found.append(((not aside, header.score, _data_rows(grid, header), -len(found)), grid, header, list(covers)))
    if not found:
        raise _unmatched(first, filename)
    _rank, grid, header, cover = max(found, key=lambda item: item[0])
    if fmt in ("xlsx", "xls") and not grid.before and not _sheet_lines(Grid(grid.rows[:header.index])):
        # A table sheet starting at its header: the workbook's title is on a cover sheet in front of it.
        grid.before = cover
    sheets = tuple(n for n in names if n) if len(names) > 1 else ()
    return build_table(grid, header, fmt, filename, opts.limits, opts.mapping, sheets)


def _sheet_lines(grid: Grid, limit: int = 20) -> list[str]:
    """The text of a sheet's first non-empty rows, a row a line."""
    lines = (" ".join(c.strip() for c in r.cells if c.strip()) for r in grid.rows)
    return [line for line in itertools.islice((x for x in lines if x), limit)]


def _from_word(doc: WordDocument, filename: str, opts: Reading) -> ParsedTable:
    for index, grid in enumerate(doc.tables):
        header = _candidate(grid, opts)
        if header is None:
            continue
        merged = _merge_continuations(doc, index, header)
        return build_table(merged, header, "docx", filename, opts.limits, opts.mapping)
    if doc.tables:
        raise _unmatched(doc.tables[0], filename)
    return _from_text("\n".join(doc.paragraphs), "docx", filename, opts, no_table="import.no_table")


def _merge_continuations(doc: WordDocument, index: int, header: Header) -> Grid:
    # A table split across pages arrives as several tables, often each with the header repeated.
    grid = doc.tables[index]
    rows = list(grid.rows)
    width = max((len(r.cells) for r in rows), default=0)
    offset = rows[-1].line if rows else 0
    after = grid.after
    for nxt in range(index + 1, len(doc.tables)):
        other = doc.tables[nxt]
        again = find_header(other.rows)
        if again is not None and again.texts == header.texts:
            part = other.rows[again.index + 1:]
        elif again is None and doc.adjacent[nxt] and max((len(r.cells) for r in other.rows), default=0) == width:
            part = other.rows
        else:
            break
        rows += [GridRow(offset + r.line, r.cells, r.spanned) for r in part]
        offset += other.rows[-1].line if other.rows else 0
        after = other.after
    return Grid(rows=rows, before=grid.before, after=after, name=grid.name, unit=grid.unit, letters=grid.letters)


def _from_text(text: str, fmt: Format, filename: str, opts: Reading, *, no_table: str) -> ParsedTable:
    paras = paragraphs(text)
    grid = read_text_table(paras)
    if grid is not None:
        header = find_header(grid.rows[:1])
        if header is not None:
            return build_table(grid, header, fmt, filename, opts.limits, opts.mapping)
    points = read_points(paras)
    if points is not None:
        return build_points(points, fmt, filename, opts.limits)
    records = read_records(paras)
    header = _candidate(records, opts) if records is not None else None
    if records is not None and header is not None:
        return build_table(records, header, fmt, filename, opts.limits, opts.mapping)
    raise ImportFailure((Problem(no_table, {"file": filename, "expected": EXPECTED_HEADERS}),))


def _unmatched(grid: Grid | None, filename: str) -> ImportFailure:
    line, found = _found_headers(grid) if grid is not None else (None, [])
    if not found:
        return ImportFailure((Problem("import.no_table", {"file": filename, "expected": EXPECTED_HEADERS}),))
    params = {"file": filename, "line": line, "unit": grid.unit if grid else "row", "found": "、".join(found),
              "expected": EXPECTED_HEADERS}
    return ImportFailure((Problem("import.headers_unmatched", params),))


def _found_headers(grid: Grid) -> tuple[int | None, list[str]]:
    # The first row with several short cells is what the admin would call the header.
    candidates = [r for r in grid.rows[:20] if any(c.strip() for c in r.cells)]
    for row in candidates:
        short = [C.join_lines(c) for c in row.cells if c.strip() and len(c) <= 30]
        if len(short) >= 2:
            return row.line, short[:12]
    if not candidates:
        return None, []
    return candidates[0].line, [C.join_lines(c)[:30] for c in candidates[0].cells if c.strip()][:12]


