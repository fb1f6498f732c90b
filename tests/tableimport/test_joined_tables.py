"""One task table held in pieces: a table per part in Word or on a web page, a table continued after "续表",
a workbook with one sheet per 股室 or per quarter. All pieces are read, part headings become categories."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_BREAK
from openpyxl import Workbook

from bot.tableimport import ImportFailure, read_table

TITLE = "2024年县卫生健康局重点工作责任分解表"
HEADER = ["序号", "工作任务", "责任领导", "牵头股室", "配合单位", "完成时限"]
TASKS = [
    ("推进紧密型县域医共体建设，完成医共体总院挂牌运行", "王明", "医政股", "县人民医院、县中医院", "2024年6月30日前"),
    ("完成12家村卫生室标准化建设", "李华", "基层卫生股", "各乡镇卫生院", "2024年9月30日前"),
    ("开展餐饮服务食品安全专项整治", "张强", "公共卫生股", "县疾控中心、县卫生监督所", "2024年10月31日前"),
    ("落实适龄儿童免疫规划，接种率保持在90%以上", "李华", "疾病预防控制股", "县疾控中心", "2024年12月31日前"),
    ("推进智慧医院建设，电子病历应用水平达到四级", "王明", "规划信息股", "县人民医院", "2024年11月30日前"),
]
PART_ONE, PART_TWO = "一、医疗服务能力提升", "二、公共卫生服务"


def _rows(first: int, last: int, start: int = 1) -> list[list[str]]:
    return [[str(start + k), *TASKS[i]] for k, i in enumerate(range(first, last))]


def _docx(*blocks: str | list[list[str]]) -> bytes:
    """A document of paragraphs (str; "<page>" is a page break) and tables (lists of rows), in order."""
    document = docx.Document()
    for block in blocks:
        if block == "<page>":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html_table(rows: list[list[str]]) -> str:
    return '<table border="1">' + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>"


def _xlsx(sheets: list[tuple[str, list[list[str]]]]) -> bytes:
    book = Workbook()
    for n, (name, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = name
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(table) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(r.no, r.category, r.content) for r in table.rows]


PARTS = [("1", PART_ONE, TASKS[0][0]), ("2", PART_ONE, TASKS[1][0]), ("3", PART_TWO, TASKS[2][0]),
         ("4", PART_TWO, TASKS[3][0]), ("5", PART_TWO, TASKS[4][0])]

# ---------------------------------------------------------------- Word: a table per part


@pytest.mark.parametrize("second_header", [True, False], ids=["header-repeated", "no-header"])
@pytest.mark.parametrize("restart", [True, False], ids=["numbers-restart", "numbers-go-on"])
def test_a_word_table_per_part_reads_every_part_with_its_heading(second_header: bool, restart: bool) -> None:
    second = ([HEADER] if second_header else []) + _rows(2, 5, start=1 if restart else 3)
    data = _docx(TITLE, PART_ONE, [HEADER, *_rows(0, 2)], PART_TWO, second)
    table = read_table(data, "parts.docx")
    assert _summary(table) == PARTS
    assert table.title == TITLE
    assert [r.sections for r in table.rows] == [(t[2],) for t in TASKS]
    assert ("numbers_restart" in {w.code for w in table.warnings}) is restart


@pytest.mark.parametrize("one, two", [("（一）医疗服务", "（二）公共卫生"), ("第一部分 医疗服务", "第二部分 公共卫生")])
def test_part_headings_are_read_in_the_usual_styles(one: str, two: str) -> None:
    data = _docx(TITLE, one, [HEADER, *_rows(0, 2)], two, [HEADER, *_rows(2, 5)])
    table = read_table(data, "parts.docx")
    assert [r.category for r in table.rows] == [one, one, two, two, two]
    assert [r.no for r in table.rows] == ["1", "2", "3", "4", "5"]


def test_a_heading_above_a_lone_table_is_no_category() -> None:
    # "二、重点任务" over the only table is the notice's own outline, not a part of the table.
    table = read_table(_docx(TITLE, "二、重点任务", [HEADER, *_rows(0, 5)]), "one.docx")
    assert [r.category for r in table.rows] == [None] * 5


def test_a_table_after_other_words_is_another_table() -> None:
    # An attachment's table of the same width after its own title is not the task table going on.
    contacts = [["1", "王明", "局长", "医政股", "13800000000", "—"]]
    table = read_table(_docx(TITLE, [HEADER, *_rows(0, 3)], "附件2：各股室联系人名单", contacts), "two.docx")
    assert [r.no for r in table.rows] == ["1", "2", "3"]


def test_a_restart_without_a_heading_between_is_still_refused() -> None:
    # Two tables of one header joined with nothing telling the parts apart: the repeated numbers are an error.
    data = _docx(TITLE, [HEADER, *_rows(0, 2)], "", [HEADER, *_rows(2, 4)])
    with pytest.raises(ImportFailure) as caught:
        read_table(data, "twice.docx")
    lines = caught.value.render("en")
    assert any("twice.docx" in line and "row 5" in line and "序号" in line for line in lines), lines


# ---------------------------------------------------------------- Word: a table continued after "续表"


@pytest.mark.parametrize("mark", ["续表", "续上表", "（续）", f"{TITLE}（续表）", "— 2 —"])
def test_a_table_continued_without_its_header_is_read_whole(mark: str) -> None:
    data = _docx(TITLE, [HEADER, *_rows(0, 3)], "<page>", mark, _rows(3, 5, start=4))
    table = read_table(data, "continued.docx")
    assert [(r.no, r.content) for r in table.rows] == [(str(i + 1), TASKS[i][0]) for i in range(5)]
    assert {r.category for r in table.rows} == {None}
    # Rows are counted on through both tables, as the admin counts them down the page.
    assert [r.line for r in table.rows] == [2, 3, 4, 5, 6]


def test_a_continuation_of_another_width_is_not_joined() -> None:
    data = _docx(TITLE, [HEADER, *_rows(0, 3)], "续表", [row[:4] for row in _rows(3, 5, start=4)])
    assert [r.no for r in read_table(data, "narrow.docx").rows] == ["1", "2", "3"]


# ---------------------------------------------------------------- web pages


def _page(*parts: str) -> bytes:
    return (f"<html><head><title>{TITLE}</title></head><body>" + "".join(parts) + "</body></html>").encode()


@pytest.mark.parametrize("second_header", [True, False], ids=["header-repeated", "no-header"])
def test_a_web_page_with_a_table_per_part_reads_every_part(second_header: bool) -> None:
    second = ([HEADER] if second_header else []) + _rows(2, 5)
    page = _page(f"<p>{TITLE}</p><p>{PART_ONE}</p>", _html_table([HEADER, *_rows(0, 2)]),
                 f"<p>{PART_TWO}</p>", _html_table(second))
    table = read_table(page, "parts.html")
    assert _summary(table) == PARTS
    assert table.sheet is None and table.other_sheets == ()


def test_site_tables_around_a_web_page_table_name_no_sheet() -> None:
    nav = _html_table([["首页", "政务公开", "通知公告"]])
    meta = _html_table([["索引号", "0001"], ["发文字号", "卫发〔2024〕1号"]])
    footer = _html_table([["主办：县卫生健康局", "备案号：12345"]])
    layout = f'<table><tr><td>{meta}<p>{TITLE}</p>{_html_table([HEADER, *_rows(0, 5)])}</td></tr></table>'
    table = read_table(_page(nav, layout, footer), "page.html")
    assert len(table.rows) == 5
    assert table.sheet is None and table.other_sheets == ()


def test_another_task_table_on_the_page_is_named() -> None:
    other = [["序号", "工作任务", "责任领导", "完成情况"], ["1", "上年度任务", "王明", "已完成"]]
    table = read_table(_page(_html_table([HEADER, *_rows(0, 5)]), "<p>附件：2023年完成情况</p>",
                             _html_table(other)), "two.html")
    assert len(table.rows) == 5
    assert table.sheet == "1" and table.other_sheets == ("2",)


# ---------------------------------------------------------------- workbooks: a sheet per 股室 or per quarter

SHORT = ["序号", "工作任务", "责任领导", "配合单位", "完成时限"]


def _by_section(with_column: bool, title: bool) -> list[tuple[str, list[list[str]]]]:
    sheets = []
    for task, leader, section, units, deadline in TASKS:
        rows = [[f"2024年{section}重点工作责任分解表"]] if title else []
        rows.append(HEADER if with_column else SHORT)
        roles = [leader, section, units] if with_column else [leader, units]
        rows.append(["1", task, *roles, deadline])
        sheets.append((section, rows))
    return sheets


def test_a_sheet_per_section_reads_every_sheet_with_its_name_as_the_section() -> None:
    table = read_table(_xlsx(_by_section(with_column=False, title=True)), "sections.xlsx")
    assert [(r.no, r.content, r.sections, r.leaders) for r in table.rows] == [
        (str(i + 1), t[0], (t[2],), (t[1],)) for i, t in enumerate(TASKS)]
    assert [r.category for r in table.rows] == [t[2] for t in TASKS]
    # The title names the first sheet's section; read for all sheets it names none.
    assert table.title == "2024年重点工作责任分解表" and table.year == 2024
    codes = [w.code for w in table.warnings]
    assert {"sheets_joined", "sheets_as_sections", "numbers_restart"} <= set(codes)
    assert table.sheet is None
    assert [r.line for r in table.rows] == sorted({r.line for r in table.rows})  # one line per row, in order
    assert ("sections", "工作表名称") in {(c.field, c.header) for c in table.columns}


def test_a_sheet_per_section_with_its_own_section_column_reads_the_column() -> None:
    sheets = _by_section(with_column=True, title=False)
    sheets[1][1][1][3] = "基层卫生股、医政股"
    table = read_table(_xlsx(sheets), "sections.xlsx")
    assert len(table.rows) == 5
    assert table.rows[1].sections == ("基层卫生股", "医政股")
    assert "sheets_as_sections" not in {w.code for w in table.warnings}


def test_a_sheet_per_quarter_reads_every_quarter_with_its_own_deadlines() -> None:
    quarters = ["第一季度", "第二季度", "第三季度", "第四季度"]
    sheets = []
    for q, (name, due) in enumerate(zip(quarters, ["3月底前", "6月底前", "9月底前", "12月底前"], strict=True)):
        rows = [[f"2024年{name}重点工作任务清单"], HEADER]
        rows += [[str(k + 1), t, leader, s, u, due] for k, (t, leader, s, u, _d) in enumerate(TASKS[q:q + 2])]
        sheets.append((name, rows))
    table = read_table(_xlsx(sheets), "quarters.xlsx")
    assert [r.deadline for r in table.rows] == ["3月底前"] * 2 + ["6月底前"] * 2 + ["9月底前"] * 2 + ["12月底前"] * 2
    assert [r.category for r in table.rows] == [q for q in quarters for _ in range(2)]
    assert [r.no for r in table.rows] == [str(n) for n in range(1, 9)]
    assert [r.sections for r in table.rows][:2] == [("医政股",), ("基层卫生股",)]  # the column, not the sheet
    assert table.title == "2024年重点工作任务清单"


@pytest.mark.parametrize("sample", [False, True], ids=["notes", "notes-with-a-sample-row"])
def test_sheets_joined_keep_the_other_sheets_named_as_not_read(sample: bool) -> None:
    notes = [["本表由各股室填报"], *([SHORT, ["1", "示例任务", "王明", "县人民医院", "2024年6月30日前"]] if sample else [])]
    sheets = [("填表说明", notes), *_by_section(with_column=False, title=True)[:2]]
    table = read_table(_xlsx(sheets), "sections.xlsx")
    assert len(table.rows) == 2
    assert table.sheet == "医政股、基层卫生股" and table.other_sheets == ("填表说明",)


@pytest.mark.parametrize("names", [("2023年", "2024年"), ("汇总", "医政股"), ("Sheet1", "Sheet2")])
def test_sheets_of_one_header_not_named_as_parts_read_one_sheet(names: tuple[str, str]) -> None:
    # A sheet per year, a summary beside a section's sheet, default names: other tables, read as before.
    sheets = [(names[0], [HEADER, *_rows(0, 3)]), (names[1], [HEADER, *_rows(3, 5)])]
    table = read_table(_xlsx(sheets), "book.xlsx")
    assert [r.content for r in table.rows] == [t[0] for t in TASKS[:3]]
    assert table.sheet == names[0] and table.other_sheets == (names[1],)


def test_section_sheets_with_other_columns_are_not_joined() -> None:
    other = ["序号", "工作任务", "责任领导", "完成情况"]
    sheets = [("医政股", [HEADER, *_rows(0, 3)]), ("基层卫生股", [other, ["1", "上年度任务", "王明", "已完成"]])]
    table = read_table(_xlsx(sheets), "book.xlsx")
    assert len(table.rows) == 3 and table.other_sheets == ("基层卫生股",)


def test_a_problem_in_a_joined_sheet_names_the_file_row_and_column() -> None:
    sheets = _by_section(with_column=False, title=True)[:2]
    sheets[1][1].append(["2", "", "李华", "", "2024年9月30日前"])
    with pytest.raises(ImportFailure) as caught:
        read_table(_xlsx(sheets), "sections.xlsx")
    lines = caught.value.render("en")
    assert len(lines) == 1
    # the sheet and its own row, where the admin finds it (not row 7 of the sheets counted on)
    assert "sections.xlsx" in lines[0] and "sheet “基层卫生股”, row 4," in lines[0] and "column B (工作任务)" in lines[0], lines


# ---------------------------------------------------------------- Word: tables inside tables


def _fill(table, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


@pytest.mark.parametrize("frames", [1, 2])
def test_a_task_table_inside_a_one_cell_frame_is_read(frames: int) -> None:
    document = docx.Document()
    document.add_paragraph(TITLE)
    holder = document
    for _ in range(frames):
        cell = holder.add_table(rows=1, cols=1).cell(0, 0)
        cell.text = "附件1"
        holder = cell
    _fill(holder.add_table(rows=6, cols=6), [HEADER, *_rows(0, 5)])
    out = io.BytesIO()
    document.save(out)
    table = read_table(out.getvalue(), "framed.docx")
    assert [(r.no, r.content, r.leaders) for r in table.rows] == [
        (str(i + 1), t[0], (t[1],)) for i, t in enumerate(TASKS)]
    assert table.title == TITLE


def test_a_small_table_inside_a_cell_gives_the_cell_its_lines() -> None:
    document = docx.Document()
    document.add_paragraph(TITLE)
    outer = document.add_table(rows=4, cols=6)
    _fill(outer, [HEADER, *_rows(0, 3)])
    cell = outer.cell(1, 4)
    cell.text = ""
    _fill(cell.add_table(rows=2, cols=1), [["县人民医院"], ["县中医院"]])
    out = io.BytesIO()
    document.save(out)
    table = read_table(out.getvalue(), "nested.docx")
    assert table.rows[0].units == ("县人民医院", "县中医院")
    assert [r.units for r in table.rows[1:]] == [("各乡镇卫生院",), ("县疾控中心", "县卫生监督所")]


def test_part_headings_written_in_each_table_over_its_header_are_read() -> None:
    first = [[PART_ONE, "", "", "", "", ""], HEADER, *_rows(0, 2)]
    second = [[PART_TWO, "", "", "", "", ""], HEADER, *_rows(2, 5)]
    table = read_table(_docx(TITLE, first, "", second), "inside.docx")
    assert _summary(table) == PARTS
    assert table.title == TITLE


def test_section_sheets_without_a_number_column_are_numbered_in_order() -> None:
    header = ["工作任务", "责任领导", "完成时限"]
    sheets = [(t[2], [header, [t[0], t[1], t[4]]]) for t in TASKS[:3]]
    table = read_table(_xlsx(sheets), "plain.xlsx")
    assert [(r.no, r.content, r.sections) for r in table.rows] == [
        (str(i + 1), t[0], (t[2],)) for i, t in enumerate(TASKS[:3])]


def _numbered_heading(document, text: str, num_id: int) -> None:  # type: ignore[no-untyped-def]
    """A paragraph numbered by Word's list numbering (list ``num_id``), its "一、" not in its text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph(text)
    props = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", str(num_id))):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        num_pr.append(el)
    props.append(num_pr)


