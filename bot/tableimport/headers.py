"""Header rows: whatever a bureau called its columns, which column holds which field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from bot.tableimport.cells import join_lines, looks_like_no
from bot.tableimport.grid import GridRow
from bot.tableimport.periods import is_period_label

# Exact names seen in published tables (compared after normalize_header()).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "no": ("序号", "编号", "序", "排序", "NO", "项次"),
    "category": ("工作任务", "重点工作任务", "任务", "重点任务", "类别", "工作类别", "任务类别", "重点工作", "主要任务",
                 "目标任务", "工作重点", "工作目标", "分类", "板块", "领域", "重点领域", "指标", "考核指标", "指标名称",
                 "年度目标"),
    # 民生实事 / 为民办实事 / 督办 tables name the task column after the kind of item it lists.
    "title": ("任务名称", "工作事项", "事项", "项目名称", "工作项目", "事项名称", "任务事项", "名称", "项目", "民生实事",
              "实事项目", "民生实事项目", "实事名称", "为民办实事", "督办事项", "办理事项", "重点事项", "重点项目"),
    "content": ("具体内容", "具体内容及时间节点", "具体内容及时间节点安排", "细化分工", "具体要求", "工作内容", "主要内容",
                "工作措施", "具体措施", "主要措施", "工作要求", "任务内容", "重点工作内容", "具体工作", "工作举措",
                "目标要求", "推进措施", "具体任务", "任务分解", "工作任务及要求", "具体工作内容", "内容"),
    "leaders": ("牵头领导", "责任领导", "分管领导", "领导", "牵头局领导", "分管局领导", "责任局领导", "联系领导",
                "包保领导", "局领导", "牵头负责领导", "责任人", "负责人"),
    "sections": ("牵头股室站", "牵头股室", "责任股室", "责任处室", "责任科室", "牵头科室", "牵头单位", "责任单位",
                 "主体责任单位", "牵头处室", "牵头部门", "责任部门", "责任股室站", "承办股室", "承办科室", "主办单位",
                 "责任主体", "牵头股室单位", "责任股站", "牵头股站",
                 # roles in words in one cell ("王明同志牵头，医政股负责，疾控股配合"), split when read
                 "责任分工", "职责分工", "任务分工", "分工", "责任单位及分工", "牵头及配合单位", "分工负责",
                 "责任科", "牵头科", "责任股", "牵头股", "主责部门", "主责单位"),
    "units": ("相关责任单位", "配合单位", "配合责任单位", "协办单位", "参与单位", "配合股室", "配合科室", "配合部门",
              "协同单位", "相关单位", "协作单位", "参与部门", "配合股室站", "相关股室", "责任单位配合"),
    "deadline": ("完成时限", "时限要求", "时间节点", "完成时间", "时间安排", "完成期限", "时限", "截止时间", "进度安排",
                 "完成时间节点", "办结时限", "时间要求", "完成时限要求", "完成时限及要求", "时间节点及要求", "时限及要求",
                 "完成时间及要求", "完成节点", "节点要求", "计划完成时间", "结束时间", "完成日期", "办结时间"),
    "remarks": ("备注", "说明", "备考"),
}

# Fallback for names not listed: the first rule whose word occurs in the header decides.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("序号", "编号")),
    ("remarks", ("备注",)),
    ("content", ("内容", "措施", "举措", "要求", "要点", "细化分工", "具体工作")),
    ("leaders", ("领导", "责任人", "负责人")),
    ("units", ("配合", "协办", "参与", "协同", "协作", "相关责任", "相关单位")),
    ("deadline", ("时限", "期限", "完成时间", "时间节点", "时间安排", "截止", "时间", "节点")),
    ("sections", ("股室", "处室", "科室", "单位", "部门", "牵头", "责任主体")),
    ("title", ("名称", "事项", "实事")),
    ("category", ("任务", "类别", "重点工作", "分类")),
)

# Columns no field is read from, although their names hold a field's word: when work starts (开始时间 is no
# deadline), last quarter's progress and the next steps (下一步工作措施 is no task text), a supervision grade
# (督办类别 A/B/C is no category), a contact.
_NOT_READ = re.compile(r"开始|起始|启动|实际|下一步|下步|打算|进展|完成情况|落实情况|推进情况|存在问题|督办|督查|联系")

TEXT_FIELDS = ("content", "title", "category")
MAX_HEADER = 20
MAX_KEYWORD_HEADER = 12
_TITLE_LIKE = re.compile(r"\d|表$|清单$|[。]")
SCAN_ROWS = 40

_TRADITIONAL_SOURCE = "號務領導牽頭責單關體內時間節點備註處門協辦與參項細類別題稱劃標準實際輔幫機構負擔議組織計劃現狀況據說員會廳"
_TRADITIONAL = str.maketrans(dict(zip(
    _TRADITIONAL_SOURCE,
    "号务领导牵头责单关体内时间节点备注处门协办与参项细类别题称划标准实际辅帮机构负担议组织计划现状况据说员会厅",
)))
_DROP = re.compile(r"[\s()（）\[\]【】<>《》〈〉:：*＊#、/\\\-—_.·,，;；\"'“”‘’]+")
# A year in a label ("2025年重点任务", "2024-2026年目标") says when, not what the column holds.
_YEARS = re.compile(r"(?:19|20)\d{2}(?:\s*[-—–~～至到]\s*(?:19|20)?\d{2})?\s*年?度?")
# A label numbered in its header cell ("1.序号", "2、工作任务"): the number is no part of the name.
_LABEL_NO = re.compile(r"^\d{1,2}(?=[^\d])")
_BRACKETED = re.compile(r"[(（\[【〔][^()（）\[\]【】〔〕]{0,12}[)）\]】〕]")


@lru_cache(maxsize=8192)
def normalize_header(text: str) -> str:
    """Header text for comparison: NFKC, simplified, no years, whitespace, brackets or punctuation."""
    value = _YEARS.sub("", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))
    return _LABEL_NO.sub("", _DROP.sub("", value).upper())


@lru_cache(maxsize=8192)
def _without_brackets(text: str) -> str:
    # "主要工作任务（目标）", "牵头股室（站）": the bracketed words qualify the name before them.
    value = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    return normalize_header(_BRACKETED.sub("", value))


_EXACT = {normalize_header(name): fld for fld, names in SYNONYMS.items() for name in names}
# Every character a header can be made of, in simplified and traditional forms: a quick way to skip
# paragraphs (numbers, names, sentences of other words) that cannot be a header or a piece of one.
_ALL_NAMES = "".join(_EXACT) + "".join(w for _, words in KEYWORDS for w in words) + _TRADITIONAL_SOURCE
HEADER_CHARS = frozenset(_ALL_NAMES + _ALL_NAMES.lower())


@lru_cache(maxsize=8192)
def match_header(text: str) -> tuple[str | None, bool]:
    """The field a header names and whether the name was an exact synonym; (None, False) if none."""
    key = normalize_header(text)
    if not key or len(key) > MAX_HEADER:
        return None, False
    if key in _EXACT:
        return _EXACT[key], True
    bare = _without_brackets(text)
    if bare in _EXACT:
        return _EXACT[bare], True
    key = bare or key
    if len(key) > MAX_KEYWORD_HEADER or _TITLE_LIKE.search(key):
        return None, False  # a title ("2024年…分解表") or a data cell, not a column name
    if _NOT_READ.search(key):
        return None, False
    for fld, words in KEYWORDS:
        if any(word in key for word in words):
            return fld, False
    return None, False


def display_header(text: str) -> str:
    """A header as shown back to the admin: its lines joined ("牵头\\n领导" → "牵头领导")."""
    return join_lines(text)


@dataclass
class Header:
    """The header found in a grid: its row(s) and which column was read as which field."""

    index: int  # position in grid.rows of the (last) header row
    line: int
    fields: dict[int, str]  # column → field
    labels: dict[int, str]  # column → header text as written
    texts: dict[int, str] = field(default_factory=dict)  # column → normalized header, to spot repeats
    other_texts: dict[int, str] = field(default_factory=dict)  # the same for the other row of a two-row header
    skipped: set[int] = field(default_factory=set)  # columns the admin said not to read
    score: tuple[int, int] = (0, 0)
    first: int | None = None  # position of the first header row, when the header has two (else index)

    @property
    def top(self) -> int:
        """Position in grid.rows of the first header row: what is above it is the title and notes."""
        return self.index if self.first is None else min(self.first, self.index)

    def field_columns(self, name: str) -> list[int]:
        """The columns read as field ``name``, left to right."""
        return [c for c, f in sorted(self.fields.items()) if f == name]


def _row_matches(cells: list[str]) -> dict[int, tuple[str, bool]]:
    found: dict[int, tuple[str, bool]] = {}
    for col, cell in enumerate(cells):
        if cell and len(cell) <= 40:
            fld, exact = match_header(cell)
            if fld:
                found[col] = (fld, exact)
            elif is_period_label(cell):  # 一季度 | 二季度 | …: the schedule, a column per period
                found[col] = ("deadline", False)
    return found


def _score(matches: dict[int, tuple[str, bool]]) -> tuple[int, int]:
    fields = {f for f, _ in matches.values()}
    if len(fields) < 2 or not fields & set(TEXT_FIELDS):
        return (0, 0)
    return (len(fields), sum(1 for _, exact in matches.values() if exact))


def find_header(rows: list[GridRow]) -> Header | None:
    """The best header among the first rows: most fields named, then most exact names, then the earliest."""
    best: tuple[tuple[int, int], int, dict[int, tuple[str, bool]]] | None = None
    seen = 0
    for index, row in enumerate(rows):
        if not any(c.strip() for c in row.cells):
            continue
        seen += 1
        if seen > SCAN_ROWS:
            break
        matches = _row_matches(row.cells)
        score = max(_score(matches), _score_with_subheader(rows, index, matches))
        if score > (0, 0) and (best is None or score > best[0]):
            best = (score, index, matches)
    if best is None:
        return None
    score, index, matches = best
    header = Header(
        index=index,
        line=rows[index].line,
        fields={c: f for c, (f, _) in matches.items()},
        labels={c: display_header(rows[index].cells[c]) for c in matches},
        score=score,
    )
    _merge_subheader(rows, header)
    _resolve(header)
    header.texts = {c: normalize_header(rows[index].cells[c]) for c in header.fields if c < len(rows[index].cells)}
    # A header repeated on every page repeats both its rows: the row under it, or (when merged cells were
    # filled down so that the second row names every column and won) the row above it.
    other = header.index if header.index != index else _parent_row(rows, index, header.texts)
    header.first = index if header.index != index else other
    if other is not None:
        cells = rows[other].cells
        header.other_texts = {c: normalize_header(cells[c]) for c in header.fields if c < len(cells) and cells[c].strip()}
    return header


def _labels_only(cells: list[str], least: int) -> bool:
    """At least ``least`` filled cells, every one short enough for a column name and none a row number."""
    filled = [c for c in cells if c.strip()]
    return len(filled) >= least and not any(len(c) > MAX_HEADER or looks_like_no(c) for c in filled)


def _score_with_subheader(rows: list[GridRow], index: int, matches: dict[int, tuple[str, bool]]) -> tuple[int, int]:
    """The score of a row together with a second header row naming the columns under its merged labels
    ("责任分工" over 牵头领导 | 牵头股室 | 配合单位): CSV and pasted text leave the first row blank there."""
    if not matches or index + 1 >= len(rows):
        return (0, 0)
    top, sub = rows[index].cells, rows[index + 1].cells
    if not (_labels_only(top, 2) and _labels_only(sub, 1)):  # a title or note row is one long cell
        return (0, 0)
    extra = {c: m for c, m in _row_matches(sub).items() if c >= len(top) or not top[c].strip()}
    return _score({**matches, **extra}) if extra else (0, 0)


def _parent_row(rows: list[GridRow], index: int, texts: dict[int, str]) -> int | None:
    """The first of two header rows, above the header found: it repeats a label of the header (merged down)
    and holds only short labels in several cells (not a title, a note or a task)."""
    if index == 0:
        return None
    cells = rows[index - 1].cells
    if not _labels_only(cells, 2):
        return None
    same = any(text and c < len(cells) and normalize_header(cells[c]) == text for c, text in texts.items())
    return index - 1 if same else None


def _merge_subheader(rows: list[GridRow], header: Header) -> None:
    # A second header row under merged cells: "责任单位" over "牵头单位 | 配合单位".
    nxt = header.index + 1
    if nxt >= len(rows):
        return
    parent_cells = rows[header.index].cells
    sub_cells = rows[nxt].cells
    filled = [c for c in sub_cells if c.strip()]
    months = "月" in normalize_header(" ".join(parent_cells))  # "时间进度（月）" over 1 | 2 | … | 12: no 序号 row
    if not filled or any(len(c) > MAX_HEADER or (looks_like_no(c) and not (months and c.strip().isdecimal()))
                         for c in filled):
        return
    sub = _row_matches(sub_cells)

    def parent_of(col: int) -> str:
        left = range(min(col, len(parent_cells) - 1), -1, -1)
        return next((parent_cells[c] for c in left if parent_cells[c].strip()), "")

    # Only under a merged parent: the sub row names a column the header row leaves blank, or splits the
    # schedule into periods ("时间进度安排" over 第一季度 | 第二季度 | …).
    under_blank = any(
        col >= len(parent_cells) or not parent_cells[col].strip() for col, (_, exact) in sub.items() if exact
    )
    # Two periods side by side are a schedule whatever the parent is called (推进计划, 目标进度, 形象进度 …).
    def month_number(col: int, cell: str) -> bool:  # "时间进度（月）" over 1 | 2 | … | 12
        text = cell.strip()
        return text.isdecimal() and 1 <= int(text) <= 12 and "月" in normalize_header(parent_of(col))

    period_cols = [col for col, cell in enumerate(sub_cells) if is_period_label(cell) or month_number(col, cell)]
    periods = len(period_cols) >= 2 or any(match_header(parent_of(col))[0] == "deadline" for col in period_cols)
    if not (under_blank or periods):
        return
    for col, cell in enumerate(sub_cells):
        if not cell.strip():
            continue
        parent = parent_of(col)
        if normalize_header(cell) == normalize_header(parent):
            continue
        if _NOT_READ.search(normalize_header(cell)):  # 时间节点 over 开始时间 | 完成时间: the start is no deadline
            header.fields.pop(col, None)
            header.labels.pop(col, None)
            continue
        fld, exact = match_header(cell)
        combined, combined_exact = match_header(parent + cell)
        if combined_exact and not exact:
            fld, label = combined, display_header(parent + cell)
        elif fld:
            label = display_header(cell)
        elif periods and col in period_cols:
            fld, label = "deadline", f"{int(cell)}月" if cell.strip().isdecimal() else display_header(cell)
        else:
            continue
        header.fields[col] = fld
        header.labels[col] = label
    header.index = nxt
    header.line = rows[nxt].line


def _resolve(header: Header) -> None:
    # One column per field, except: a second lead-section column is the related units when none is named,
    # and several columns of the other fields are read together. Competing text columns (category, title,
    # content) all stay: which is which is decided by what they hold (columns.choose_text_columns).
    seen: dict[str, int] = {}
    for col in sorted(header.fields):
        fld = header.fields[col]
        if fld not in seen:
            seen[fld] = col
            continue
        if fld == "sections" and "units" not in header.fields.values():
            header.fields[col] = "units"
            seen["units"] = col
        elif fld == "no":
            del header.fields[col]
            header.labels.pop(col, None)
    # 责任领导 | 责任股室 | 责任人: beside a column naming the leaders, a 责任人/负责人 is the section's own person.
    leaders = header.field_columns("leaders")
    if any("领导" in header.labels.get(c, "") for c in leaders):
        for col in leaders:
            if "领导" not in header.labels.get(col, ""):
                del header.fields[col]
    # "牵头责任单位 | 主体责任单位 | 配合单位": beside a column named as the lead, other unit columns are related.
    lead = [c for c in header.field_columns("sections") if "牵头" in normalize_header(header.labels.get(c, ""))]
    if lead:
        for col in header.field_columns("sections"):
            if col not in lead:
                header.fields[col] = "units"
