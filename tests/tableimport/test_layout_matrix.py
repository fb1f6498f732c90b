"""The real 45-row 2023 table re-rendered into the layouts other bureaus publish, in every format one can write.

Each layout changes many things at once: column order, header words (with years, brackets, line breaks), rows
above the header (title, 填报说明, blank, a 发文字号), two-row headers, the category as merged cells, repeated text,
part-heading rows or numbered headings (and part headings over a category column), 序号 styles (numbers, 1.,
full width, restarting in each part, in the task text, none), two leaders in a cell and their posts, lead and
related units in two columns or in one cell in words, a deadline column (words, dates, date cells, mixed) or dates
in the text, notes and signatures below, empty rows, a header repeated at a page break, merged leader cells, a
notes sheet. The layouts are a seeded sample (not the product) checked to cover every value of every dimension;
each is written as xlsx, docx, csv (UTF-8 and GBK), html and pasted Excel cells. Every row must read as the
hand-read expected.json says, plus its dated milestones and the table's year.

Left out as ambiguous: numeric dates inside running text (2023.9.30完成; bot.timenodes reads them only in a
deadline column), a trailing 等 of a unit in a units column (kept as written) versus roles in words (dropped),
and merged cells in CSV or pasted text (they have none: every row keeps its own value there).
"""

from __future__ import annotations

import csv
import html
import io
import random
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from bot.services.import_plan import document_year, plan_tasks
from bot.tableimport import ImportFailure, read_table
from tests.tableimport.builders import expected_rows

YEAR = 2023
# Titles as bureaus word them; the last has no year, and a 发文字号 line above it gives one.
TITLES = ("2023年全市卫生健康重点工作责任分解表", "沅江市卫生健康局2023年重点工作任务分工方案",
          "2023年度卫生健康重点工作台账", "全市卫生健康重点工作责任清单")
DOC_NUMBER = "沅卫发〔2023〕12号"
# Dated milestones of the sample's own text (read by hand): 完成2023年…/2025年达…目标, 今年…, 10月底前.
TEXT_DATES = {2: {"2023-12-31", "2025-12-31"}, 8: {"2023-12-31"}, 11: {"2023-10-31"}}
# Deadline phrases a deadline column (or the text) gives, with the date each means.
DEADLINES = {
    "words": (("6月底前", "2023-06-30"), ("2023年9月30日前", "2023-09-30"), ("10月底", "2023-10-31"),
              ("年底前", "2023-12-31"), ("12月31日前", "2023-12-31"), ("第三季度", "2023-09-30")),
    # Dates as such; an xlsx stores the ISO ones as date cells.
    "dates": (("2023年6月30日", "2023-06-30"), ("2023.9.30", "2023-09-30"), ("2023/10/31", "2023-10-31"),
              ("2023-12-31", "2023-12-31"), ("2023-06-30", "2023-06-30"), ("2023年11月", "2023-11-30")),
    # Some rows dated, others ongoing, recurring or vague (no date: the task text's own dates count).
    "mixed": (("长期坚持", None), ("每季度", None), ("6月底前", "2023-06-30"), ("持续推进", None),
              ("2023年底", "2023-12-31"), ("按序时推进", None)),
}
# Part headings over the categories (a second level), by the first task of each part.
PARTS = {1: "一、疫情防控与医药卫生体制改革", 15: "二、医疗服务与公共卫生", 35: "三、党建、考核与监管"}
# A leader's post written with the name: none, in brackets after it, or before it.
POST_STYLES = ("", "brackets", "before")
SECOND_LEADER = {"李康民": "胡立军", "胡立军": "王卫健", "王卫健": "肖凤毛", "肖凤毛": "龚志良", "龚志良": "李康民"}

# Column orders seen in published tables (category is dropped when it is written as heading rows).
ORDERS = (
    ("no", "category", "content", "leaders", "sections", "units"),
    ("category", "content", "leaders", "sections", "units", "no"),  # 序号 last
    ("category", "content", "no", "sections", "units", "leaders"),  # 序号 after the task, leaders after units
    ("no", "category", "content", "sections", "units", "leaders"),
    ("category", "no", "content", "leaders", "sections", "units"),
    ("no", "content", "category", "leaders", "sections", "units"),  # the category after the task
)
# (category, content) header pairs: the task is called 工作任务 in one table and the category in the next.
TEXT_LABELS = (("工作任务", "具体内容及时间节点"), ("类别", "工作任务"), ("工作类别", "重点任务"),
               ("重点任务", "具体内容"), ("任务类别", "主要任务"), ("2023年重点任务", "工作措施"),
               ("工作类别", "主要工作任务（目标）"), ("重点工作", "具体内容"), ("工作任务", "具体内容及\n时间节点"))
