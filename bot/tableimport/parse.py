"""From bytes to a validated ParsedTable: pick the reader, find the header, read and check every row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.tableimport import cells as C
from bot.tableimport.errors import ImportFailure, must_propagate
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import Header, find_header, normalize_header
from bot.tableimport.limits import check_size
from bot.tableimport.meta import DocMeta, read_meta
from bot.tableimport.model import (
    FIELDS,
    ColumnMap,
    Format,
    ImportLimits,
    ParsedRow,
    ParsedTable,
    Problem,
    RowWarning,
    column_letter,
)
from bot.tableimport.readers.csvfile import read_csv
from bot.tableimport.readers.docx import WordDocument, read_docx
from bot.tableimport.readers.html import page_text, read_html
from bot.tableimport.readers.text import PointList, paragraphs, read_points, read_text_table
from bot.tableimport.readers.xlsx import read_xlsx
from bot.tableimport.sniff import sniff_format

EXPECTED_HEADERS = "序号、工作任务、具体内容、牵头领导、牵头股室、相关责任单位、完成时限、备注"
_NOTE = re.compile(r"^(注|备注|说明|填表|制表|审核|审批|联系人|联系电话|签发|单位盖章|附注)")


def read_table(data: bytes, filename: str, *, limits: ImportLimits = ImportLimits()) -> ParsedTable:
    """Read a responsibility table from an upload; raises only ImportFailure, listing every problem."""
    try:
        return _read(data, filename, limits)
    except MemoryError:
        raise ImportFailure((Problem("import.unreadable", {"file": filename, "detail": "MemoryError"}),)) from None
    except BaseException as exc:  # calamine and lxml can fail in ways of their own; none may escape as such
        if must_propagate(exc):
            raise
        raise ImportFailure((Problem("import.unreadable", {"file": filename, "detail": type(exc).__name__}),)) from None


def _read(data: bytes, filename: str, limits: ImportLimits) -> ParsedTable:
    check_size(data, filename, limits)
    fmt, text = sniff_format(data, filename)
    if fmt == "xlsx":
        return _from_grids(read_xlsx(data, filename, limits), "xlsx", filename, limits)
    if fmt == "docx":
        return _from_word(read_docx(data, filename, limits), filename, limits)
    text = text or ""
    if fmt == "csv":
        return _from_grids([read_csv(text, filename, limits)], "csv", filename, limits)
    if fmt == "html":
        grids = read_html(text, filename, limits)
        if grids:
            return _from_grids(grids, "html", filename, limits)
        return _from_text(page_text(text, filename), "html", filename, limits, no_table="import.no_table")
    return _from_text(text, "text", filename, limits, no_table="import.text_no_table")


def _from_grids(grids, fmt: Format, filename: str, limits: ImportLimits) -> ParsedTable:  # type: ignore[no-untyped-def]
    first: Grid | None = None
    for grid in grids:
        first = first or grid
        header = find_header(grid.rows)
        if header is not None:
            return build_table(grid, header, fmt, filename, limits)
    raise _unmatched(first, filename)


def _from_word(doc: WordDocument, filename: str, limits: ImportLimits) -> ParsedTable:
    for index, grid in enumerate(doc.tables):
        header = find_header(grid.rows)
        if header is None:
            continue
        merged = _merge_continuations(doc, index, header)
        return build_table(merged, header, "docx", filename, limits)
    if doc.tables:
        raise _unmatched(doc.tables[0], filename)
    return _from_text("\n".join(doc.paragraphs), "docx", filename, limits, no_table="import.no_table")


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
        rows += [GridRow(offset + r.line, r.cells) for r in part]
        offset += other.rows[-1].line if other.rows else 0
        after = other.after
    return Grid(rows=rows, before=grid.before, after=after, name=grid.name, unit=grid.unit, letters=grid.letters)


def _from_text(text: str, fmt: Format, filename: str, limits: ImportLimits, *, no_table: str) -> ParsedTable:
    paras = paragraphs(text)
    grid = read_text_table(paras)
    if grid is not None:
        header = find_header(grid.rows[:1])
        if header is not None:
            return build_table(grid, header, fmt, filename, limits)
    points = read_points(paras)
    if points is not None:
        return build_points(points, fmt, filename, limits)
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


# ---------------------------------------------------------------- rows


class _Where:
    """Builds problems that name the file, the row and the column as the admin sees them."""

    def __init__(self, filename: str, grid: Grid, header: Header) -> None:
        self.filename, self.grid, self.header = filename, grid, header

    def problem(self, code: str, line: int, fld: str, **params: object) -> Problem:
        """A problem at ``line`` in the (first) column read as ``fld``."""
        cols = self.header.field_columns(fld)
        located: dict = {"file": self.filename, "line": line, "unit": self.grid.unit}
        if cols:
            col = cols[0]
            located["column"] = column_letter(col) if self.grid.letters else str(col + 1)
            located["header"] = self.header.labels.get(col, "")
        return Problem(code, {**located, **params})


@dataclass
class _Reading:
    """What build_table accumulates while it walks the rows."""

    cols: dict[str, list[int]]
    where: _Where
    rows: list[ParsedRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unnumbered: list[int] = field(default_factory=list)  # positions in rows whose 序号 is to be assigned
    notes: list[str] = field(default_factory=list)  # heading or note rows since the last task
    category: str | None = None  # the category cell in force (merged or left empty below its first row)
    heading: str | None = None  # the last group heading row ("一、…" across the table)

    def value(self, cells: list[str], name: str) -> str:
        """The text of the column(s) read as ``name`` in this row."""
        return "\n".join(cells[c] for c in self.cols[name] if c < len(cells) and cells[c].strip())


def _row_text(cells: list[str]) -> str:
    return " ".join(dict.fromkeys(C.join_lines(c) for c in cells if c.strip()))


def build_table(grid: Grid, header: Header, fmt: Format, filename: str, limits: ImportLimits) -> ParsedTable:
    """Read every row under ``header``; collect all problems and raise them together."""
    reading = _Reading(cols={name: header.field_columns(name) for name in FIELDS}, where=_Where(filename, grid, header))
    for row in grid.rows[header.index + 1:]:
        if any(c.strip() for c in row.cells) and not _is_repeated_header(row.cells, header):
            _read_row(row, reading)
    cols = reading.cols
    rows = _number_rows(reading, bool(cols["no"]), header)
    _check_duplicates(rows, reading.where, reading.problems)
    if len(rows) > limits.max_rows:
        reading.problems.append(Problem("import.too_many_rows", {"file": filename, "rows": len(rows),
                                                                 "limit": limits.max_rows}))
    if not rows and not reading.problems:
        reading.problems.append(Problem("import.no_rows", {"file": filename, "line": header.line, "unit": grid.unit}))
    if reading.problems:
        raise ImportFailure(reading.problems)
    before, after = grid.context()
    above = [_row_text(r.cells) for r in grid.rows[:header.index] if any(c.strip() for c in r.cells)]
    meta = read_meta([*before, *above], [*reading.notes, *after], title_lines=above or None)
    columns = tuple(ColumnMap(f, header.labels.get(c, f), c) for c, f in sorted(header.fields.items()))
    unassigned = not (cols["leaders"] or cols["sections"])
    return _table(filename, fmt, meta, columns, rows, reading.warnings, unassigned=unassigned)


def _read_row(row: GridRow, reading: _Reading) -> None:
    cells, cols = row.cells, reading.cols
    content = "\n".join(t for t in (C.clean_text(cells[c]) for c in cols["content"] if c < len(cells)) if t)
    raw_no = reading.value(cells, "no")
    if not content and not (raw_no and C.looks_like_no(raw_no)):
        filled = [C.join_lines(c) for c in cells if c.strip()]
        if len(filled) == 1 or _NOTE.match(filled[0]):
            # A group heading across the row ("一、…"), or a note or signature under the table.
            reading.notes.append(filled[0])
            if len(filled) == 1 and not _NOTE.match(filled[0]):
                reading.heading, reading.category = filled[0], None
            return
    reading.notes.clear()
    reading.category = C.clean_text(reading.value(cells, "category")) or reading.category
    if not content:
        reading.problems.append(
            reading.where.problem("import.missing_content", row.line, "content", no=C.normalize_no(raw_no)))
        return
    no = C.normalize_no(raw_no)
    parsed = ParsedRow(
        line=row.line,
        no=no,
        category=reading.category or reading.heading,
        title=C.clean_text(reading.value(cells, "title")),
        content=content,
        leaders=C.split_people(reading.value(cells, "leaders")),
        sections=C.split_sections(reading.value(cells, "sections")),
        units=C.split_units(reading.value(cells, "units")),
        deadline=C.clean_verbatim(reading.value(cells, "deadline")),
        remarks=C.clean_verbatim(reading.value(cells, "remarks")),
    )
    if not no:
        reading.unnumbered.append(len(reading.rows))
    if cols["leaders"] and not parsed.leaders:
        reading.warnings.append(RowWarning(row.line, "missing_leader", {"no": no or "?"}))
    if cols["sections"] and not parsed.sections:
        reading.warnings.append(RowWarning(row.line, "missing_section", {"no": no or "?"}))
    reading.rows.append(parsed)


def _is_repeated_header(cells: list[str], header: Header) -> bool:
    same = sum(
        1
        for c, text in header.texts.items()
        if c < len(cells) and len(cells[c]) <= 2 * len(text) + 8 and normalize_header(cells[c]) == text
    )
    return same >= max(2, (len(header.texts) + 1) // 2)


def _number_rows(reading: _Reading, has_no_column: bool, header: Header) -> list[ParsedRow]:
    rows = reading.rows
    if not reading.unnumbered:
        return rows
    if not has_no_column:
        reading.warnings.insert(0, RowWarning(header.line, "no_number_column", {"count": len(rows)}))
        return [_renumber(row, str(i)) for i, row in enumerate(rows, start=1)]
    taken = {row.no for row in rows}
    numeric = [int(n) for n in taken if n.isdigit()]
    next_no = max(numeric, default=0) + 1
    rows = list(rows)
    for position in reading.unnumbered:
        while str(next_no) in taken:
            next_no += 1
        rows[position] = _renumber(rows[position], str(next_no))
        reading.warnings.append(RowWarning(rows[position].line, "number_assigned", {"no": str(next_no)}))
        taken.add(str(next_no))
    return rows


def _renumber(row: ParsedRow, no: str) -> ParsedRow:
    return ParsedRow(row.line, no, row.category, row.title, row.content, row.leaders, row.sections, row.units,
                     row.deadline, row.remarks)


def _check_duplicates(rows: list[ParsedRow], where: _Where, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.no in first:
            problems.append(where.problem("import.duplicate_no", row.line, "no", no=row.no, first_line=first[row.no]))
        else:
            first[row.no] = row.line


def _table(filename: str, fmt: Format, meta: DocMeta, columns: tuple[ColumnMap, ...], rows: list[ParsedRow],
           warnings: list[RowWarning], *, unassigned: bool) -> ParsedTable:
    return ParsedTable(
        source_name=filename,
        format=fmt,
        title=meta.title,
        issuer=meta.issuer,
        issued=meta.issued,
        year=meta.year,
        columns=columns,
        rows=tuple(rows),
        warnings=tuple(warnings),
        unassigned=unassigned,
    )


# ---------------------------------------------------------------- numbered work points


def build_points(points: PointList, fmt: Format, filename: str, limits: ImportLimits) -> ParsedTable:
    """Numbered work points as unassigned tasks: category = the heading above, title = the first sentence."""
    if len(points.points) > limits.max_rows:
        raise ImportFailure((Problem("import.too_many_rows", {"file": filename, "rows": len(points.points),
                                                              "limit": limits.max_rows}),))
    warnings: list[RowWarning] = []
    numbers = [p.number for p in points.points]
    renumber = len(set(numbers)) != len(numbers)
    if renumber:
        warnings.append(RowWarning(_first_repeat(points), "points_renumbered", {"count": len(numbers)}))
    rows = []
    for index, point in enumerate(points.points, start=1):
        content = "\n".join(C.join_lines(part) for part in point.body.split("\n") if part.strip())
        rows.append(ParsedRow(
            line=point.line,
            no=str(index if renumber else point.number),
            category=point.category,
            title=C.first_sentence(content.split("\n")[0]),
            content=content,
        ))
    meta = read_meta(points.before, points.after)
    return _table(filename, fmt, meta, (), rows, warnings, unassigned=True)


def _first_repeat(points: PointList) -> int:
    seen: set[int] = set()
    for point in points.points:
        if point.number in seen:
            return point.line
        seen.add(point.number)
    return points.points[0].line
