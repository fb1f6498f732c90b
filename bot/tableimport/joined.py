"""One task table a document holds in pieces: tables per part, a table continued after "续表", sheets per 股室.

Word files and web pages often hold one table per part ("一、…" paragraph, table, "二、…" paragraph, table), or a
table continued on the next page after a "续表" line with or without its header repeated; a workbook may hold one
sheet per 股室 or per quarter with the same columns. The row reader reads one grid, so the pieces are joined here.
Each part heading (or sheet name) becomes a row of its own holding only that text: the row reader takes it as the
category of the rows below and numbers 1–N, with its warning, rows that start again at 1 in each part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import Header, find_header, normalize_header
from bot.tableimport.periods import is_period_label

# A part heading written between tables: "二、公共卫生服务", "（三）综合监管", "第一部分 …".
PART_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百]+(?:部分|篇|章|项)|[一二三四五六七八九十]{1,3}\s*[、.．]|"
                          r"[(（][一二三四五六七八九十]{1,3}[)）])")
HEADING_MAX = 40
# Lines a printed table carries onto its next page: "续表", "续上表", "（续）", "…分解表（续表）", a page number.
_CONTINUED = re.compile(r"续(?:表|上表|前表)|[(（]\s*续\s*[)）]|^续$")
_PAGE_NO = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}\s*页?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－\s]*$")
# Sheet names that split one table: a 股室 or unit, a period, a part. Not years: sheets per year are other tables.
_SECTION_NAME = re.compile(r"(?:股|室|科|处|中心|站|所|办|队|院|局|委|部|组|馆|会|厅|司)$")
_PART_NAME = re.compile(r"^(?:第[一二三四五六七八九十百]+部分|[一二三四五六七八九十]{1,3}\s*[、.．])")
_BRACKETS = re.compile(r"[(（][^()（）]{0,10}[)）]|\s+")
SHEET_COLUMN = "工作表名称"  # the label of the lead-section column made of the sheet names, as the preview lists it


def is_part_heading(line: str) -> bool:
    """Whether a line outside the tables is a part heading ("二、公共卫生服务"), not a sentence or a title."""
    text = line.strip()
    return len(text) <= HEADING_MAX and PART_HEADING.match(text) is not None and not text.endswith(("。", "；", ";"))


def _width(grid: Grid) -> int:
    return max((len(r.cells) for r in grid.rows), default=0)


def _heading_row(text: str, header: Header, width: int, line: int) -> GridRow | None:
    # The text goes where the row reader cannot take it for a task: the 序号 column, else a column no field reads;
    # a table whose every column is read takes it in its first, where only a "二、…" heading reads as one.
    col = next(iter(header.field_columns("no")), None)
    if col is None:
        col = next((c for c in range(width) if c not in header.fields), None)
    if col is None:
        if PART_HEADING.match(text) is None:
            return None
        col = 0
    cells = [""] * max(width, col + 1)
    cells[col] = text
    return GridRow(line, cells)


def _headings(texts: list[str], header: Header, width: int, line: int) -> list[GridRow]:
    rows = (_heading_row(text.strip(), header, width, line) for text in texts)
    return [row for row in rows if row is not None]


def join_following(grids: Sequence[Grid], index: int, header: Header) -> tuple[Grid, int]:
    """The table at ``index`` joined with the tables after it that continue it (the same header repeated, or no
    header and the same width with nothing but part headings, "续表" lines and page numbers between them), and
    how many were joined."""
    first = grids[index]
    width = _width(first)
    rows = list(first.rows)
    before = first.context()[0]
    titles = {line.strip() for line in before if line.strip()}
    offset = rows[-1].line if rows else 0
    last, parts, joined = first, 0, 0
    for nxt in grids[index + 1:]:
        between = nxt.lead_in()
        if between is None or not nxt.rows:
            break
        lines = [line.strip() for line in between if line.strip()]
        headings = [line for line in lines if is_part_heading(line)]
        other = [line for line in lines if line not in headings and not _carried_over(line, titles)]
        again = find_header(nxt.rows)
        if again is not None and header.texts and again.texts == header.texts:
            inside = [_only_text(r) for r in nxt.rows[:again.top]]
            headings += [text for text in inside if text and is_part_heading(text)]
            body = nxt.rows[again.index + 1:]
        elif again is None and not other and _width(nxt) == width:
            body = nxt.rows
        else:
            break
        rows += _headings(headings, header, width, offset + 1)
        rows += [GridRow(offset + r.line, r.cells, r.spanned) for r in body]
        offset += nxt.rows[-1].line
        last, parts, joined = nxt, parts + len(headings), joined + 1
    if not joined:
        return first, 0
    # The first part's heading stands above the first table, or in a row of its own over its header.
    above = [text for text in (_only_text(r) for r in first.rows[:header.top]) if text]
    lead = above[-1:] if above and is_part_heading(above[-1]) else [line.strip() for line in before if line.strip()][-1:]
    if parts and lead and is_part_heading(lead[0]):
        at = header.index + 1
        rows[at:at] = _headings(lead, header, width, rows[at].line if at < len(rows) else offset)
    return Grid(rows=rows, before=before, after=last.context()[1], name=first.name, unit=first.unit,
                letters=first.letters), joined


def _carried_over(line: str, titles: set[str]) -> bool:
    """A "续表" line, a page number or the title repeated over the next page's part of the table."""
    return bool(_CONTINUED.search(line) or _PAGE_NO.match(line)) or line in titles