NO_LABELS = ("序号", "编号", "序 号")
LEADER_LABELS = ("责任领导", "分管领导", "牵头领导", "牵 头\n领 导", "牵头局领导")
SECTION_LABELS = ("牵头股室", "责任股室", "牵头科室", "牵头单位", "牵头股室（站）", "责任单位")
# 责任单位 after a lead column (牵头股室, or even 责任股室) is the related units.
UNIT_LABELS = ("相关责任单位", "配合单位", "协办单位", "责任单位", "参与单位")
DEADLINE_LABELS = ("完成时限", "时间节点", "完成时间")
# heading: a part-heading row across the table; numbered: its numeral in the 序号 column, the words beside it.
CATEGORY_MODES = ("merged", "repeated", "heading", "numbered")
LEADER_JOINS = ("、", "，", "\n", " ")
SECTION_JOINS = ("、", "，", "；", "\n")
# 1 / 1. / １ in a 序号 column, or starting at 1 again in each part (read as 1–45 in order); "1、" or "（1）"
# opening the task text with no 序号 column; no numbers at all.
NUMBERS = ("plain", "dotted", "wide", "per part", "in text", "none")
DEADLINE_MODES = ("none", "column", "text")
DEADLINE_STYLES = tuple(DEADLINES)
# Lead and related units in two columns, or in one cell with the roles in words ("X牵头，Y配合").
ROLE_MODES = ("columns", "one cell")
ONE_CELL_LABELS = ("责任单位", "责任股室（单位）", "承办单位")
NONE_MARKS = ("", "/", "无", "—")
BELOW = ((), ("note",), ("signature",), ("note", "signature"))
ABOVE = ((), ("title",), ("title", "note"), ("blank",), ("title", "blank"), ("note",))
# A two-row header: a parent label spanning the columns under it (only where they stand side by side).
TWO_ROWS = ("", "责任单位", "责任分工")
EXTRA = ("", "remarks", "empty")  # a trailing 备注 column with a few notes, or a 完成情况 column left empty
FORMATS = ("xlsx", "docx", "csv", "csv-gbk", "html", "paste")  # paste: cells copied from Excel (tab-separated)
LAYOUTS = 48
SPLIT_AT = 21  # the task before which a page break repeats the header


@dataclass(frozen=True)
class Layout:
    """One way of publishing the table."""

    order: tuple[str, ...]
    labels: dict[str, str]
    category: str
    join: str
    section_join: str
    numbers: str
    deadline: str
    above: tuple[str, ...]
    two_rows: str
    offset: bool  # the table starts one column in (an empty column A)
    deadline_style: str = "words"
    title: str = TITLES[0]
    none_mark: str = ""  # what an empty units cell holds
    wrapped: bool = False  # the task text broken into lines after its first sentence
    notes_sheet: bool = False  # a workbook opens on a 填报说明 sheet
    merge_roles: bool = False  # one leader (and deadline) cell merged over adjacent rows that share it
    posts: str = ""  # a post written with each leader's name (POST_STYLES)
    parts: bool = False  # part-heading rows over a category column
    caption: bool = False  # a web page puts the title in the table's <caption>
    below: tuple[str, ...] = ()
    gaps: bool = False  # an empty row after every tenth task
    split: bool = False  # the header repeated part-way down (a docx: a second table, as a page break leaves it)

    def __str__(self) -> str:
        return (f"order={'/'.join(self.order)} labels={'/'.join(self.labels.values())!r} category={self.category} "
                f"join={self.join!r}/{self.section_join!r} numbers={self.numbers} deadline={self.deadline} "
                f"above={self.above} two_rows={self.two_rows} offset={self.offset} style={self.deadline_style} "
                f"below={self.below} gaps={self.gaps} split={self.split} title={self.title} "
                f"none={self.none_mark!r} wrapped={self.wrapped} notes_sheet={self.notes_sheet} "
                f"merge_roles={self.merge_roles} posts={self.posts} parts={self.parts} "
                f"caption={self.caption}")

    def spanned(self) -> tuple[str, ...]:
        """The fields under the two-row header's parent label."""
        return {"责任单位": ("sections", "units"), "责任分工": ("leaders", "sections", "units")}.get(self.two_rows, ())