def _chinese_list(document) -> int:  # type: ignore[no-untyped-def]
    """Adds a list numbered 一、二、… to the document's numbering; returns its id."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


@pytest.mark.parametrize("second_header", [True, False], ids=["header-repeated", "no-header"])
def test_part_headings_numbered_by_word_are_read_with_their_numbers(second_header: bool) -> None:
    document = docx.Document()
    document.add_paragraph(TITLE)
    num_id = _chinese_list(document)
    for text, rows in ((PART_ONE[2:], [HEADER, *_rows(0, 2)]),
                       (PART_TWO[2:], ([HEADER] if second_header else []) + _rows(2, 5))):
        _numbered_heading(document, text, num_id)
        _fill(document.add_table(rows=len(rows), cols=6), rows)
    out = io.BytesIO()
    document.save(out)
    assert _summary(read_table(out.getvalue(), "numbered.docx")) == PARTS


def test_part_headings_as_table_captions_on_a_web_page_are_read() -> None:
    tables = [_html_table([HEADER, *_rows(0, 2)]), _html_table([HEADER, *_rows(2, 5, start=1)])]
    tables = [t.replace('<table border="1">', f'<table border="1"><caption>{part}</caption>')
              for t, part in zip(tables, (PART_ONE, PART_TWO), strict=True)]
    table = read_table(_page(f"<h1>{TITLE}</h1>", *tables), "captions.html")
    assert _summary(table) == PARTS
    assert table.title == TITLE

