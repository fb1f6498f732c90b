"""From a grid and its header to validated rows: headings, numbers, roles in cells, columns nobody reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.tableimport import cells as C
from bot.tableimport.columns import choose_text_columns
from bot.tableimport.errors import ImportFailure
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import Header, normalize_header
from bot.tableimport.labels import read_roles
from bot.tableimport.meta import DocMeta, is_signature_line, read_meta
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
from bot.tableimport.numbering import fold_group_rows, qualify_sub_numbers, with_cells_of
from bot.tableimport.override import apply_columns
from bot.tableimport.periods import is_period_label, under_period
from bot.tableimport.readers.text import PointList
from bot.tableimport.roles import split_roles

_NOTE = re.compile(r"^(注|备注|说明|填表|制表|审核|审批|联系人|联系电话|签发|单位盖章|附注|合计|总计|共计)")
_TOTALS = re.compile(r"^(?:合\s*计|总\s*计|共\s*计)(?:[:：\s]|$|共?\d)")
# A part heading written across the table: "二、深化医药卫生体制改革", "（三）综合监管", "第一部分 …".
_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百]+(?:部分|篇|章|项)|[一二三四五六七八九十]{1,3}\s*[、.．]|"
                      r"[(（][一二三四五六七八九十]{1,3}[)）])")
_CN_NUMERAL = re.compile(r"^[(（]?[一二三四五六七八九十]{1,3}[)）]?[、.．]?$")
HEADING_MAX = 40
# A number written at the start of the task text when the table has no 序号 column: "1.", "1、", "（1）", "（一）".
_TEXT_NO = re.compile(r"^\s*(?:(\d{1,3})\s*[.．、)）]|[(（](\d{1,3}|[一二三四五六七八九十]{1,4})[)）]|"
                      r"([一二三四五六七八九十]{1,4})\s*[、.．])\s*")


class _Where:
    """Builds problems that name the file, the row and the column as the admin sees them."""

    def __init__(self, filename: str, grid: Grid, header: Header) -> None:
        self.filename, self.grid, self.header = filename, grid, header

    def problem(self, code: str, line: int, fld: str, **params: object) -> Problem:
        """A problem at ``line`` in the (first) column read as ``fld``."""
        cols = self.header.field_columns(fld)
        located: dict = {"file": self.filename, "line": line, "unit": self.grid.unit}
        if line in self.grid.places:
            located["sheet"], located["line"] = self.grid.places[line]
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
    carried_no: set[int] = field(default_factory=set)  # positions in rows whose 序号 came from a merged cell above
    carried_rows: list[int] = field(default_factory=list)  # lines of rows given cells of the row above by a guess
    previous: ParsedRow | None = None  # the task row just above, when nothing came between
    notes: list[str] = field(default_factory=list)  # heading or note rows since the last task
    levels: dict[int, str] = field(default_factory=dict)  # category column → its value in force
    heading: str | None = None  # the last group heading row ("一、…" across the table)

    # Worked out once per table from the header, not for every row.
    @cached_property
    def leaders_name_units(self) -> bool:
        """Whether a leaders column is named for sections too (责任领导/股室, 责任领导及责任科室)."""
        labels = self.where.header.labels
        return any(re.search(r"股|室|科|处|单位|部门", normalize_header(labels.get(c, ""))) for c in self.cols["leaders"])

    def value(self, cells: list[str], name: str) -> str:
        """The text of the column(s) read as ``name`` in this row."""
        return "\n".join(cells[c] for c in self.cols[name] if c < len(cells) and cells[c].strip())

    @cached_property
    def periods(self) -> dict[int, str]:
        """The deadline columns named after a period (第一季度, 3月底前), with their names."""
        labels = self.where.header.labels
        return {c: labels[c] for c in self.cols["deadline"] if is_period_label(labels.get(c, ""))}

    def schedule(self, cells: list[str]) -> str:
        """The deadline column(s) of this row; a column named after a period reads as "第一季度：…"."""
        texts = (
            under_period(self.periods[c], cells[c]) if c in self.periods else cells[c]
            for c in self.cols["deadline"] if c < len(cells)
        )
        return "\n".join(text for text in texts if text.strip())


def _row_text(cells: list[str]) -> str:
    return " ".join(dict.fromkeys(C.join_lines(c) for c in cells if c.strip()))


def prepare_header(grid: Grid, header: Header, mapping: dict[int, str] | None) -> None:
    """Settle which column is what: text columns by their content, then the admin's own mapping."""
    choose_text_columns(header, grid.rows[header.index + 1:])
    if mapping:
        cells = grid.rows[header.index].cells if 0 <= header.index < len(grid.rows) else []
        apply_columns(header, mapping, cells)
    if "content" not in header.fields.values():
        # "If only 任务 exists with no content column, the 任务 column is the content."
        for donor in ("title", "category"):
            cols = header.field_columns(donor)
            if cols:
                header.fields[cols[0]] = "content"
                break


