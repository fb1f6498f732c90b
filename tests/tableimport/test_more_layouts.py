"""Layouts found by probing beyond the corpus: county leaders with their posts, a schedule by month numbers, start
and end time columns, a row numbering the columns, a totals row, a 责任分工 column beside the leaders, header words
other bureaus use, and roles written with other verbs."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.import_plan import plan_tasks
from bot.tableimport import read_table
from bot.tableimport.cells import split_people
from bot.tableimport.headers import match_header
from bot.tableimport.roles import split_roles
from tests.tableimport.builders import csv_bytes, xlsx_bytes

TITLE = ["2024年县政府重点工作责任分解表"]


@pytest.mark.parametrize("cell,names", [
    ("县委常委、常务副县长 王刚", ("王刚",)), ("县委常委、组织部长 陈红", ("陈红",)), ("副县长：赵丽", ("赵丽",)),
    ("王刚（县委常委、常务副县长）", ("王刚",)), ("县人大常委会副主任 何平", ("何平",)), ("区委常委、宣传部部长 郑洁", ("郑洁",)),
    ("县长助理 许亮", ("许亮",)), ("王明副局长", ("王明",)), ("局长：周平；副局长：王明", ("周平", "王明")),
    ("张建国（副县长、公安局长）", ("张建国",)), ("王刚（牵头）、赵丽", ("王刚", "赵丽")), ("王刚 牵头\n赵丽 配合", ("王刚", "赵丽")),
    ("王刚、赵丽等县领导", ("王刚", "赵丽")), ("王刚同志", ("王刚",)),
    # unchanged: names, a name ending like a unit, a cell naming only a post
    ("张三、李四", ("张三", "李四")), ("王广部", ("王广部",)), ("局长", ("局长",)), ("汪  峰", ("汪峰",)),
])
def test_leaders_written_with_their_posts(cell: str, names: tuple[str, ...]) -> None:
    assert split_people(cell) == names


@pytest.mark.parametrize("label,field", [
    ("完成时限及要求", "deadline"), ("时间节点及要求", "deadline"), ("完成节点", "deadline"), ("结束时间", "deadline"),
    ("责任科（室、站、所）", "sections"), ("重点项目", "title"), ("年度目标", "category"), ("1.序号", "no"),
    ("2、工作任务", "category"), ("实际完成时间", None), ("启动时间", None),
])
def test_header_words(label: str, field: str | None) -> None:
    assert match_header(label)[0] == field


@pytest.mark.parametrize("cell,lead,related", [
    ("公共卫生股负责，县卫生监督所具体实施", ("公共卫生股",), ("县卫生监督所",)),
    ("县卫健委具体负责，各乡镇督导", ("县卫健委",), ("各乡镇",)),
    ("县医保局主抓，县税务局配合", ("县医保局",), ("县税务局",)),
])
def test_roles_in_other_verbs(cell: str, lead: tuple[str, ...], related: tuple[str, ...]) -> None:
    assert split_roles(cell) == (lead, related)


def _planned(rows: list[list[object]], fmt: str = "xlsx", merges: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    data = xlsx_bytes(rows, merges) if fmt == "xlsx" else csv_bytes(rows)  # type: ignore[arg-type]
    table = read_table(data, f"t.{fmt}")
    return table, plan_tasks(table, 2024)


def test_a_schedule_by_month_numbers() -> None:
    head = ["序号", "工作任务", "责任领导", "责任股室", "时间进度（月）", *[None] * 11]
    months = [None, None, None, None, *range(1, 13)]
    ticks = ["1", "推进医共体建设", "王明", "医政股", *["√" if m in (3, 6, 9, 12) else "" for m in range(1, 13)]]
    _, planned = _planned([TITLE, head, months, ticks], merges=("E2:P2",))
    assert [m.due for m in planned[0].milestones] == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30),
                                                      date(2024, 12, 31)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_start_and_end_under_one_label(fmt: str) -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任股室", "时间安排", ""], ["", "", "", "", "启动时间", "结束时间"],
            ["1", "推进医共体建设", "王明", "医政股", "2024年3月", "2024年6月30日"]]
    _, planned = _planned(rows, fmt)
    assert [m.due for m in planned[0].milestones] == [date(2024, 6, 30)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_row_numbering_the_columns_and_a_totals_row_are_no_tasks(fmt: str) -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任股室", "完成时限"], ["1", "2", "3", "4", "5"],
            ["1", "推进医共体建设", "王明", "医政股", "6月底前"], ["2", "推进智慧医院建设", "张强", "规划信息股", "12月底前"],
            ["合计", "2项", "", "", ""]]
    table, _ = _planned(rows, fmt)
    assert [(r.no, r.content) for r in table.rows] == [("1", "推进医共体建设"), ("2", "推进智慧医院建设")]


def test_a_duties_column_beside_the_leaders_keeps_people_out_of_the_sections() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任分工"],
            ["1", "推进智慧医院建设", "王明", "王明同志负总责，规划信息股牵头，县人民医院配合"],
            ["2", "开展医疗机构执业检查", "李华", "医政股（责任人：刘洋）"]]
    table, _ = _planned(rows, "csv")
    assert [(r.leaders, r.sections, r.units) for r in table.rows] == [
        (("王明",), ("规划信息股",), ("县人民医院",)), (("李华",), ("医政股",), ())]


def test_numbered_lines_in_a_task_cell_keep_their_dates() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任股室", "完成时限"],
            ["1", "食品安全专项整治\n1.3月底前制定工作方案；\n2.10月底前完成食品抽检800批次。", "张强", "公共卫生股", "10月底前"]]
    _, planned = _planned(rows)
    assert [m.due for m in planned[0].milestones] == [date(2024, 3, 31), date(2024, 10, 31)]


def test_sub_items_take_the_roles_and_deadline_of_their_task() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任股室", "完成时限"],
            ["1", "提升基层服务能力：", "李华", "基层卫生股", "2024年12月底前"],
            ["（1）", "实现村卫生室医保结算全覆盖", "", "", ""],
            ["（2）", "开展乡村医生轮训", "", "", "2024年11月底前"]]
    table, planned = _planned(rows)
    assert [(p.no, p.leaders, p.sections, [m.due for m in p.milestones]) for p in planned[1:]] == [
        ("1-1", ("李华",), ("基层卫生股",), [date(2024, 12, 31)]),
        ("1-2", ("李华",), ("基层卫生股",), [date(2024, 11, 30)])]
    assert not [w for w in table.warnings if w.code in ("missing_leader", "missing_section")]


@pytest.mark.parametrize("title,year", [("二〇二四年县卫生健康局重点工作责任分解表", 2024),
                                        ("县卫生健康局2024—2025年医共体建设重点任务分解表", 2024),
                                        ("2025年县卫生健康局重点工作责任分解表", 2025)])
def test_the_year_of_the_title(title: str, year: int) -> None:
    rows = [[title], ["序号", "工作任务", "责任领导", "责任股室", "完成时限"], ["1", "推进医共体建设", "王明", "医政股", "6月30日前"]]
    table, _ = _planned(rows)
    assert (table.year, table.year_source) == (year, "title")


def test_a_sheet_named_for_its_year_gives_it() -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2024年重点工作"
    for row in (["县卫生健康局重点工作责任分解表"], ["序号", "工作任务", "责任领导", "责任股室", "完成时限"],
                ["1", "推进医共体建设", "王明", "医政股", "6月30日前"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    assert read_table(out.getvalue(), "t.xlsx").year == 2024


@pytest.mark.parametrize("cell,lead,related", [
    ("牵头单位：县卫健委\n责任单位：各乡镇人民政府", ("县卫健委",), ("各乡镇人民政府",)),
    ("县委组织部（县委编办）★、县人社局、县财政局", ("县委组织部（县委编办）",), ("县人社局", "县财政局")),
    ("责任单位：县卫健委", ("县卫健委",), ()),
])
def test_lead_units_named_by_a_label_or_a_mark(cell: str, lead: tuple[str, ...], related: tuple[str, ...]) -> None:
    assert split_roles(cell) == (lead, related)


@pytest.mark.parametrize("content,title", [
    ("【医共体建设】完成县人民医院牵头的医共体总院挂牌运行，统一人财物管理。", "医共体建设"),
    ("★【智慧医院】二级以上医院电子病历应用水平达到四级", "智慧医院"),
    ("村卫生室标准化建设：1.完成12家村卫生室建设；2.实现医保结算全覆盖", "村卫生室标准化建设"),
    ("食品安全专项整治 （1）4月底前制定方案 （2）10月底前抽检", "食品安全专项整治"),
    ("推进紧密型县域医共体建设，完成医共体总院挂牌运行。", "推进紧密型县域医共体建设，完成医共体总院挂牌运行"),
    ("目标：覆盖率达到90%", "目标：覆盖率达到90%"),  # a short lead-in word is no name
])
def test_a_task_named_at_the_start_of_its_text(content: str, title: str) -> None:
    from bot.services.import_plan import derive_title

    assert derive_title(content) == title


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_two_tables_one_under_the_other_each_under_its_part(fmt: str) -> None:
    header = ["序号", "工作任务", "责任领导", "责任股室", "完成时限"]
    rows = [TITLE, ["一、重点工作"], [], header, ["1", "推进医共体建设", "王明", "医政股", "6月底前"],
            ["2", "推进智慧医院建设", "张强", "规划信息股", "12月底前"], [], ["二、常规工作"], header,
            ["1", "做好信访工作", "李华", "办公室", "全年"]]
    table, _ = _planned(rows, fmt)
    assert [(r.no, r.category) for r in table.rows] == [("1", "一、重点工作"), ("2", "一、重点工作"), ("3", "二、常规工作")]


def test_circled_numbers_in_the_number_column_and_under_the_header() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任股室"], ["①", "推进医共体建设", "王明", "医政股"],
            ["②", "推进智慧医院建设", "张强", "规划信息股"], ["③", "落实免疫规划", "李华", "疾控股"]]
    table, _ = _planned(rows)
    assert [r.content for r in table.rows] == ["推进医共体建设", "推进智慧医院建设", "落实免疫规划"]


def test_pasted_cells_with_units_one_per_line_keep_the_lead_section_alone() -> None:
    text = "\n".join(["2024年县卫生健康局重点工作责任分解表", "序号", "工作任务", "责任领导", "责任股室", "配合单位", "完成时限",
                      "1", "推进紧密型县域医共体建设", "王明", "医政股", "县人民医院", "县中医院", "2024年6月30日前",
                      "2", "开展餐饮服务食品安全专项整治", "张强", "公共卫生股", "县疾控中心", "县卫生监督所", "2024年10月31日前"])
    table = read_table(text.encode(), "paste.txt")
    assert [(r.sections, r.units) for r in table.rows] == [
        (("医政股",), ("县人民医院", "县中医院")), (("公共卫生股",), ("县疾控中心", "县卫生监督所"))]


def test_roles_in_words_in_the_related_column_alone() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "牵头股室", "配合单位"],
            ["1", "推进妇幼保健服务", "王明", "医政股", "县人民医院牵头，县中医院、县妇幼保健院配合"]]
    table, _ = _planned(rows)
    assert (table.rows[0].sections, table.rows[0].units) == (("医政股",), ("县人民医院", "县中医院", "县妇幼保健院"))
