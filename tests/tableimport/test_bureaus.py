"""Tables of other bureaus, built in the tests: other header names, layouts and cell habits."""

from __future__ import annotations

import pytest

from bot.tableimport import read_table
from tests.tableimport.builders import csv_bytes, docx_bytes, docx_with_gridspan, read_as, xlsx_bytes

OTHER_BUREAU = [
    ["序号", "重点任务", "细化分工", "责任领导", "责任处室", "配合单位", "完成时限", "备注"],
    ["1", "(一)疫情防控", "落实乙类乙管措施。", "张三、李四", "疾控科", "各医院", "2024年6月30日前\n2024年12月31日前", "每月报送"],
    ["2", "", "推进医共体建设。", "王五 赵六", "医政科、体改科等按职责分工落实", "", "年底前", ""],
    ["3", "(二)综合监管", "开展专项整治。", "汪  峰", "法监科", "人民医院、中医医院等", "/", ""],
]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_other_synonyms_two_leaders_and_verbatim_deadlines(fmt: str) -> None:
    table = read_as(OTHER_BUREAU, fmt)
    assert [(c.field, c.header) for c in table.columns] == [
        ("no", "序号"), ("category", "重点任务"), ("content", "细化分工"), ("leaders", "责任领导"),
        ("sections", "责任处室"), ("units", "配合单位"), ("deadline", "完成时限"), ("remarks", "备注"),
    ]
    one, two, three = table.rows
    assert one.leaders == ("张三", "李四")
    assert two.leaders == ("王五", "赵六")
    assert three.leaders == ("汪峰",)
    assert one.deadline == "2024年6月30日前\n2024年12月31日前"
    assert two.deadline == "年底前" and three.deadline is None
    assert two.sections == ("医政科", "体改科")
    assert two.category == "(一)疫情防控"  # an empty category cell continues the group above
    assert three.units == ("人民医院", "中医医院等")
    assert one.remarks == "每月报送" and two.remarks is None
    assert table.warnings == ()


HEADER_VARIANTS = [
    # (header row, field the variant column is read as)
    (["编号", "任务", "牵头单位", "配合责任单位", "时限要求"], ["no", "content", "sections", "units", "deadline"]),
    (["序号", "工作任务", "工作措施", "分管领导", "牵头科室", "协办单位", "完成时间"],
     ["no", "category", "content", "leaders", "sections", "units", "deadline"]),
    (["序号", "类别", "工作事项", "具体要求", "领导", "主体责任单位", "参与单位", "时间安排"],
     ["no", "category", "title", "content", "leaders", "sections", "units", "deadline"]),
    (["序号", "重点工作任务", "主要内容", "牵头领导", "责任科室", "相关责任单位", "时间节点"],
     ["no", "category", "content", "leaders", "sections", "units", "deadline"]),
    (["序 号", "工作\n内容", "牵头股室（站）", "备  注"], ["no", "content", "sections", "remarks"]),
    (["序號", "工作任務", "具體內容", "牽頭領導", "責任單位"], ["no", "category", "content", "leaders", "sections"]),
    (["序号", "任务名称", "工作内容", "责任单位", "牵头单位"], ["no", "title", "content", "sections", "units"]),
    # 民生实事 and 督办 tables name the task column after what they list.
    (["序号", "民生实事", "责任单位", "完成时限"], ["no", "content", "sections", "deadline"]),
    (["序号", "2024年为民办实事项目", "牵头单位", "配合单位"], ["no", "content", "sections", "units"]),
    (["序号", "督办事项", "责任领导", "承办科室", "办结时限"], ["no", "content", "leaders", "sections", "deadline"]),
]


@pytest.mark.parametrize("header,fields", HEADER_VARIANTS, ids=lambda v: "|".join(v) if isinstance(v, list) else "")
def test_header_synonyms(header: list[str], fields: list[str]) -> None:
    row = [f"值{i}" for i in range(len(header))]
    row[0] = "1"
    row[fields.index("content")] = "完成某项任务。"
    table = read_table(csv_bytes([header, row]), "v.csv")
    assert [c.field for c in table.columns] == fields
    assert table.rows[0].content == "完成某项任务。"