def _adjacent(order: tuple[str, ...], fields: tuple[str, ...]) -> bool:
    at = order.index(fields[0])
    return order[at:at + len(fields)] == fields


def _layouts() -> list[Layout]:
    # A seeded sample rather than the product (which runs to millions); every value of every dimension
    # appears (checked below), in many combinations with the others.
    pick = random.Random(1).choice
    out = []
    for _ in range(LAYOUTS):
        order = pick(ORDERS)
        category, deadline, numbers = pick(CATEGORY_MODES), pick(DEADLINE_MODES), pick(NUMBERS)
        if numbers in ("in text", "none"):
            order = tuple(f for f in order if f != "no")
        if category == "numbered" and order[0] != "no":
            category = "heading"  # a numeral in a 序号 column further right is no heading bureaus write
        if category in ("heading", "numbered"):
            order = tuple(f for f in order if f != "category")
        if deadline == "column":
            at = pick((order.index("content") + 1, len(order)))
            order = order[:at] + ("deadline",) + order[at:]
        extra = pick(EXTRA)
        if extra:
            order += (extra,)
        if pick(ROLE_MODES) == "one cell":
            at = order.index("sections")
            order = tuple(f for f in order[:at] + ("roles",) + order[at:] if f not in ("sections", "units"))
        two_rows = pick(TWO_ROWS)
        fields = {"责任单位": ("sections", "units"), "责任分工": ("leaders", "sections", "units")}.get(two_rows)
        if fields and ("roles" in order or not _adjacent(order, fields)):
            two_rows = ""
        cat_label, content_label = pick(TEXT_LABELS)
        labels = {
            "no": pick(NO_LABELS), "category": cat_label, "content": content_label, "leaders": pick(LEADER_LABELS),
            "sections": pick(SECTION_LABELS), "units": pick(UNIT_LABELS), "deadline": pick(DEADLINE_LABELS),
            "remarks": "备注", "empty": "完成情况", "roles": pick(ONE_CELL_LABELS),
        }
        if two_rows == "责任单位":
            labels["sections"], labels["units"] = "牵头单位", "配合单位"
        if labels["units"] == labels["sections"]:  # "责任单位 | 责任单位" is no table anyone publishes
            labels["units"] = "配合单位"
        labels = {f: labels[f] for f in order}
        out.append(Layout(
            order, labels, category, pick(LEADER_JOINS), pick(SECTION_JOINS), numbers, deadline, pick(ABOVE),
            two_rows, offset=pick((False, False, True)), deadline_style=pick(DEADLINE_STYLES), below=pick(BELOW),
            gaps=pick((False, True)), split=pick((False, True)), title=pick(TITLES), none_mark=pick(NONE_MARKS),
            wrapped=pick((False, True)), notes_sheet=pick((False, True)), merge_roles=pick((False, True)),
            posts=pick(POST_STYLES), parts=category in ("merged", "repeated") and pick((False, True)),
            caption=pick((False, True))))
    return out


@dataclass
class Sheet:
    """A logical table: rows of cell text, merged ranges (r0, c0, r1, c1 inclusive) and text above it."""

    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]]
    paragraphs: list[str]
    splits: list[int]  # rows where a repeated header starts (a docx starts a new table there)