def build_table(grid: Grid, header: Header, fmt: Format, filename: str, limits: ImportLimits,
                mapping: dict[int, str] | None = None, sheets: tuple[str, ...] = ()) -> ParsedTable:
    """Read every row under ``header``; collect all problems and raise them together."""
    prepare_header(grid, header, mapping)
    reading = _Reading(cols={name: header.field_columns(name) for name in FIELDS}, where=_Where(filename, grid, header))
    data = [r for r in grid.rows[header.index + 1:] if any(c.strip() for c in r.cells)]
    reading.heading = _first_part(grid.rows[:max(header.top, 0)], data)
    for row in data:
        if not _is_repeated_header(row.cells, header):
            _read_row(row, reading)
    cols = reading.cols
    rows = _split_shared_numbers(_number_rows(reading, bool(cols["no"]), header), reading)
    if reading.carried_rows:
        reading.warnings.append(RowWarning(reading.carried_rows[0], "cells_carried",
                                           {"count": len(reading.carried_rows)}))
    rows = fold_group_rows(qualify_sub_numbers(rows, reading.warnings), reading.warnings)
    rows = _number_across_parts(rows, reading)
    _check_duplicates(rows, reading.where, reading.problems)
    if len(rows) > limits.max_rows:
        reading.problems.append(Problem("import.too_many_rows", {"file": filename, "rows": len(rows),
                                                                 "limit": limits.max_rows}))
    if not rows and not reading.problems:
        reading.problems.append(Problem("import.no_rows", {"file": filename, "line": header.line, "unit": grid.unit}))
    if reading.problems:
        raise ImportFailure(reading.problems)
    before, after = grid.context()
    above = [_row_text(r.cells) for r in grid.rows[:max(header.top, 0)] if any(c.strip() for c in r.cells)]
    # A sheet named for its year ("2024年重点工作") says it when nothing above the table does.
    named = [grid.name] if grid.name and "年" in grid.name else []
    meta = read_meta([*before, *above, *named], [*reading.notes, *after], title_lines=above or None)
    columns = tuple(ColumnMap(f, header.labels.get(c, f), c) for c, f in sorted(header.fields.items()))
    unassigned = not (cols["leaders"] or cols["sections"])
    sheet = grid.name if sheets else None
    return _table(filename, fmt, meta, columns, rows, reading.warnings, unassigned=unassigned,
                  unmapped=unmapped_columns(grid, header, data), sheet=sheet,
                  other_sheets=tuple(name for name in sheets if name != sheet))


