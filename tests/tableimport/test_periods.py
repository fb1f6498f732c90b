"""A schedule split into one column per period (时间进度安排 over 第一季度 | 第二季度 | …, or 3月底前 | 6月底前 …)
reads as one dated milestone per filled period, in every format, with the title still found above the header."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from bot.services.import_plan import document_year, plan_tasks
from bot.tableimport import read_table
from bot.tableimport.periods import is_period_label, under_period
from tests.tableimport.builders import csv_bytes, xlsx_bytes

TITLE = "2024年县卫生健康局重点工作任务分解表"
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
TASKS = [
    ["1", "推进紧密型县域医共体建设", "王明", "医政股", "制定实施方案", "完成牵头医院改革", "开展中期评估", "完成年度考核"],
    # its own month beats the column's quarter; a dash means nothing is due in that period; a tick marks one
    ["2", "完成适龄儿童免疫规划疫苗接种", "李华", "疾控股", "/", "5月底前接种率达到80%", "—", "√"],
]
EXPECTED = {
    "1": [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)],
    "2": [date(2024, 5, 31), date(2024, 12, 31)],
}
LEFT = ["序号", "工作任务", "责任领导", "责任股室"]


def _dates(data: bytes, name: str) -> tuple[str | None, dict[str, list[date]]]:
    table = read_table(data, name)
    year, _ = document_year(table, None, 2099)
    planned = plan_tasks(table, year)
    assert [(p.leaders, p.sections) for p in planned] == [(("王明",), ("医政股",)), (("李华",), ("疾控股",))]
    return table.title, {p.no: sorted(m.due for m in p.milestones if m.due) for p in planned}


def _xlsx(labels: tuple[str, ...], parent: str) -> bytes:
    rows = [[TITLE], [*LEFT, parent, None, None, None], [*LEFT, *labels], *TASKS]
    return xlsx_bytes(rows, merges=("A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:H2"))


def _docx(labels: tuple[str, ...], parent: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=2 + len(TASKS), cols=8)
    for col, text in enumerate([*LEFT, parent]):
        table.cell(0, col).text = text
    for col in range(4):
        table.cell(0, col).merge(table.cell(1, col))
    table.cell(0, 4).merge(table.cell(0, 7))
    for col, text in enumerate(labels):
        table.cell(1, 4 + col).text = text
    for row, cells in enumerate(TASKS):
        for col, text in enumerate(cells):
            table.cell(2 + row, col).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html(labels: tuple[str, ...], parent: str) -> bytes:
    top = "".join(f"<td rowspan=2>{text}</td>" for text in LEFT) + f"<td colspan=4>{parent}</td>"
    sub = "".join(f"<td>{text}</td>" for text in labels)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TASKS)
    return f"<html><body><p>{TITLE}</p><table><tr>{top}</tr><tr>{sub}</tr>{body}</table></body></html>".encode()


def _csv(labels: tuple[str, ...], parent: str) -> bytes:
    return csv_bytes([[TITLE], [*LEFT, parent, "", "", ""], ["", "", "", "", *labels], *TASKS])


@pytest.mark.parametrize("write,name", [(_xlsx, "t.xlsx"), (_docx, "t.docx"), (_html, "t.html"), (_csv, "t.csv")])
@pytest.mark.parametrize("labels,parent", [
    (QUARTERS, "时间进度安排"),  # a deadline word over the periods
    (("一季度", "二季度", "三季度", "四季度"), "推进计划"),  # a parent named otherwise: the periods decide
    (("1-3月", "4-6月", "7-9月", "10-12月"), "工作进度"),
    (("3月底前", "6月底前", "9月底前", "年底前"), "时间节点"),
])
def test_a_column_per_period_reads_as_that_periods_end(write, name, labels, parent) -> None:  # type: ignore[no-untyped-def]
    title, dates = _dates(write(labels, parent), name)
    assert title == TITLE
    assert dates == EXPECTED


def test_period_columns_in_a_one_row_header() -> None:
    rows = [["序号", "重点任务", "责任领导", "责任科室", "一季度", "二季度", "三季度", "四季度"], *TASKS]
    title, dates = _dates(csv_bytes(rows), "2024年重点任务.csv")
    assert dates == EXPECTED


def test_half_years_under_a_target_header() -> None:
    rows = [["序号", "工作任务", "牵头领导", "牵头单位", "目标进度", ""], ["", "", "", "", "上半年", "下半年"],
            ["1", "建成区域医疗中心", "王明", "医政股", "完成主体工程", "投入使用"]]
    table = read_table(csv_bytes(rows), "2024年任务.csv")
    planned = plan_tasks(table, 2024)
    assert [sorted(m.due for m in p.milestones) for p in planned] == [[date(2024, 6, 30), date(2024, 12, 31)]]
    assert "上半年：完成主体工程" in (table.rows[0].deadline or "")


@pytest.mark.parametrize("label", ["第一季度", "一季度末", "Q2", "上半年", "年底前", "3月底", "1-3月", "十二月份",
                                   "2024年6月底", "（第四季度）", "全年"])
def test_period_labels(label: str) -> None:
    assert is_period_label(label)


@pytest.mark.parametrize("label", ["时间进度安排", "完成时限", "季度", "第一阶段", "医疗服务", "3", "工作任务"])
def test_not_period_labels(label: str) -> None:
    assert not is_period_label(label)


def test_a_cell_keeps_its_own_time_and_a_dash_is_nothing() -> None:
    assert under_period("第一季度", "制定实施方案") == "第一季度：制定实施方案"
    assert under_period("第二季度", "5月底前完成招标") == "5月底前完成招标"
    assert under_period("第三季度", " / ") == ""
    assert under_period("第四季度", "无") == ""


def test_ongoing_or_recurring_work_in_every_period_is_that_and_no_period_end() -> None:
    rows = [["序号", "工作任务", "责任领导", "责任科室", "一季度", "二季度", "三季度", "四季度"],
            ["1", "做好健康宣传", "王明", "医政股", "长期", "长期", "长期", "长期"],
            ["2", "通报免疫接种率", "李华", "疾控股", "每月通报", "每月通报", "每月通报", "每月通报"]]
    table = read_table(csv_bytes(rows), "2024年任务.csv")
    planned = plan_tasks(table, 2024)
    assert [[m.kind for m in p.milestones] for p in planned] == [["ongoing"], ["recurring"]]