def _wanted(fixtures: Path, layout: Layout) -> list[dict]:
    """Every row as it must read in ``layout``."""
    rows: list[dict] = []
    part = ""
    for index, task in enumerate(expected_rows(fixtures)["tasks"]):
        no = task["no"]
        leaders = list(task["leaders"])
        if no % 4 == 0:
            leaders.append(SECOND_LEADER[leaders[0]])
        dates = set(TEXT_DATES.get(no, ()))
        # Numeric dates (2023.9.30, 2023-12-31) count only in a deadline column: inside running text they are as
        # often a page's metadata (bot.timenodes), so the text is given dates in words.
        style = layout.deadline_style if layout.deadline == "column" else "words"
        phrase, due = DEADLINES[style][index % 6]
        content = task["content"]
        deadline = ""
        if layout.deadline == "column":
            deadline, dates = phrase, dates | ({due} if due else set())
            if no % 9 == 0:  # a yearly total beside a dated deadline column adds no year end (else it does)
                content += "全年服务群众10万人次。"
                dates |= set() if due else {"2023-12-31"}
        elif layout.deadline == "text":
            content, dates = f"{content}{phrase}完成。", dates | {due}
        remarks = "纳入年度绩效考核" if "remarks" in layout.order and no % 7 == 0 else ""
        units = task["units"]
        if "roles" in layout.order:
            # Roles in words ("A、B等配合") give unit names without a trailing 等 (bot.tableimport.roles); a units
            # column keeps the names as written.
            units = [u.removesuffix("等") for u in units]
        category = task["category"]
        part = PARTS.get(no, part)
        if layout.parts:
            category = f"{part} / {category}"
        if layout.category == "numbered":  # "一 | 聚焦…" reads as "一、聚焦…"
            category = re.sub(r"^\(([一二三四五六七八九十]+)\)", r"\1、", category)
        rows.append({"no": str(no), "category": category, "content": content, "leaders": leaders,
                     "sections": task["sections"], "units": units, "deadline": deadline,
                     "remarks": remarks, "dates": sorted(dates),
                     "part_no": str(1 + sum(r["category"] == category for r in rows)), "part": part,
                     "own_category": task["category"]})
    return rows


def _cell(row: dict, fld: str, layout: Layout) -> str:
    if fld == "no":
        return {"plain": row["no"], "dotted": row["no"] + ".", "wide": row["no"].translate(_WIDE),
                "per part": row["part_no"]}[layout.numbers]
    if fld == "leaders":
        posts = {"": "{}", "brackets": "{}（{post}）", "before": "{post}{}"}[layout.posts]
        return layout.join.join(posts.format(name, post="党组书记、局长" if name == "李康民" else "副局长")
                                for name in row["leaders"])
    if fld in ("sections", "units"):
        return layout.section_join.join(row[fld]) or layout.none_mark
    if fld == "content":
        text = row["content"].replace("。", "。\n", 1).rstrip("\n") if layout.wrapped else row["content"]
        if layout.numbers == "in text":
            text = (f"（{row['no']}）" if int(row["no"]) % 2 else f"{row['no']}、") + text
        return text
    if fld == "roles":
        lead = "、".join(row["sections"])
        return f"{lead}牵头，{'、'.join(row['units'])}配合" if row["units"] else lead
    if fld == "category":
        return row["own_category"]
    return row.get(fld, "")


_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _sheet(layout: Layout, rows: list[dict], paragraph_title: bool, merging: bool = True) -> Sheet:
    """The layout as a logical table; the title goes above the table as a paragraph when asked to."""
    width = len(layout.order)
    out: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []
    paragraphs: list[str] = []

    def across(text: str) -> None:
        out.append([text] + [""] * (width - 1))
        merges.append((len(out) - 1, 0, len(out) - 1, width - 1))

    for item in layout.above:
        lines = [DOC_NUMBER, layout.title] if layout.title == TITLES[-1] else [layout.title]
        if item == "title" and paragraph_title:
            paragraphs.extend(lines)
        elif item == "title":
            for line in lines:
                across(line)
        elif item == "note":
            across("填报说明：请各牵头股室每月25日前报送工作进展，无进展的填“无”。")
        else:
            out.append([""] * width)
    labels = [layout.labels[f] for f in layout.order]

    def header() -> None:
        if not layout.two_rows:
            out.append(list(labels))
            return
        under = [layout.order.index(f) for f in layout.spanned()]
        first, last = under[0], under[-1]
        top = [(layout.two_rows if c == first else "" if c in under else label) for c, label in enumerate(labels)]
        sub = [label if c in under else "" for c, label in enumerate(labels)]
        r = len(out)
        out.extend([top, sub])
        merges.append((r, first, r, last))
        merges.extend((r, c, r + 1, c) for c in range(width) if c not in under)

    header()
    cat = layout.order.index("category") if "category" in layout.order else None
    splits: list[int] = []
    data_rows: dict[int, str] = {}  # where each task row is, and its category
    group_start = len(out)
    previous = None
    for row in rows:
        first_of_group = row["category"] != previous
        if layout.parts and row["part"] != (rows[rows.index(row) - 1]["part"] if rows.index(row) else None):
            if cat is not None and layout.category == "merged" and len(out) - group_start > 1:
                merges.append((group_start, cat, len(out) - 1, cat))
            across(row["part"])
            group_start = len(out)
        if first_of_group:
            if cat is not None and layout.category == "merged" and len(out) - group_start > 1:
                merges.append((group_start, cat, len(out) - 1, cat))
            if layout.category == "heading":
                across(row["category"])
            elif layout.category == "numbered":
                numeral, words = row["category"].split("、", 1)
                out.append([numeral, words] + [""] * (width - 2))
                merges.append((len(out) - 1, 1, len(out) - 1, width - 1))
            group_start, previous = len(out), row["category"]
        cells = [_cell(row, f, layout) for f in layout.order]
        if cat is not None and layout.category == "merged" and not first_of_group:
            cells[cat] = ""
        if layout.split and row["no"] == str(SPLIT_AT) and layout.category != "merged":
            splits.append(len(out))
            header()
        data_rows[len(out)] = row["category"]
        out.append(cells)
        if layout.gaps and int(row["no"]) % 10 == 0:
            out.append([""] * width)
    if cat is not None and layout.category == "merged" and len(out) - group_start > 1:
        merges.append((group_start, cat, len(out) - 1, cat))
    if layout.merge_roles and merging:
        for col in (i for i, f in enumerate(layout.order) if f in ("leaders", "deadline")):
            _merge_runs(out, merges, data_rows, col)
    for item in layout.below:
        if item == "note":
            across("注：各牵头股室每季度末将工作进展报局办公室。")
        else:
            across("沅江市卫生健康局")
            across("2023年5月6日")
    if layout.offset:
        out = [["", *row] for row in out]
        merges = [(r0, c0 + 1, r1, c1 + 1) for r0, c0, r1, c1 in merges]
    return Sheet(out, merges, paragraphs, splits)