def unmapped_columns(grid: Grid, header: Header, data: list[GridRow]) -> tuple[ColumnMap, ...]:
    """Columns with text in their data rows that no field reads, so the preview can say so."""
    counts: dict[int, int] = {}
    for row in data:
        for col, cell in enumerate(row.cells):
            if col not in header.fields and col not in header.skipped and cell.strip():
                counts[col] = counts.get(col, 0) + 1
    head = grid.rows[header.index].cells if 0 <= header.index < len(grid.rows) else []
    return tuple(
        ColumnMap("", C.join_lines(head[col]) if col < len(head) else "", col, count)
        for col, count in sorted(counts.items())
        # A lone cell (a signature, a page number) is no column.
        if count >= max(2, len(data) // 10)
    )


def _heading(cells: list[str], content: str, numbered: bool, reading: _Reading) -> str | None:
    """The heading text when this row is a part heading across the table, not a task."""
    filled = list(dict.fromkeys(C.join_lines(c) for c in cells if c.strip()))
    if not filled:
        return None
    roles = any(reading.value(cells, name).strip() for name in ("leaders", "sections", "units", "deadline"))
    if roles:
        return None
    if len(filled) == 1:
        text = filled[0]
        if not content and not numbered:
            return text
        if _HEADING.match(text) and len(text) <= HEADING_MAX and not C.looks_like_no(text):
            return text
        return None
    # "二" in the 序号 column and the heading's words beside it.
    number = C.normalize_no(filled[0])
    # A heading may close with a stop ("二 | 聚焦…医改。") where the table names who does each task, so that
    # a task row always has someone beside it; in a table without such columns the stop marks a task.
    words = filled[1].rstrip("。") if any(reading.cols[n] for n in ("leaders", "sections", "units")) else filled[1]
    if len(filled) == 2 and _CN_NUMERAL.match(number) and len(filled[1]) <= HEADING_MAX \
            and not re.search(r"[。；;]", words):
        if _HEADING.match(filled[1]):
            return filled[1]
        # "（一） | 医共体建设": the brackets already end the number
        return f"{filled[0].strip()}{filled[1]}" if number[-1:] in ")）" else f"{number}、{filled[1]}".replace("、、", "、")
    return None


def _is_note_row(cells: list[str], content: str, reading: _Reading) -> bool:
    """A note (注：…) or a signature line under the table, also when it landed in the task column
    (a row merged across the table keeps its text in the first column, which may be the task's)."""
    filled = [C.join_lines(c) for c in cells if c.strip()]
    if not content:
        return bool(_NOTE.match(filled[0]))
    if len(filled) != 1 or any(reading.value(cells, n).strip() for n in ("leaders", "sections", "units", "deadline")):
        return False
    return bool(_NOTE.match(filled[0])) or is_signature_line(filled[0])


_PART_ONE = re.compile(r"^(?:一\s*[、.．]|[(（]一[)）]|第一部分)")
_PART_TWO = re.compile(r"^(?:二\s*[、.．]|[(（]二[)）]|第二部分)")


def _first_part(above: list[GridRow], data: list[GridRow]) -> str | None:
    """The first part's heading written over the header, when a second part's heading comes among the rows
    ("一、重点工作" / header / tasks / "二、常规工作" / header / tasks, in one sheet)."""
    filled = [row for row in above if any(c.strip() for c in row.cells)]
    lines = [C.join_lines(c) for row in filled[-1:] for c in row.cells if c.strip()]
    if len(lines) != 1 or not _PART_ONE.match(lines[0]):
        return None
    later = (next((C.join_lines(c) for c in row.cells if c.strip()), "") for row in data)
    return lines[0] if any(_PART_TWO.match(text) for text in later) else None


def _column_numbers(cells: list[str]) -> bool:
    """A row numbering the columns under the header ("1 | 2 | 3 | 4 | 5"), as printed forms have."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) >= 3 and filled == [str(n) for n in range(int(filled[0]), int(filled[0]) + len(filled))] \
        if filled and filled[0].isdecimal() else False


def _read_row(row: GridRow, reading: _Reading) -> None:
    cells, cols = row.cells, reading.cols
    if row.spanned and all(c in row.spanned for c, text in enumerate(cells) if text.strip()):
        return  # an empty row inside a merged cell: what it holds is the row's above
    if not reading.rows and _column_numbers(cells):
        return
    first = next((C.join_lines(c) for c in cells if c.strip()), "")
    if reading.rows and _TOTALS.match(first):  # "合计 | 4项": a count of the tasks above, not one
        reading.notes.append(" ".join(C.join_lines(c) for c in cells if c.strip()))
        reading.previous = None
        return
    content = "\n".join(t for t in (C.clean_text(cells[c]) for c in cols["content"] if c < len(cells)) if t)
    raw_no = reading.value(cells, "no")
    numbered = bool(raw_no) and C.looks_like_no(raw_no)
    if not numbered and _is_note_row(cells, content, reading):
        reading.notes.append(C.join_lines(next(c for c in cells if c.strip())))  # a note or signature under the table
        reading.previous = None
        return
    heading = _heading(cells, content, numbered, reading)
    if heading is not None:
        reading.notes.append(heading)
        reading.heading = _nested(reading.heading, heading)
        reading.levels.clear()
        reading.previous = None
        return
    reading.notes.clear()
    category = _category(cells, reading)
    if not content:
        reading.problems.append(
            reading.where.problem("import.missing_content", row.line, "content", no=C.normalize_no(raw_no)))
        return
    no = C.normalize_no(raw_no)
    sections, units = _lead_and_related(reading.value(cells, "sections"), reading.value(cells, "units"))
    leaders, named_units = C.people_and_units(C.split_people(reading.value(cells, "leaders")),
                                              named=reading.leaders_name_units)
    if named_units:  # 责任领导/股室: "王明/医政股", "王明（医政股）"
        sections, units = _distinct((*sections, *named_units), units)
    # "由王明同志牵头，医政股负责": a 责任分工 cell may name the leader among the units (beside a leaders column
    # he is listed there already)
    marked, sections = _marked_leaders(sections)
    leaders = leaders or marked
    parsed = ParsedRow(
        line=row.line,
        no=no,
        category=_under_heading(category, reading.heading),
        title=C.clean_text(reading.value(cells, "title")),
        content=content,
        leaders=leaders,
        sections=sections,
        units=units,
        deadline=C.clean_verbatim(reading.schedule(cells)),
        remarks=C.clean_verbatim(reading.value(cells, "remarks")),
    )
    if not no and cols["no"] and not any(c in row.spanned for c in cols["no"]) \
            and _wraps_onto(parsed, reading.previous):
        # The rest of the task above, typed or converted onto a row of its own: one task, not N-1 and N-2.
        reading.rows[-1] = reading.previous = _joined(reading.previous, parsed)  # type: ignore[arg-type]
        return
    below = _under_merged_number(parsed, reading.previous) if not no and cols["no"] else None
    if below is not None:
        parsed, no = below, below.no
        reading.carried_rows.append(row.line)
    if not no:
        reading.unnumbered.append(len(reading.rows))
    elif below is not None or any(c in row.spanned for c in cols["no"]):
        reading.carried_no.add(len(reading.rows))
    # A merged cell is explicit in a spreadsheet or page; in pasted text the reader only guessed it.
    roles = {c for name in ("leaders", "sections", "units", "deadline") for c in cols[name]}
    if reading.where.grid.unit == "line" and roles & row.spanned:
        reading.carried_rows.append(row.line)
    if cols["leaders"] and not parsed.leaders:
        reading.warnings.append(RowWarning(row.line, "missing_leader", {"no": no or "?"}))
    if cols["sections"] and not parsed.sections:
        reading.warnings.append(RowWarning(row.line, "missing_section", {"no": no or "?"}))
    reading.rows.append(parsed)
    reading.previous = parsed


_UNFINISHED = re.compile(r"[，,、；;：:（(\u4e00-\u9fff0-9A-Za-z]$")


def _wraps_onto(row: ParsedRow, above: ParsedRow | None) -> bool:
    """A row that only carries on the task above: its text goes on from a sentence the row above left unfinished
    ("…挂牌运行，"), it is not a numbered sub-item ("（1）…"), and it names no leader, section or deadline of its own."""
    if above is None or not above.no or row.leaders or row.sections or row.deadline:
        return False
    return bool(_UNFINISHED.search(above.content)) and not _TEXT_NO.match(row.content)


def _joined(above: ParsedRow, row: ParsedRow) -> ParsedRow:
    """The task above with the wrapped row's text and units added."""
    units = tuple(dict.fromkeys((*above.units, *row.units)))
    return ParsedRow(above.line, above.no, above.category, above.title, above.content + row.content, above.leaders,
                     above.sections, units, above.deadline, above.remarks)


def _under_merged_number(row: ParsedRow, above: ParsedRow | None) -> ParsedRow | None:
    """A row with an empty 序号 right under a numbered one, as a merged table saved to CSV or typed flat leaves
    an item's sub-row: it shares the number when one of its leader or unit cells is empty where the row above has
    one (the merged cell's value stayed in the first row), and takes the empty ones from it. None otherwise."""
    if above is None or not above.no:
        return None
    if not any(not getattr(row, name) and getattr(above, name) for name in ("leaders", "sections", "units")):
        return None
    return with_cells_of(row, above, no=above.no)


_LEVELS = ((re.compile(r"^第[一二三四五六七八九十百]+(?:部分|篇|章)"), 0), (re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]"), 1),
           (re.compile(r"^[(（][一二三四五六七八九十]{1,3}[)）]"), 2))


def _heading_level(heading: str) -> int | None:
    return next((level for pattern, level in _LEVELS if pattern.match(heading)), None)


_UNLEVELLED = 99  # a heading of no numbered level ranks below every level


def _nested(current: str | None, heading: str) -> str:
    """A heading under the one in force when it is a deeper level ("一、…" then "（一）…"): "一、… / （一）…"."""
    if current is None:
        return heading
    parts = current.split(" / ")
    level = _heading_level(heading)
    if level is None or _heading_level(parts[0]) is None:
        return heading
    levels = [_heading_level(part) for part in parts]
    kept = [part for part, at in zip(parts, levels, strict=True) if (_UNLEVELLED if at is None else at) < level]
    opens = re.match(r"^[(（]?一", heading) is not None or level in levels
    # "二、…" then "（三）…": a part numbered on in another style, not the first of a deeper level
    return " / ".join([*kept, heading]) if opens else heading


def _under_heading(category: str | None, heading: str | None) -> str | None:
    """A part-heading row above a category column is the level over it ("一、疾病防控 / (一)传染病防治")."""
    if not (category and heading) or heading in category:
        return category or heading
    return f"{heading} / {category}"


def _category(cells: list[str], reading: _Reading) -> str | None:
    """The category in force: each category column keeps its value (merged, or written once per group)
    until it changes, and a new value at one level clears the levels below it."""
    for col in reading.cols["category"]:
        value = C.clean_text(cells[col]) if col < len(cells) else None
        if value:
            if reading.levels.get(col) != value:
                for deeper in [c for c in reading.levels if c > col]:
                    del reading.levels[deeper]
            reading.levels[col] = value
    return " / ".join(reading.levels[c] for c in sorted(reading.levels)) or None


def _lead_and_related(lead_text: str, related_text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # "X牵头，Y配合" in a 责任单位 cell names both roles; the related part joins the related-units column. Roles
    # stated in the related column ("县人民医院牵头，县中医院配合") say which leads among them, not the bureau's lead.
    among = split_roles(related_text) if related_text.strip() else None
    related = (*among[0], *among[1]) if among else C.split_units(related_text)
    roles = split_roles(lead_text) if lead_text.strip() else None
    if roles is None:
        return _distinct(C.split_sections(lead_text), related)
    lead, also = roles
    return _distinct(lead, (*also, *related))


def _marked_leaders(sections: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(leaders, sections): the lead items marked as people (王明同志, 副局长王明) are the leaders."""
    names = [C.marked_person(item) for item in sections]
    leaders = tuple(dict.fromkeys(name for name in names if name))
    return leaders, tuple(item for item, name in zip(sections, names, strict=True) if not name)


def _distinct(lead: tuple[str, ...], related: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # A unit that leads is not also listed as related (主体责任单位 often repeats the lead).
    lead = tuple(dict.fromkeys(lead))
    return lead, tuple(u for u in dict.fromkeys(related) if u not in lead)


def _is_repeated_header(cells: list[str], header: Header) -> bool:
    return any(_repeats(cells, texts) for texts in (header.texts, header.other_texts) if texts)


def _repeats(cells: list[str], texts: dict[int, str]) -> bool:
    # A blank label (under a merged one) says nothing: an empty cell there is no sign of a repeated header.
    texts = {c: text for c, text in texts.items() if text}
    same = sum(
        1
        for c, text in texts.items()
        if c < len(cells) and len(cells[c]) <= 2 * len(text) + 8 and normalize_header(cells[c]) == text
    )
    return same >= max(2, (len(texts) + 1) // 2)


def _number_rows(reading: _Reading, has_no_column: bool, header: Header) -> list[ParsedRow]:
    rows = reading.rows
    if not reading.unnumbered:
        return rows
    if not has_no_column:
        written = _numbers_in_text(rows)
        if written is not None:
            reading.warnings.insert(0, RowWarning(header.line, "numbers_from_text", {"count": len(rows)}))
            return written
        reading.warnings.insert(0, RowWarning(header.line, "no_number_column", {"count": len(rows)}))
        return [_renumber(row, str(i)) for i, row in enumerate(rows, start=1)]
    taken = {row.no for row in rows}
    numeric = [int(n) for n in taken if n.isdecimal()]
    next_no = max(numeric, default=0) + 1
    rows = list(rows)
    for position in reading.unnumbered:
        while str(next_no) in taken:
            next_no += 1
        rows[position] = _renumber(rows[position], str(next_no))
        reading.warnings.append(RowWarning(rows[position].line, "number_assigned", {"no": str(next_no)}))
        taken.add(str(next_no))
    return rows


def _numbers_in_text(rows: list[ParsedRow]) -> list[ParsedRow] | None:
    """Rows numbered by the number their text starts with, when every row has one and none repeats."""
    numbered = []
    for row in rows:
        match = _TEXT_NO.match(row.content)
        if match is None:
            return None
        no = next(g for g in match.groups() if g)
        rest = row.content[match.end():].strip()
        if not rest:
            return None
        numbered.append(_renumber(row, no, rest))
    if len({r.no for r in numbered}) != len(numbered):
        return None
    return numbered


def _renumber(row: ParsedRow, no: str, content: str | None = None) -> ParsedRow:
    return ParsedRow(row.line, no, row.category, row.title, content or row.content, row.leaders, row.sections,
                     row.units, row.deadline, row.remarks)


def _split_shared_numbers(rows: list[ParsedRow], reading: _Reading) -> list[ParsedRow]:
    """Rows under one 序号 cell merged over the sub-tasks of one item become N-1, N-2, …; a number typed
    again on another row stays a duplicate (the admin must fix it)."""
    out = list(rows)
    taken = {row.no for row in rows}
    start = 0
    while start < len(out):
        end = start + 1
        while end < len(out) and end in reading.carried_no and out[end].no == out[start].no:
            end += 1
        count = end - start
        subs = [f"{out[start].no}-{k}" for k in range(1, count + 1)]
        if count > 1 and not taken.intersection(subs):
            reading.warnings.append(RowWarning(out[start].line, "number_shared", {"no": out[start].no,
                                                                                  "count": count}))
            for k in range(start, end):
                out[k] = _renumber(out[k], subs[k - start])
        start = end
    return out


def _number_across_parts(rows: list[ParsedRow], reading: _Reading) -> list[ParsedRow]:
    """Rows numbered 1–N in order when the 序号 starts again at 1 under each part (category or heading),
    as many tables number their tasks: every repeat must be such a restart, else duplicates stay errors."""
    numbers = [row.no for row in rows]
    if len(set(numbers)) == len(numbers) or not all(n.isdecimal() for n in numbers):
        return rows
    restarts = [i for i in range(1, len(rows)) if int(numbers[i]) <= int(numbers[i - 1])]
    if not all(numbers[i] == "1" and rows[i].category != rows[i - 1].category for i in restarts):
        return rows
    reading.warnings.append(RowWarning(rows[restarts[0]].line, "numbers_restart", {"count": len(rows)}))
    return [_renumber(row, str(n)) for n, row in enumerate(rows, start=1)]


def _check_duplicates(rows: list[ParsedRow], where: _Where, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.no in first:
            problems.append(where.problem("import.duplicate_no", row.line, "no", no=row.no, first_line=first[row.no]))
        else:
            first[row.no] = row.line


def _table(filename: str, fmt: Format, meta: DocMeta, columns: tuple[ColumnMap, ...], rows: list[ParsedRow],
           warnings: list[RowWarning], *, unassigned: bool, **sources: object) -> ParsedTable:
    # ``sources``: the sheet read, the other sheets and the columns nobody reads, where the reader knows them.
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
        year_source=meta.year_source,
        year_evidence=meta.year_evidence,
        **sources,  # type: ignore[arg-type]
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
        roles = read_roles(point.labels, content)
        rows.append(ParsedRow(
            line=point.line,
            no=str(index if renumber else point.number),
            category=point.category,
            title=C.first_sentence(roles.text.split("\n")[0]),
            content=roles.text,
            leaders=roles.leaders,
            sections=roles.sections,
            units=roles.units,
            deadline=roles.deadline,
        ))
    meta = read_meta(points.before, points.after)
    unassigned = not any(row.leaders or row.sections for row in rows)
    return _table(filename, fmt, meta, (), rows, warnings, unassigned=unassigned)


def _first_repeat(points: PointList) -> int:
    seen: set[int] = set()
    for point in points.points:
        if point.number in seen:
            return point.line
        seen.add(point.number)
    return points.points[0].line
