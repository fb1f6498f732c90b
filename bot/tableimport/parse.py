"""From bytes to a validated ParsedTable: pick the reader, find the header, read and check every row."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from bot.tableimport import cells as C
from bot.tableimport.errors import ImportFailure, must_propagate
from bot.tableimport.grid import Grid
from bot.tableimport.headers import Header, find_header
from bot.tableimport.joined import join_following, join_sheets, section_sheets, sheet_parts
from bot.tableimport.limits import check_size
from bot.tableimport.model import Format, ImportLimits, ParsedTable, Problem, RowWarning
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
    notes: list[RowWarning] = []
    if fmt in ("xlsx", "xls"):
        grid, header, read = _workbook_table(found, grid, header, cover, notes)
        others = [n for n in names if n and n not in read]
    elif fmt in ("html", "pdf"):
        # A table per part ("一、…", table, "二、…", table), in a web page or a printed document, is one table.
        index, grid, header, joined = _page_table(grids, found, grid, header)
        # A web page's layout, metadata and footer tables are no sheets: name only other task tables.
        read = {g.name for g in grids[index:index + 1 + joined]}
        others = [g.name for _r, g, _h, _c in found if g.name not in read]
    else:
        others = [n for n in names if n and n != grid.name] if len(names) > 1 else []
    sheets = (grid.name, *others) if others else ()
    table = build_table(grid, header, fmt, filename, opts.limits, opts.mapping, sheets)
    return replace(table, warnings=(*notes, *table.warnings)) if notes else table


def _workbook_table(found: list, grid: Grid, header: Header, cover: list[str],
                    notes: list[RowWarning]) -> tuple[Grid, Header, set[str]]:
    """The table of a workbook: the best sheet, or all sheets of its columns when there is one per 股室, per
    quarter or per part (joined, with ``notes`` saying so); with the names of the sheets read."""
    parts = sheet_parts([(g, h) for rank, g, h, _c in found if rank[0]], header)  # a 填报说明 sample is no part
    if parts:
        cover = next(c for _r, g, _h, c in found if g is parts[0][0])
        sections = section_sheets(parts)
        grid, header = join_sheets(parts, sections)
        notes.append(RowWarning(header.line, "sheets_joined", {"count": len(parts)}))
        if sections:
            notes.append(RowWarning(header.line, "sheets_as_sections", {"count": len(parts)}))
    if not grid.before and not _sheet_lines(Grid(grid.rows[:header.index])):
        # A table sheet starting at its header: the workbook's title is on a cover sheet in front of it.
        grid.before = cover
    return grid, header, {g.name for g, _h in parts} if parts else {grid.name}


def _page_table(grids: list[Grid], found: list, best: Grid, header: Header) -> tuple[int, Grid, Header, int]:
    """The table of a web page read with the tables after it that continue it, from the earliest one that
    reaches ``best`` (a page with one table per part ranks the longest part best): (position, grid, header,
    how many tables were joined to it)."""
    at = next(i for i, g in enumerate(grids) if g is best)
    headers = {id(g): h for _r, g, h, _c in found}
    for index, grid in enumerate(grids[:at]):
        same = headers.get(id(grid))
        if same is not None and same.texts and same.texts == header.texts:
            joined_grid, joined = join_following(grids, index, same)
            if index + joined >= at:
                return index, joined_grid, same, joined
    joined_grid, joined = join_following(grids, at, header)
    return at, joined_grid, header, joined


def _sheet_lines(grid: Grid, limit: int = 20) -> list[str]:
    """The text of a sheet's first non-empty rows, a row a line."""
    lines = (" ".join(c.strip() for c in r.cells if c.strip()) for r in grid.rows)
    return [line for line in itertools.islice((x for x in lines if x), limit)]


def _from_word(doc: WordDocument, filename: str, opts: Reading) -> ParsedTable:
    for index, grid in enumerate(doc.tables):
        header = _candidate(grid, opts)
        if header is None:
            continue
        merged, _joined = join_following(doc.tables, index, header)
        return build_table(merged, header, "docx", filename, opts.limits, opts.mapping)
    if doc.tables:
        raise _unmatched(doc.tables[0], filename)
    return _from_text("\n".join(doc.paragraphs), "docx", filename, opts, no_table="import.no_table")


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


