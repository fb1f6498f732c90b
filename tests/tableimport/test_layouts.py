"""Layout families of published tables: competing task columns, labels with years, two-row headers under
notes, part headings, roles in one cell, numbers in the text, several sheets, columns nobody reads."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bot.tableimport import ImportFailure, read_table
from tests.tableimport.builders import csv_bytes, docx_bytes, read_as, xlsx_bytes


CATEGORY_AND_TASK = [
    ["序号", "工作类别", "工作任务", "牵头单位", "配合单位", "完成时限"],
    ["1", "疾病防控", "完成全县适龄儿童免疫规划疫苗接种率达到90%以上。", "疾控股", "各乡镇卫生院", "12月底前"],
    ["2", "疾病防控", "开展重点传染病监测预警，及时处置突发疫情。", "疾控股", "县疾控中心", "长期"],
    ["3", "疾病防控", "推进慢性病综合防控示范区复审工作。", "疾控股", "", "9月底前"],
    ["4", "医疗服务", "推进紧密型县域医共体建设，完善总医院运行机制。", "医政股", "县人民医院", "6月底前"],
    ["5", "医疗服务", "开展改善就医感受提升患者体验主题活动。", "医政股", "各医疗机构", "年内"],
]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_category_column_and_task_column_are_told_apart_by_what_they_hold(fmt: str) -> None:
    table = read_as(CATEGORY_AND_TASK, fmt)
    fields = {c.header: c.field for c in table.columns}
    assert fields["工作类别"] == "category" and fields["工作任务"] == "content"
    assert table.rows[0].content.startswith("完成全县适龄儿童")
    assert [r.category for r in table.rows] == ["疾病防控"] * 3 + ["医疗服务"] * 2
    assert table.unmapped == ()


def test_task_name_and_measures_give_title_and_content() -> None:
    rows = [
        ["序号", "工作任务", "工作措施", "责任股室", "完成时限"],
        ["1", "医共体建设", "完善总医院理事会运行机制，统一人财物管理，年底前实现县乡一体化管理。", "医政股", "年底前"],
        ["2", "公共卫生", "落实基本公共卫生服务项目，老年人健康管理率达到70%以上。", "基卫股", "11月底前"],
        ["3", "中医药", "每个乡镇卫生院建成中医馆，推广中医适宜技术10项以上。", "中医股", "10月底前"],
    ]
    table = read_table(xlsx_bytes(rows), "t.xlsx")
    fields = {c.header: c.field for c in table.columns}
    assert fields == {"序号": "no", "工作任务": "title", "工作措施": "content", "责任股室": "sections", "完成时限": "deadline"}
    assert table.rows[1].title == "公共卫生"
    assert table.rows[1].content.startswith("落实基本公共卫生")


@pytest.mark.parametrize("labels", [
    ["序号", "2025年重点任务", "牵 头\n领 导", "责任单位"],
    ["序号", "主要工作任务（目标）", "牵头\n领导", "牵头股室（站）"],
    ["序 号", "2024年度工作任务", "分管领导", "责任科室"],
])
def test_labels_with_years_brackets_and_breaks_are_recognised(labels: list[str]) -> None:
    rows = [labels, ["1", "推进基层卫生服务能力提升。", "张三", "基卫股"], ["2", "完成家庭医生签约。", "李四", "基卫股"]]
    table = read_table(csv_bytes(rows), "2024年重点工作.csv")
    assert [c.field for c in table.columns] == ["no", "content", "leaders", "sections"]
    assert table.rows[0].leaders == ("张三",) and table.rows[1].sections == ("基卫股",)


def test_two_row_header_under_a_title_row_and_a_note_row() -> None:
    rows = [
        ["2024年全县卫生健康重点工作任务分解表", "", "", "", "", ""],
        ["填报说明：请各牵头单位于每月25日前报送进展情况，完成时限以表内为准。", "", "", "", "", ""],
        ["序号", "重点任务", "责任单位", "", "完成时限", "备注"],
        ["", "", "牵头单位", "配合单位", "", ""],
        ["1", "完成县人民医院三级医院创建评审。", "医政股", "县人民医院", "10月底前", ""],
        ["2", "推进村卫生室标准化建设，年内完成20所。", "基卫股", "各乡镇卫生院", "年内", ""],
        ["3", "开展爱国卫生运动，巩固国家卫生县城成果。", "爱卫办", "各乡镇", "长期", ""],
    ]
    merges = ("A1:F1", "A2:F2", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4")
    table = read_table(xlsx_bytes(rows, merges), "t.xlsx")
    fields = {c.label: c.field for c in table.columns}
    assert fields == {"A": "no", "B": "content", "C": "sections", "D": "units", "E": "deadline", "F": "remarks"}
    assert [r.no for r in table.rows] == ["1", "2", "3"]
    assert table.rows[0].sections == ("医政股",) and table.rows[0].units == ("县人民医院",)
    assert (table.year, table.year_source) == (2024, "title")


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_part_heading_rows_become_the_category_of_the_rows_below(fmt: str) -> None:
    rows = [
        ["序号", "具体任务", "牵头领导", "牵头股室", "配合单位"],
        ["一、深化医药卫生体制改革", "", "", "", ""],
        ["1", "推进公立医院综合改革。", "张三", "体改股", "各医院"],
        ["2", "深化医保支付方式改革。", "张三", "体改股", "医保局"],
        ["二", "提升公共卫生服务能力", "", "", ""],
        ["3", "加强疾控体系建设。", "李四", "疾控股", ""],
        ["", "（三）强化综合监管", "", "", ""],
        ["4", "开展医疗机构依法执业专项检查。", "王五", "法监股", ""],
    ]
    table = read_as(rows, fmt)
    assert [r.no for r in table.rows] == ["1", "2", "3", "4"]
    assert [r.category for r in table.rows] == [
        "一、深化医药卫生体制改革", "一、深化医药卫生体制改革", "二、提升公共卫生服务能力", "（三）强化综合监管"]


@pytest.mark.parametrize("cell,sections,units", [
    ("医政股牵头，各医院参与", ("医政股",), ("各医院",)),
    ("办公室主办、财务股协办", ("办公室",), ("财务股",)),
    ("疾控股负责，县疾控中心配合", ("疾控股",), ("县疾控中心",)),
    ("医政股、基卫股", ("医政股", "基卫股"), ()),
])
def test_roles_written_inside_one_cell_are_split(cell: str, sections: tuple, units: tuple) -> None:
    rows = [["序号", "工作任务", "责任单位"], ["1", "完成某项任务。", cell], ["2", "完成另一项任务。", "医政股"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert (table.rows[0].sections, table.rows[0].units) == (sections, units)


def test_numbers_written_at_the_start_of_the_text_when_there_is_no_number_column() -> None:
    rows = [["工作任务", "责任单位"], ["1.推进医共体建设。", "医政股"], ["2、完善分级诊疗。", "医政股"],
            ["3．加强基层能力。", "基卫股"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [(r.no, r.content) for r in table.rows] == [("1", "推进医共体建设。"), ("2", "完善分级诊疗。"),
                                                      ("3", "加强基层能力。")]
    assert [w.code for w in table.warnings] == ["numbers_from_text"]


def test_rows_are_numbered_in_order_when_nothing_gives_a_number() -> None:
    rows = [["工作任务", "责任单位"], ["推进医共体建设。", "医政股"], ["完善分级诊疗。", "医政股"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [r.no for r in table.rows] == ["1", "2"]
    assert [w.code for w in table.warnings] == ["no_number_column"]


def test_the_sheet_with_the_task_table_is_read_and_named() -> None:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["序号", "说明事项", "填写要求"])
    notes.append(["1", "任务内容", "照抄文件原文"])
    tasks = book.create_sheet("任务清单")
    for row in CATEGORY_AND_TASK:
        tasks.append(row)
    log = book.create_sheet("修订记录")
    log.append(["序号", "修订内容", "修订人"])
    log.append(["1", "调整第3项时限", "办公室"])
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "2024年任务.xlsx")
    assert table.sheet == "任务清单"
    assert table.other_sheets == ("填表说明", "修订记录")
    assert len(table.rows) == 5


def _book(*sheets: tuple[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_title_and_year_on_a_cover_sheet_in_front_of_the_table_are_read() -> None:
    cover = ("封面", [["某县卫生健康局2022年重点工作任务分解表"], ["某县卫生健康局办公室 2022年3月1日印发"]])
    table = read_table(_book(cover, ("任务", CATEGORY_AND_TASK), ("Sheet3", [])), "tasks.xlsx")
    assert (table.title, table.year, table.sheet) == ("某县卫生健康局2022年重点工作任务分解表", 2022, "任务")
    # A table sheet with its own title row keeps it; a cover after the table is not the table's.
    titled = ("任务", [["某县卫生健康局2023年重点工作任务分解表"], *CATEGORY_AND_TASK])
    assert read_table(_book(cover, titled), "tasks.xlsx").year == 2023
    assert read_table(_book(("任务", CATEGORY_AND_TASK), cover), "tasks.xlsx").year is None


def test_a_notices_closing_after_the_last_point_is_not_part_of_it() -> None:
    text = ("2023年重点民生实事项目公示\n一、县重点民生实事项目:\n1、新建村卫生室10所;\n"
            "2、免费为新生儿进行遗传代谢病筛查(3000人)。\n"
            "公示时间为2023年5月6日至5月12日,若有异议,可向县卫生健康局反映。\n联系人:张三 电话:0731-1234567\n"
            "县卫生健康局\n2023年5月6日\n")
    table = read_table(text.encode(), "gongshi.txt")
    assert [r.content for r in table.rows] == ["新建村卫生室10所;", "免费为新生儿进行遗传代谢病筛查(3000人)。"]
    # A paragraph that goes on with the point (not a closing) still joins it.
    text = text.replace("公示时间为", "重点做好筛查阳性病例的召回工作。\n公示时间为")
    assert read_table(text.encode(), "gongshi.txt").rows[-1].content.endswith("召回工作。")


def test_a_notices_own_numbered_instructions_above_its_signature_are_not_the_points() -> None:
    text = ("关于印发2024年重点工作任务分解方案的通知\n各科室:\n现将方案印发给你们,并通知如下:\n"
            "一、各牵头科室要切实履行牵头责任。\n二、请于2024年3月9日前报送落实措施。\n三、加强督办。\n"
            "县卫生健康局办公室\n2024年2月14日\n2024年重点工作任务分解方案\n一、推进医共体建设\n"
            "1.完善总医院运行机制。(牵头单位:医政股;责任单位:各卫生院)\n2.推进分级诊疗。(责任单位:医政股)\n")
    table = read_table(text.encode(), "fangan.txt")
    assert [(r.no, r.content, r.sections) for r in table.rows] == [
        ("1", "完善总医院运行机制。", ("医政股",)), ("2", "推进分级诊疗。", ("医政股",))]
    assert table.year == 2024


def test_a_column_nobody_reads_is_reported() -> None:
    rows = [["序号", "工作任务", "牵头股室", "联系人", "联系电话"],
            ["1", "推进医共体建设。", "医政股", "张三", "123"],
            ["2", "完善分级诊疗。", "医政股", "李四", "456"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [(c.label, c.header, c.rows) for c in table.unmapped] == [("D", "联系人", 2), ("E", "联系电话", 2)]


def test_the_admin_corrects_the_column_guess() -> None:
    rows = [["序号", "板块", "事项", "单位"], ["1", "改革", "推进医共体建设。", "医政股"],
            ["2", "改革", "完善分级诊疗。", "基卫股"]]
    table = read_table(csv_bytes(rows), "t.csv", columns="B=类别,C=任务,D=牵头单位")
    assert {c.label: c.field for c in table.columns} == {"A": "no", "B": "category", "C": "content", "D": "sections"}
    assert table.rows[1].sections == ("基卫股",)
    skipped = read_table(csv_bytes(rows), "t.csv", columns="D=忽略")
    assert "D" not in {c.label for c in skipped.columns}
    assert skipped.unmapped == ()  # the admin said so: not reported as forgotten


@pytest.mark.parametrize("spec", ["B=什么", "B类别", "=任务"])
def test_a_bad_column_mapping_names_the_item(spec: str) -> None:
    rows = [["序号", "工作任务"], ["1", "推进医共体建设。"]]
    with pytest.raises(ImportFailure) as caught:
        read_table(csv_bytes(rows), "t.csv", columns=spec)
    (line,) = caught.value.render("zh")
    assert "--columns" in line and "B=类别" in line


@pytest.mark.parametrize("before,year,source", [
    (("关于印发《2024年卫生健康重点工作任务分解》的通知",), 2024, "title"),
    (("县卫生健康局", "2025年重点工作分工方案"), 2025, "title"),
    (("沅卫发〔2023〕12号", "关于做好重点工作的通知"), 2023, "doc_number"),
    (("重点工作任务台账", "2022年5月6日"), 2022, "issued"),
])
def test_the_year_is_found_above_a_word_table(before: tuple[str, ...], year: int, source: str) -> None:
    rows = [["序号", "工作任务", "牵头股室"], ["1", "6月底前完成任务。", "医政股"]]
    table = read_table(docx_bytes([rows], before=before), "table.docx")
    assert (table.year, table.year_source) == (year, source)


def test_a_cited_plan_in_the_title_does_not_give_the_year() -> None:
    rows = [["序号", "工作任务", "牵头股室"], ["1", "6月底前完成任务。", "医政股"]]
    table = read_table(docx_bytes([rows], before=("落实《健康县城三年行动方案（2021—2023年）》任务清单",)), "t.docx")
    assert table.year is None


def test_the_year_comes_from_the_html_title() -> None:
    page = ("<html><head><title>2026年全县卫生健康重点工作责任分解表</title></head><body>"
            "<table><tr><td>序号</td><td>工作任务</td><td>牵头股室</td></tr>"
            "<tr><td>1</td><td>6月底前完成任务。</td><td>医政股</td></tr></table></body></html>")
    table = read_table(page.encode(), "page.html")
    assert (table.year, table.year_source) == (2026, "title")


def test_tasks_written_as_label_and_value_paragraphs() -> None:
    text = "\n".join([
        "2024年重点工作任务", "具体任务", "6月底前完成村卫生室标准化建设。", "责任单位", "基卫股", "配合单位", "各乡镇",
        "具体任务", "年内建成县域医共体。", "责任单位", "医政股", "配合单位", "县人民医院",
    ])
    table = read_table(text.encode(), "page.txt")
    assert [(r.no, r.content, r.sections, r.units) for r in table.rows] == [
        ("1", "6月底前完成村卫生室标准化建设。", ("基卫股",), ("各乡镇",)),
        ("2", "年内建成县域医共体。", ("医政股",), ("县人民医院",)),
    ]
    assert table.year == 2024


_SHARED = [["序号", "民生实事", "责任单位", "完成时限"], ["4", "建成残疾人综合服务中心。", "县残联", "5月底前"],
           ["5", "开工建设老年养护楼。", "县民政局", "5月底前动工"], ["", "开工建设老年大学。", "", "12月底前"],
           ["6", "迁建政务服务中心。", "县代建中心", "12月底前"]]


def _shared_html() -> bytes:
    cells = ["<tr><td>序号</td><td>民生实事</td><td>责任单位</td><td>完成时限</td></tr>",
             "<tr><td>4</td><td>建成残疾人综合服务中心。</td><td>县残联</td><td>5月底前</td></tr>",
             '<tr><td rowspan="2">5</td><td>开工建设老年养护楼。</td><td rowspan="2">县民政局</td><td>5月底前动工</td></tr>',
             "<tr><td>开工建设老年大学。</td><td>12月底前</td></tr>",
             "<tr><td>6</td><td>迁建政务服务中心。</td><td>县代建中心</td><td>12月底前</td></tr>"]
    return ("<html><body><table>" + "".join(cells) + "</table></body></html>").encode()


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "html"])
def test_one_number_merged_over_an_items_sub_rows_numbers_them_n_1_n_2(fmt: str) -> None:
    if fmt == "xlsx":
        data, name = xlsx_bytes(_SHARED, merges=("A3:A4", "C3:C4")), "t.xlsx"
    elif fmt == "docx":
        data, name = docx_bytes([_SHARED], vmerge={0: [(0, 2, 3), (2, 2, 3)]}), "t.docx"
    else:
        data, name = _shared_html(), "t.html"
    table = read_table(data, name)
    assert [(r.no, r.sections, r.deadline) for r in table.rows] == [
        ("4", ("县残联",), "5月底前"), ("5-1", ("县民政局",), "5月底前动工"), ("5-2", ("县民政局",), "12月底前"),
        ("6", ("县代建中心",), "12月底前"),
    ]
    shared = [w for w in table.warnings if w.code == "number_shared"]
    assert [(w.line, w.params) for w in shared] == [(3, {"no": "5", "count": 2})]


def test_a_number_typed_again_on_the_next_row_is_still_a_duplicate() -> None:
    rows = [row[:] for row in _SHARED]
    rows[3][0] = "5"
    with pytest.raises(ImportFailure) as info:
        read_table(xlsx_bytes(rows), "t.xlsx")
    assert [p.code for p in info.value.problems] == ["import.duplicate_no"]


def test_a_table_pasted_one_cell_per_line_puts_multi_line_cells_in_their_columns() -> None:
    # Copied from a web page: a unit cell with one unit per line, two leaders on two lines, a text in two
    # paragraphs, and a 序号 merged over two sub-rows (its unit cell merged too, so it shows once).
    text = "\n".join([
        "2024年民生实事任务分解表", "序号", "实事项目", "责任领导", "责任单位", "完成时限",
        "1", "新建城区公园2个。", "张三", "县住建局", "县城管局", "县自然资源局", "10月底前",
        "2", "改造老旧小区12个。", "同步完成雨污分流。", "李四", "王五", "县住建局", "12月底前",
        "3", "开工建设养老服务中心。", "赵六", "县民政局", "6月底前动工", "建成老年大学。", "12月底前",
        "4", "新增托位200个。", "赵六", "县卫健委", "年底前",
    ])
    table = read_table(text.encode(), "paste.txt")
    assert [(r.no, r.content, r.leaders, r.sections, r.deadline) for r in table.rows] == [
        ("1", "新建城区公园2个。", ("张三",), ("县住建局", "县城管局", "县自然资源局"), "10月底前"),
        ("2", "改造老旧小区12个。同步完成雨污分流。", ("李四", "王五"), ("县住建局",), "12月底前"),
        ("3-1", "开工建设养老服务中心。", ("赵六",), ("县民政局",), "6月底前动工"),
        ("3-2", "建成老年大学。", ("赵六",), ("县民政局",), "12月底前"),
        ("4", "新增托位200个。", ("赵六",), ("县卫健委",), "年底前"),
    ]
    assert table.year == 2024


def test_pasted_rows_that_lost_their_merged_cells_take_them_from_the_row_above() -> None:
    # The page's text shows a merged leader, deadline and unit cell only on the first row it covers; 指标 is a
    # category merged the same way, and the header cell 责任股室(单位) is broken over two lines.
    text = "\n".join([
        "序号", "指标", "工作任务", "完成时限", "责任领导", "责任股室", "(单位)",
        "1", "公共文化", "开展文化下乡演出100场。", "12月底前", "夏俊贵", "文化股",
        "2", "推进总分馆制建设。",
        "3", "文化产业", "培育文化企业1家。", "产业股",
        "4", "旅游", "新建旅游厕所6座。", "5月底", "周 斐", "旅游股",
    ])
    table = read_table(text.encode(), "paste.txt")
    assert [(r.no, r.category, r.content, r.leaders, r.sections, r.deadline) for r in table.rows] == [
        ("1", "公共文化", "开展文化下乡演出100场。", ("夏俊贵",), ("文化股",), "12月底前"),
        ("2", "公共文化", "推进总分馆制建设。", ("夏俊贵",), ("文化股",), "12月底前"),
        ("3", "文化产业", "培育文化企业1家。", ("夏俊贵",), ("产业股",), "12月底前"),
        ("4", "旅游", "新建旅游厕所6座。", ("周斐",), ("旅游股",), "5月底"),
    ]
    carried = [w for w in table.warnings if w.code == "cells_carried"]
    assert [(w.line, w.params) for w in carried] == [(14, {"count": 2})]


def test_an_explicitly_empty_cell_in_double_spaced_text_is_not_filled_from_above() -> None:
    text = "\n\n".join(["序号", "工作任务", "牵头领导", "牵头股室", "1", "任务甲。", "张三", "医政股",
                        "2", "任务乙。", " ", "办公室"]) + "\n"
    table = read_table(text.encode(), "paste.txt")
    assert [(r.no, r.leaders, r.sections) for r in table.rows] == [("1", ("张三",), ("医政股",)),
                                                                 ("2", (), ("办公室",))]
    assert not [w for w in table.warnings if w.code == "cells_carried"]


def test_a_pasted_header_may_end_in_a_column_nobody_reads_and_its_report_stays_in_it() -> None:
    # 进展情况 is no field: it still ends the header, and a report in several paragraphs under it is not read as
    # sub-tasks (a sub-row needs a deadline, leader or unit of its own).
    text = "\n".join([
        "序号", "重点任务", "完成时间", "责任人", "责任部门", "进展情况",
        "7", "开工建设凤凰路、三亚路。", "三亚路11月底前通车;污水处理厂12月底前建成。", "王广部 王鹏伟", "国土住建局",
        "1、凤凰路一期已建成通车。", "2、三亚路管道已完成60%。",
        "8", "推进智慧园区建设。", "12月底前", "王鹏伟", "科技局", "已完成方案编制。",
    ])
    table = read_table(text.encode(), "paste.txt")
    assert [(r.no, r.content, r.leaders, r.sections, r.deadline) for r in table.rows] == [
        ("7", "开工建设凤凰路、三亚路。", ("王广部", "王鹏伟"), ("国土住建局",), "三亚路11月底前通车;污水处理厂12月底前建成。"),
        ("8", "推进智慧园区建设。", ("王鹏伟",), ("科技局",), "12月底前"),
    ]
    assert [(c.header, c.rows) for c in table.unmapped] == [("进展情况", 2)]


def test_a_long_group_heading_before_a_text_in_two_paragraphs_stays_the_category() -> None:
    text = "\n".join([
        "序号", "工作任务", "具体内容", "牵头领导", "牵头股室",
        "1", "（一）聚焦群众获得感,加力深化医药卫生体制改革。", "推进医共体建设。", "同步推进分级诊疗。", "张三", "医政股",
        "2", "完善双向转诊。", "张三", "医政股",
    ])
    table = read_table(text.encode(), "paste.txt")
    heading = "（一）聚焦群众获得感,加力深化医药卫生体制改革。"
    assert [(r.no, r.category, r.content, r.leaders) for r in table.rows] == [
        ("1", heading, "推进医共体建设。同步推进分级诊疗。", ("张三",)),
        ("2", heading, "完善双向转诊。", ("张三",)),
    ]


def test_a_merged_number_saved_flat_leaves_an_empty_number_and_unit_under_its_first_row() -> None:
    # Saved as CSV, a merged 序号 and 责任单位 keep their value only in the first row. A row that simply lacks its
    # number (it has a unit of its own) is still numbered next in order.
    rows = [row[:] for row in _SHARED] + [["", "新建农贸市场。", "县商务局", "10月底前"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [(r.no, r.sections, r.deadline) for r in table.rows] == [
        ("4", ("县残联",), "5月底前"), ("5-1", ("县民政局",), "5月底前动工"), ("5-2", ("县民政局",), "12月底前"),
        ("6", ("县代建中心",), "12月底前"), ("7", ("县商务局",), "10月底前"),
    ]
    assert {w.code: w.line for w in table.warnings} == {"number_assigned": 6, "number_shared": 3, "cells_carried": 4}