def _merge_runs(out: list[list[str]], merges: list, data_rows: dict[int, str], col: int) -> None:
    """Equal cells of adjacent task rows of one part merged into one, as bureaus merge a leader over a block."""
    at = sorted(data_rows)
    start = 0
    for k in range(1, len(at) + 1):
        same = k < len(at) and at[k] == at[k - 1] + 1 and data_rows[at[k]] == data_rows[at[start]] \
            and out[at[k]][col] == out[at[start]][col] != ""
        if same:
            continue
        if k - 1 > start:
            merges.append((at[start], col, at[k - 1], col))
            for r in at[start + 1:k]:
                out[r][col] = ""
        start = k


def _typed(value: str) -> object:
    # As Excel stores them: 序号 as numbers, ISO dates as date cells.
    if value.isascii() and value.isdigit():
        return int(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return datetime.strptime(value, "%Y-%m-%d")
    return value


def _xlsx(sheet: Sheet, notes_sheet: bool) -> bytes:
    book = Workbook()
    ws = book.active
    if notes_sheet:
        ws.title = "填报说明"
        for line in ("填报说明", "1. 请各牵头股室每月25日前更新完成情况。", "2. 完成时限以本表为准。"):
            ws.append([line])
        ws = book.create_sheet("任务分解")
    for row in sheet.rows:
        ws.append([_typed(v) for v in row])
    for r0, c0, r1, c1 in sheet.merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(sheet: Sheet) -> bytes:
    document = docx.Document()
    for text in sheet.paragraphs:
        document.add_paragraph(text)
    bounds = [0, *sheet.splits, len(sheet.rows)]
    for start, end in zip(bounds, bounds[1:]):
        table = document.add_table(rows=end - start, cols=len(sheet.rows[0]))
        for r, row in enumerate(sheet.rows[start:end]):
            cells = table.rows[r].cells
            for c, value in enumerate(row):
                if value:
                    cells[c].text = value
        for r0, c0, r1, c1 in sheet.merges:
            if start <= r0 and r1 < end:
                table.cell(r0 - start, c0).merge(table.cell(r1 - start, c1))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _csv(sheet: Sheet, encoding: str, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(sheet.rows)
    return out.getvalue().encode(encoding)


def _html(sheet: Sheet, caption: bool) -> bytes:
    covered: set[tuple[int, int]] = set()
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in sheet.merges:
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    lines = ["<html><head><meta charset='utf-8'><title>沅江市卫生健康局</title></head><body>"]
    titles = [html.escape(p) for p in sheet.paragraphs]
    if caption:  # the title as the table's own <caption>
        lines.append(f"<table border='1'><caption>{'<br>'.join(titles)}</caption>")
    else:
        lines += [f"<h1>{t}</h1>" for t in titles]
        lines.append("<table border='1'>")
    for r, row in enumerate(sheet.rows):
        tds = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            rows, cols = spans.get((r, c), (1, 1))
            attrs = (f" rowspan='{rows}'" if rows > 1 else "") + (f" colspan='{cols}'" if cols > 1 else "")
            tds.append(f"<td{attrs}>{html.escape(value).replace(chr(10), '<br>')}</td>")
        lines.append("<tr>" + "".join(tds) + "</tr>")
    lines.append("</table></body></html>")
    return "\n".join(lines).encode("utf-8")


def render(layout: Layout, rows: list[dict], fmt: str) -> tuple[bytes, str]:
    """The file's bytes and name; without a title the year is in the file name, as bureaus name their files."""
    paragraph_title = fmt in ("docx", "html") and "note" not in layout.above
    # A CSV or pasted text has no merged cells: there every row keeps its own value.
    sheet = _sheet(layout, rows, paragraph_title, merging=fmt not in ("csv", "csv-gbk", "paste"))
    ext = fmt.split("-")[0]
    name = f"tasks.{ext}" if "title" in layout.above else f"{YEAR}年重点工作责任分解表.{ext}"
    if fmt == "xlsx":
        return _xlsx(sheet, layout.notes_sheet), name
    if fmt == "docx":
        return _docx(sheet), name
    if fmt == "html":
        return _html(sheet, layout.caption), name
    if fmt == "paste":
        return _csv(sheet, "utf-8", "\t"), "paste.txt"
    return _csv(sheet, "gbk" if fmt == "csv-gbk" else "utf-8-sig"), name


def _misreadings(data: bytes, name: str, wanted: list[dict], dated: bool = True) -> list[str]:
    """What was read wrong; ``dated``: the year is in the title or the file name (else the admin gives it)."""
    try:
        table = read_table(data, name)
    except ImportFailure as failure:
        return failure.render("en")
    year, source = document_year(table, None if dated else YEAR, 1999)
    out = [] if year == YEAR and source != "guessed" else [f"year {year} from {source}"]
    if len(table.rows) != len(wanted):
        out.append(f"{len(table.rows)} rows, expected {len(wanted)}")
    for task, want in zip(plan_tasks(table, year), wanted):
        got = {"no": task.no, "category": task.category, "content": task.content, "leaders": list(task.leaders),
               "sections": list(task.sections), "units": list(task.units), "deadline": task.deadline_text or "",
               "remarks": task.remarks or "",
               "dates": sorted({m.due.isoformat() for m in task.milestones
                                if m.due and m.kind in ("dated", "target")})}
        out += [f"row {want['no']} {f}: got {got[f]!r}, expected {want[f]!r}" for f in got if got[f] != want[f]]
    return out


@pytest.mark.parametrize("index", range(LAYOUTS))
def test_every_row_reads_right_in_every_format(fixtures_dir: Path, index: int) -> None:
    layout = _layouts()[index]
    wanted = _wanted(fixtures_dir, layout)
    failures = {}
    for fmt in FORMATS:
        data, name = render(layout, wanted, fmt)
        # Text pasted into the chat has no file name: without a title row its year is asked for.
        found = _misreadings(data, name, wanted, fmt != "paste" or "title" in layout.above)
        if found:
            failures[fmt] = found[:6]
    assert failures == {}, str(layout)


def test_the_matrix_covers_every_value_of_every_dimension() -> None:
    layouts = _layouts()
    for name, values, seen in (
        ("category", CATEGORY_MODES, {lay.category for lay in layouts}),
        ("leader join", LEADER_JOINS, {lay.join for lay in layouts}),
        ("section join", SECTION_JOINS, {lay.section_join for lay in layouts}),
        ("numbers", NUMBERS, {lay.numbers for lay in layouts}),
        ("deadline", DEADLINE_MODES, {lay.deadline for lay in layouts}),
        ("above", ABOVE, {lay.above for lay in layouts}),
        ("two rows", TWO_ROWS, {lay.two_rows for lay in layouts}),
        ("offset", (False, True), {lay.offset for lay in layouts}),
        ("title", TITLES, {lay.title for lay in layouts if "title" in lay.above}),
        ("none", NONE_MARKS, {lay.none_mark for lay in layouts}),
        ("wrapped", (False, True), {lay.wrapped for lay in layouts}),
        ("notes sheet", (False, True), {lay.notes_sheet for lay in layouts}),
        ("merged roles", (False, True), {lay.merge_roles for lay in layouts}),
        ("posts", POST_STYLES, {lay.posts for lay in layouts}),
        ("parts", (False, True), {lay.parts for lay in layouts}),
        ("caption", (False, True), {lay.caption for lay in layouts if "title" in lay.above}),
        ("deadline style", DEADLINE_STYLES, {lay.deadline_style for lay in layouts if lay.deadline == "column"}),
        ("order", {tuple(f for f in o if f != "category") for o in ORDERS},  # with a 序号 column
         {tuple(f for f in lay.order if f in ORDERS[0] and f != "category") for lay in layouts if "no" in lay.order}),
        ("text labels", set(TEXT_LABELS), {(lay.labels.get("category", c), lay.labels["content"])
                                          for lay in layouts for c, _ in TEXT_LABELS if lay.labels.get("content")
                                          and (c, lay.labels["content"]) in TEXT_LABELS}),
    ):
        assert set(values) <= seen, name
    for fld, names in (("no", NO_LABELS), ("leaders", LEADER_LABELS), ("sections", SECTION_LABELS),
                       ("units", UNIT_LABELS), ("deadline", DEADLINE_LABELS)):
        assert set(names) <= {lay.labels[fld] for lay in layouts if fld in lay.labels}, fld


def test_a_two_row_header_repeated_down_a_csv_is_skipped_both_rows() -> None:
    head = [["序号", "工作任务", "责任单位", ""], ["", "", "牵头单位", "配合单位"]]
    body = [[str(n), f"第{n}项任务的具体内容。", "疾控股", "各医疗卫生单位"] for n in range(1, 5)]
    rows = head + body[:2] + head + body[2:]
    data = "\r\n".join(",".join(r) for r in rows).encode()
    table = read_table(data, "t.csv")
    assert [r.no for r in table.rows] == ["1", "2", "3", "4"]
    assert table.rows[3].units == ("各医疗卫生单位",)


@pytest.mark.parametrize("below", ["注：各股室每季度末报送进展。", "沅江市卫生健康局", "2023年5月6日"])
def test_a_note_or_signature_in_the_task_column_under_the_table_is_no_task(below: str) -> None:
    rows = [["工作任务", "牵头股室", "序号"], ["完成疫苗接种。", "疾控股", "1"], ["建成胸痛中心。", "医政股", "2"],
            [below, "", ""]]
    data = "\r\n".join(",".join(r) for r in rows).encode()
    table = read_table(data, "t.csv")
    assert [r.content for r in table.rows] == ["完成疫苗接种。", "建成胸痛中心。"]


def test_cells_copied_from_excel_with_line_breaks_are_still_a_table() -> None:
    rows = [["序号", "工作任务", "牵头股室", "分管领导"]] + [
        [str(n), f"第{n}项任务的具体内容。", "疾控股\n医政股", "李康民\n胡立军"] for n in range(1, 5)]
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    table = read_table(out.getvalue().encode(), "paste.txt")
    assert [(r.no, r.sections, r.leaders) for r in table.rows] == [
        (str(n), ("疾控股", "医政股"), ("李康民", "胡立军")) for n in range(1, 5)]


def test_a_repeated_two_row_header_is_skipped_when_its_filled_down_second_row_was_the_header() -> None:
    top = ["序号", "工作任务", "责任分工", "", ""]
    sub = ["序号", "工作任务", "牵头领导", "牵头股室", "配合单位"]
    body = [[str(n), f"第{n}项任务的具体内容。", "李康民", "疾控股", "各医疗卫生单位"] for n in range(1, 5)]
    data = "\r\n".join(",".join(r) for r in [top, sub, *body[:2], top, sub, *body[2:]]).encode()
    assert [r.no for r in read_table(data, "t.csv").rows] == ["1", "2", "3", "4"]


def test_a_numbered_part_heading_may_end_with_a_stop_where_tasks_have_someone_beside_them() -> None:
    rows = [["序号", "工作任务", "牵头股室"], ["一", "聚焦疫情防控，做好传染病防控工作。", ""],
            ["1", "完成疫苗接种。", "疾控股"], ["二", "深化医改。", ""], ["2", "建成胸痛中心。", "医政股"]]
    data = "\r\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode()
    table = read_table(data, "t.csv")
    assert [(r.no, r.category) for r in table.rows] == [
        ("1", "一、聚焦疫情防控，做好传染病防控工作。"), ("2", "二、深化医改。")]


def test_a_csv_two_row_header_whose_first_row_names_only_the_task_column() -> None:
    # 责任分工 spans the role columns; without a 序号 column the first row alone names one field.
    rows = ["2023年重点工作分工方案,,,,", "具体内容,责任分工,,,完成情况", ",分管领导,牵头科室,参与单位,",
            "(一)聚焦疫情防控,,,,", "（1）完成疫苗接种。,李康民,疾控股,各医疗卫生单位,",
            "（2）建成胸痛中心。,胡立军,医政股,人民医院,", "(二)深化医改,,,,", "（3）推进医共体建设。,王卫健,体改股,,"]
    table = read_table("\r\n".join(rows).encode(), "t.csv")
    assert [(r.no, r.category, r.content, r.leaders, r.sections, r.units) for r in table.rows] == [
        ("1", "(一)聚焦疫情防控", "完成疫苗接种。", ("李康民",), ("疾控股",), ("各医疗卫生单位",)),
        ("2", "(一)聚焦疫情防控", "建成胸痛中心。", ("胡立军",), ("医政股",), ("人民医院",)),
        ("3", "(二)深化医改", "推进医共体建设。", ("王卫健",), ("体改股",), ()),
    ]


def test_numbers_starting_again_in_each_part_are_numbered_in_order_with_a_warning() -> None:
    rows = ["序号,工作任务,牵头股室", "一,疾病防控,", "1,完成疫苗接种。,疾控股", "2,建成胸痛中心。,医政股",
            "二,深化医改,", "1,推进医共体建设。,体改股", "2,推进药品集采。,药械股"]
    table = read_table("\r\n".join(rows).encode(), "t.csv")
    assert [(r.no, r.category) for r in table.rows] == [
        ("1", "一、疾病防控"), ("2", "一、疾病防控"), ("3", "二、深化医改"), ("4", "二、深化医改")]
    assert [(w.line, w.code, w.params) for w in table.warnings] == [(6, "numbers_restart", {"count": 4})]


def test_a_number_repeated_inside_one_part_is_still_an_error() -> None:
    rows = ["序号,工作任务,牵头股室", "一,疾病防控,", "1,完成疫苗接种。,疾控股", "2,建成胸痛中心。,医政股",
            "1,推进医共体建设。,体改股"]
    with pytest.raises(ImportFailure) as caught:
        read_table("\r\n".join(rows).encode(), "t.csv")
    assert [p.code for p in caught.value.problems] == ["import.duplicate_no"]


def test_part_headings_over_a_category_column_are_its_upper_level() -> None:
    rows = ["序号,类别,工作任务,牵头股室", "一、疾病防控,,,", "1,(一)传染病,完成疫苗接种。,疾控股",
            "2,(二)慢性病,开展慢病筛查。,疾控股", "二、深化医改,,,", "3,(三)医共体,推进医共体建设。,体改股"]
    table = read_table("\r\n".join(rows).encode(), "t.csv")
    assert [r.category for r in table.rows] == [
        "一、疾病防控 / (一)传染病", "一、疾病防控 / (二)慢性病", "二、深化医改 / (三)医共体"]


def test_an_empty_row_inside_a_merged_category_is_no_heading() -> None:
    rows = [["序号", "类别", "工作任务", "牵头股室"], ["1", "疾病防控", "完成疫苗接种。", "疾控股"],
            ["", "", "", ""], ["2", "", "开展慢病筛查。", "疾控股"], ["3", "医改", "推进医共体建设。", "体改股"]]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.active.merge_cells("B2:B4")
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "t.xlsx")
    assert [(r.no, r.category) for r in table.rows] == [("1", "疾病防控"), ("2", "疾病防控"), ("3", "医改")]


def test_a_web_table_caption_is_its_title() -> None:
    page = ("<html><body><table><caption>2023年重点工作责任分解表</caption><thead><tr><th>序号</th><th>工作任务</th>"
            "<th>牵头<br>股室</th></tr></thead><tbody><tr><td>1</td><td>完成疫苗接种。</td><td>疾控股</td></tr>"
            "</tbody></table></body></html>")
    table = read_table(page.encode(), "t.html")
    assert (table.title, table.year, len(table.rows)) == ("2023年重点工作责任分解表", 2023, 1)