def test_number_in_third_column_non_sequential_and_full_width() -> None:
    rows = [
        ["工作任务", "具体内容", "序号", "牵头领导", "牵头股室"],
        ["(一)改革", "任务甲。", "81", "张三", "办公室"],
        ["", "任务乙。", "８５", "李四", "财务股"],
        ["(二)监管", "任务丙。", "87.", "王五", "法监股"],
    ]
    table = read_table(xlsx_bytes(rows), "t.xlsx")
    assert [r.no for r in table.rows] == ["81", "85", "87"]
    assert [r.category for r in table.rows] == ["(一)改革", "(一)改革", "(二)监管"]
    assert table.columns[2].field == "no" and table.columns[2].label == "C"


def test_header_on_row_three_under_a_merged_title_with_two_line_headers() -> None:
    rows = [
        ["2024年全县卫生健康重点工作任务分解表", None, None, None, None, None],
        ["填报单位：县卫生健康局", None, None, None, None, None],
        ["序号", "工作任务", "具体内容及时间节点", "牵头\n领导", "牵头\n股室（站）", "完成\n时限"],
        [1, "(一)疫情防控", "全面落实各项措施。", "李康民\n胡立军", "疾控股", "2024-06-30"],
        [2, None, "推进血防工作。", "胡立军", "血防股", None],
        [3, None, "抓好免疫规划。", "李康民", "疾控股", None],
    ]
    data = xlsx_bytes(rows, merges=("A1:F1", "A2:F2", "B4:B6"))
    table = read_table(data, "t.xlsx")
    assert [r.line for r in table.rows] == [4, 5, 6]
    assert [c.header for c in table.columns] == ["序号", "工作任务", "具体内容及时间节点", "牵头领导", "牵头股室（站）",
                                                 "完成时限"]
    assert table.rows[0].leaders == ("李康民", "胡立军")
    assert [r.category for r in table.rows] == ["(一)疫情防控"] * 3
    assert table.title == "2024年全县卫生健康重点工作任务分解表" and table.year == 2024


def test_date_cells_in_a_deadline_column_read_as_iso_dates() -> None:
    from datetime import date

    rows = [["序号", "工作内容", "完成时限"], [1, "任务甲。", date(2024, 6, 30)]]
    table = read_table(xlsx_bytes(rows), "t.xlsx")
    assert table.rows[0].deadline == "2024-06-30"


def test_two_row_header_under_a_merged_parent() -> None:
    rows = [
        ["序号", "工作内容", "责任单位", None, "完成时限"],
        [None, None, "牵头单位", "配合单位", None],
        [1, "任务甲。", "办公室", "财务股、人事股", "6月底"],
    ]
    data = xlsx_bytes(rows, merges=("A1:A2", "B1:B2", "C1:D1", "E1:E2"))
    table = read_table(data, "t.xlsx")
    assert [(c.label, c.field) for c in table.columns] == [
        ("A", "no"), ("B", "content"), ("C", "sections"), ("D", "units"), ("E", "deadline")]
    assert table.rows[0].sections == ("办公室",) and table.rows[0].units == ("财务股", "人事股")
    assert table.rows[0].line == 3