def _only_text(row: GridRow) -> str:
    filled = {c.strip() for c in row.cells if c.strip()}
    return filled.pop() if len(filled) == 1 else ""


# ---------------------------------------------------------------- sheets of a workbook


def sheet_parts(sheets: list[tuple[Grid, Header]], header: Header) -> list[tuple[Grid, Header]]:
    """The sheets that hold parts of one table with ``header``'s columns (one sheet per 股室, per quarter or per
    part), in workbook order; [] unless there are several and every sheet with these columns is named so."""
    same = [(grid, h) for grid, h in sheets if h.texts and h.texts == header.texts]
    if len(same) < 2 or not all(_part_sheet(grid.name) for grid, _ in same):
        return []
    return same


def _part_sheet(name: str) -> bool:
    bare = _BRACKETS.sub("", name)
    return 0 < len(bare) <= 20 and bool(
        _SECTION_NAME.search(bare) or is_period_label(bare) or _PART_NAME.match(bare))


def section_sheets(parts: list[tuple[Grid, Header]]) -> bool:
    """Whether the sheets' names are the lead sections of their rows: named like a 股室 with no such column."""
    return all(_SECTION_NAME.search(_BRACKETS.sub("", grid.name)) and not h.field_columns("sections")
               for grid, h in parts)


def join_sheets(parts: list[tuple[Grid, Header]], sections: bool) -> tuple[Grid, Header]:
    """The sheets as one grid under the first one's header, each sheet's rows under a row holding its name;
    with ``sections``, a last column holds each task row's sheet name, read as its lead section."""
    first, header = parts[0]
    header = replace(header, fields=dict(header.fields), labels=dict(header.labels), texts=dict(header.texts))
    width = max(_width(grid) for grid, _ in parts)
    extra = [width] if sections else []
    if sections:
        header.fields[width], header.labels[width] = "sections", SHEET_COLUMN
        header.texts[width] = normalize_header(SHEET_COLUMN)

    def pad(row: GridRow, offset: int, name: str | None) -> GridRow:
        cells = row.cells + [""] * (width - len(row.cells))
        # Only a task row gets the section: a note or heading row has one filled cell and must stay one.
        if extra:
            cells.append(name if name and sum(1 for c in row.cells if c.strip()) >= 2 else "")
        return GridRow(offset + row.line, cells, row.spanned)

    rows = [pad(r, 0, None) for r in [*_titles(parts), *first.rows[header.top:header.index + 1]]]
    if sections:
        rows[header.index].cells[width] = SHEET_COLUMN
    offset = 0
    places: dict[int, tuple[str, int]] = {}
    for grid, h in parts:
        body = grid.rows[h.index + 1:]
        rows += _headings([grid.name], header, width + len(extra), offset + (body[0].line if body else 1))
        rows += [pad(r, offset, grid.name) for r in body]
        places.update({offset + r.line: (grid.name, r.line) for r in body})
        offset += grid.rows[-1].line if grid.rows else 0
    joined = Grid(rows=rows, before=first.before, after=parts[-1][0].after, name="、".join(g.name for g, _ in parts),
                  unit=first.unit, letters=first.letters, places=places)
    return joined, header


def _titles(parts: list[tuple[Grid, Header]]) -> list[GridRow]:
    """The first sheet's rows above its header; a title naming its sheet ("2024年医政股重点工作…") loses the name
    when every sheet's title is the same but for its own name, for the title now covers them all."""
    first, header = parts[0]
    above = first.rows[:header.top]
    general = {tuple(c.replace(grid.name, "") for r in grid.rows[:h.top] for c in r.cells if c.strip())
               for grid, h in parts}
    named = all(any(grid.name in c for r in grid.rows[:h.top] for c in r.cells) for grid, h in parts)
    if not (named and len(general) == 1):
        return list(above)
    return [GridRow(r.line, [c.replace(first.name, "") for c in r.cells], r.spanned) for r in above]