def test_without_number_column_rows_are_numbered_and_a_warning_says_so() -> None:
    rows = [["工作内容", "牵头股室"], ["任务甲。", "办公室"], ["任务乙。", "财务股"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [r.no for r in table.rows] == ["1", "2"]
    assert [(w.code, w.line) for w in table.warnings] == [("no_number_column", 1)]


def test_task_column_alone_is_the_content_and_a_table_without_assignees_is_unassigned() -> None:
    rows = [["序号", "任务"], ["1", "建立工作台账。"], ["2", "开展督查。"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [c.field for c in table.columns] == ["no", "content"]
    assert [r.content for r in table.rows] == ["建立工作台账。", "开展督查。"]
    assert table.unassigned is True and table.warnings == ()


def test_group_heading_rows_empty_rows_and_repeated_headers() -> None:
    header = ["序号", "具体内容", "牵头领导", "牵头股室"]
    rows = [
        header,
        ["一、疫情防控", "", "", ""],
        ["1", "任务甲。", "张三", "疾控股"],
        ["", "", "", ""],
        header,
        ["2", "任务乙。", "张三", "疾控股"],
        ["二、综合监管", "", "", ""],
        ["3", "任务丙。", "", ""],
    ]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [(r.no, r.category) for r in table.rows] == [("1", "一、疫情防控"), ("2", "一、疫情防控"), ("3", "二、综合监管")]
    assert [(w.code, w.line) for w in table.warnings] == [("missing_leader", 8), ("missing_section", 8)]


def test_notes_and_signature_under_the_table_are_not_tasks() -> None:
    rows = [
        ["序号", "具体内容", "牵头股室"],
        ["1", "任务甲。", "办公室"],
        ["注：本表由办公室负责解释。", "", ""],
        ["沅江市卫生健康局", "", ""],
        ["2023年5月6日", "", ""],
    ]
    table = read_table(csv_bytes(rows), "t.csv")
    assert len(table.rows) == 1
    assert (table.issuer, str(table.issued)) == ("沅江市卫生健康局", "2023-05-06")


def test_content_lines_join_without_spaces_between_chinese() -> None:
    rows = [["序号", "具体内容", "牵头股室"], ["1", "全面落实\n各项措施。\nPhase 2\nstarts", "办公室"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert table.rows[0].content == "全面落实各项措施。Phase 2 starts"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    rows = [["序号", "具体内容", "牵头股室"], ["1", "任务甲，含逗号。", "办公室"], ["2", "任务乙。", "财务股"]]
    table = read_table(csv_bytes(rows, delimiter=delimiter), "t.csv")
    assert [r.content for r in table.rows] == ["任务甲，含逗号。", "任务乙。"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(encoding: str) -> None:
    rows = [["序号", "具体内容", "牵头股室"], ["1", "落实“乙类乙管”措施。", "疾控股"]]
    table = read_table(csv_bytes(rows, encoding=encoding), "t.csv")
    assert table.rows[0].content == "落实“乙类乙管”措施。"


def test_tab_separated_text_pasted_from_excel_reads_as_a_table() -> None:
    data = "序号\t具体内容\t牵头股室\n1\t任务甲。\t办公室\n2\t任务乙。\t财务股\n".encode()
    table = read_table(data, "pasted.txt")
    assert table.format == "csv" and len(table.rows) == 2


def test_docx_picks_the_table_whose_header_matches_and_merges_a_table_split_across_pages() -> None:
    cover = [["文件编号", "县卫健〔2024〕3号"], ["密级", "公开"]]
    header = ["序号", "工作任务", "具体内容", "责任领导", "责任股室"]
    part1 = [header, ["1", "(一)改革", "任务甲。", "张三", "办公室"], ["2", "", "任务乙。", "李四", "财务股"]]
    part2 = [header, ["3", "(二)监管", "任务丙。", "王五", "法监股"]]
    data = docx_bytes([cover, part1, part2], before=("2024年重点工作责任分解表",), vmerge={1: [(1, 1, 2)]})
    table = read_table(data, "t.docx")
    assert [(r.no, r.category, r.leaders) for r in table.rows] == [
        ("1", "(一)改革", ("张三",)), ("2", "(一)改革", ("李四",)), ("3", "(二)监管", ("王五",))]
    assert [r.line for r in table.rows] == [2, 3, 5]
    assert table.title == "2024年重点工作责任分解表"


def test_docx_gridspan_stays_in_its_first_column() -> None:
    rows = [
        [("2024年任务表", 4)],
        [("序号", 1), ("具体内容", 1), ("牵头领导", 1), ("牵头股室", 1)],
        [("1", 1), ("内容跨两列的任务。", 2), ("办公室", 1)],
    ]
    table = read_table(docx_with_gridspan(rows), "t.docx")
    row = table.rows[0]
    assert row.content == "内容跨两列的任务。"
    assert row.leaders == () and row.sections == ("办公室",)
    assert [w.code for w in table.warnings] == ["missing_leader"]


def test_xlsx_skips_sheets_without_a_table() -> None:
    rows = [["序号", "具体内容", "牵头股室"], [1, "任务甲。", "办公室"]]
    table = read_table(xlsx_bytes(rows, sheets_before=1), "t.xlsx")
    assert len(table.rows) == 1


def test_text_with_header_split_over_paragraphs_and_single_spacing() -> None:
    text = "\n".join([
        "2024年全县重点工作责任分解表", "序号", "重点任务", "具体内容", "责任", "领导", "责任股室",
        "1", "(一)改革", "任务甲。", "张三", "办公室",
        "2", "任务乙。", "李四", "财务股",
        "3", "(二)监管", "任务丙。", "王五",
        "扫一扫在手机打开当前页",
    ])
    table = read_table(text.encode(), "page.txt")
    assert [c.header for c in table.columns] == ["序号", "重点任务", "具体内容", "责任领导", "责任股室"]
    assert [(r.no, r.category, r.leaders, r.sections) for r in table.rows] == [
        ("1", "(一)改革", ("张三",), ("办公室",)),
        ("2", "(一)改革", ("李四",), ("财务股",)),
        ("3", "(二)监管", ("王五",), ()),
    ]
    assert table.year == 2024


def test_docx_table_continued_on_the_next_page_without_its_header() -> None:
    header = ["序号", "具体内容", "牵头领导"]
    data = docx_bytes([[header, ["1", "任务甲。", "张三"]], [["2", "任务乙。", "李四"]]])
    table = read_table(data, "t.docx")
    assert [(r.no, r.line) for r in table.rows] == [("1", 2), ("2", 3)]


def test_html_layout_table_around_the_data_table() -> None:
    page = """<html><head><meta charset="utf-8"><title>通知</title></head><body>
    <table class="layout"><tr><td><div>县卫生健康局</div><div>2024年3月1日</div>
      <h2>2024年重点工作任务清单</h2>
      <table border="1">
        <tr><th rowspan="2">序号</th><th rowspan="2">任务</th><th colspan="2">责任单位</th></tr>
        <tr><th>牵头单位</th><th>配合单位</th></tr>
        <tr><td>1</td><td>任务甲。<br>分两行写。</td><td>办公室</td><td>财务股</td></tr>
        <tr><td>2</td><td colspan="2">任务乙。</td><td>人事股</td></tr>
      </table></td></tr></table></body></html>"""
    table = read_table(page.encode(), "page.html")
    assert [(c.field, c.header) for c in table.columns] == [
        ("no", "序号"), ("content", "任务"), ("sections", "牵头单位"), ("units", "配合单位")]
    assert [(r.no, r.content, r.sections, r.units) for r in table.rows] == [
        ("1", "任务甲。分两行写。", ("办公室",), ("财务股",)),
        ("2", "任务乙。", (), ("人事股",)),
    ]
    assert [w.code for w in table.warnings] == ["missing_section"]
    assert (table.title, table.issuer, table.year) == ("2024年重点工作任务清单", "县卫生健康局", 2024)


def test_a_long_pathological_text_is_refused_in_bounded_time() -> None:
    import time

    from bot.tableimport import ImportFailure

    data = "\n".join(str(i) for i in range(1, 100_000)).encode()
    start = time.perf_counter()
    with pytest.raises(ImportFailure):
        read_table(data, "numbers.txt")
    assert time.perf_counter() - start < 10


def test_tab_separated_csv_with_commas_inside_cells() -> None:
    data = '序号\t具体内容\t牵头股室\n1\t"甲,乙,丙三项,分别推进。"\t办公室\n2\t丁,戊。\t财务股\n'.encode()
    table = read_table(data, "t.csv")
    assert [(r.content, r.sections) for r in table.rows] == [("甲,乙,丙三项,分别推进。", ("办公室",)),
                                                             ("丁,戊。", ("财务股",))]


def test_text_header_repeated_after_a_page_break_is_skipped(fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    text = (fixtures_dir / "yuanjiang-2023-tasks.txt").read_text("utf-8")
    repeated = "序号\n\n工作任务\n\n具体内容及时间节点安排\n\n牵头\n\n领导\n\n牵头股室站\n\n相关责任单位\n\n"
    at = text.index("\n21\n") + 1
    table = read_table((text[:at] + repeated + text[at:]).encode(), "page.txt")
    assert len(table.rows) == 45 and table.rows[20].no == "21"
    assert table.rows[19].units == ("各相关医疗卫生单位",)
