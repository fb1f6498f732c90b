"""The 台账 xlsx (/export): original headers kept, standing columns added, rows coloured, sheet furniture."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from bot.db.models import Occurrence
from bot.exports import ledger_xlsx
from bot.exports.ledger import FILLS, header_field
from tests.exports.conftest import A_COLUMNS, A_TITLE, B_TITLE, TODAY

ADDED = ["状态", "最新进度", "进度更新时间", "逾期工作日"]
MONTHS = [f"{m}月" for m in range(1, 13)]  # table A has a monthly task: a column per month of 2023


async def _workbook(core, lang="zh"):
    async with core.db.session() as s:
        data = await ledger_xlsx(s, core, TODAY, lang)
    assert data[:2] == b"PK"
    return load_workbook(io.BytesIO(data))


def _rows(ws):
    header = [c.value for c in ws[3]]
    return header, {str(row[0].value): row for row in ws.iter_rows(min_row=4)}


def _fill(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return cell.fill.fgColor.rgb[-6:]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("序号", "no"), ("编号", "no"),
        ("工作任务", "task"), ("重点工作任务", "task"), ("任务", "task"),
        ("具体内容及时间节点", "content"), ("细化分工", "content"), ("具体要求", "content"), ("工作内容", "content"),
        ("牵头领导", "leaders"), ("责任领导", "leaders"), ("分管领导", "leaders"),
        ("牵头股室（站）", "sections"), ("牵头股室站", "sections"), ("责任股室", "sections"), ("责任处室", "sections"),
        ("责任科室", "sections"), ("牵头单位", "sections"), ("责任单位", "sections"), ("主体责任单位", "sections"),
        ("相关责任单位", "units"), ("配合单位", "units"), ("配合责任单位", "units"), ("协办单位", "units"),
        ("完成时限", "deadline"), ("时限要求", "deadline"), ("时间节点", "deadline"), ("完成时间", "deadline"),
        ("备注", "remarks"), ("备  注", "remarks"),
        ("联系电话", None),
    ],
)
def test_original_headers_map_back_to_fields(header, field):
    assert header_field(header) == field


async def test_ledger_keeps_original_headers_and_adds_standing_columns(core, seeded):
    wb = await _workbook(core)
    assert wb.sheetnames == [A_TITLE[:31], B_TITLE]
    ws = wb[A_TITLE[:31]]
    assert ws["A1"].value == f"{A_TITLE}（督办台账，截至 2023-10-27）"
    header, rows = _rows(ws)
    assert header == A_COLUMNS + ADDED + MONTHS
    assert list(rows) == ["1", "2", "3", "4", "5", "7", "8"]  # seq order; the removed #6 is left out
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"
    assert ws.auto_filter.ref == "A3:X10"
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:X1"}
    assert ws.column_dimensions["C"].width >= 40  # content is wide; the rest fit Chinese names
    assert ws["C4"].alignment.wrap_text


@pytest.mark.parametrize(
    ("no", "status", "fill", "overdue"),
    [
        ("1", "逾期", FILLS["red"], 5),
        ("2", "临近到期", FILLS["blue"], None),
        ("3", "滞后序时进度", FILLS["yellow"], None),
        ("4", "已办结", FILLS["done"], None),
        ("5", "正常推进", None, None),
        ("7", "正常推进", None, None),
        ("8", "临近到期", FILLS["blue"], None),
    ],
)
async def test_rows_are_coloured_by_standing(core, seeded, no, status, fill, overdue):
    ws = (await _workbook(core))[A_TITLE[:31]]
    header, rows = _rows(ws)
    row = rows[no]
    values = dict(zip(header, (c.value for c in row)))
    assert values["状态"] == status
    assert values["逾期工作日"] == overdue
    assert {_fill(c) for c in row} == {fill}


async def test_row_values_follow_the_original_columns(core, seeded):
    ws = (await _workbook(core))[A_TITLE[:31]]
    header, rows = _rows(ws)
    one = dict(zip(header[:12], (c.value for c in rows["1"])))
    assert one == {
        "序号": 1,
        "工作任务": "(一)聚焦疾病防控",
        "具体内容及时间节点": "做好传染病防控。10月20日前完成专项督查。",
        "牵头领导": "李康民",
        "牵头股室（站）": "疾控股",
        "相关责任单位": "各医疗卫生单位、市疾控中心",
        "完成时限": "10月20日前",
        "备注": None,
        "状态": "逾期",
        "最新进度": "80% 已完成督查方案",
        "进度更新时间": datetime(2023, 10, 26, 10, 30),  # 02:30 UTC shown in Asia/Shanghai
        "逾期工作日": 5,
    }
    three = dict(zip(header, (c.value for c in rows["3"])))
    assert three["牵头领导"] == "李康民、胡立军" and three["备注"] == "重点督办"
    assert three["最新进度"] == "10% 启动"
    assert rows["1"][header.index("进度更新时间")].number_format == "yyyy-mm-dd hh:mm"


async def test_table_without_kept_headers_gets_the_standard_columns(core, seeded):
    ws = (await _workbook(core))[B_TITLE]
    header, rows = _rows(ws)
    assert header == ["序号", "工作任务", "具体内容", "牵头领导", "牵头股室", "相关单位"] + ADDED
    # The 工作任务 column shows a row's own title when it had one, else its category heading.
    assert rows["2"][1].value == "胸痛救治单元"
    assert rows["1"][1].value is None
    assert rows["2"][header.index("逾期工作日")].value == 13
    assert _fill(rows["2"][0]) == FILLS["red"]


async def test_ledger_in_english(core, seeded):
    ws = (await _workbook(core, "en"))[A_TITLE[:31]]
    header, rows = _rows(ws)
    assert header[8:12] == ["Status", "Latest progress", "Progress updated", "Working days overdue"]
    assert header[12:15] == ["month 1", "month 2", "month 3"]
    assert header[:8] == A_COLUMNS  # the original headers stay as the bureau wrote them
    assert rows["1"][header.index("Status")].value == "Overdue"


async def test_empty_database_gives_a_valid_ledger(core):
    wb = await _workbook(core)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[3]][-4:] == ADDED
    assert ws.max_row == 3


async def test_period_columns_show_each_report_and_a_missed_period_in_red(core, seeded):
    ws = (await _workbook(core))[A_TITLE[:31]]
    header, rows = _rows(ws)
    eight = {h: c for h, c in zip(header, rows["8"])}
    assert eight["5月"].value == "5月已督查（05-25）" and eight["9月"].value == "9月已督查（09-25）"
    assert eight["4月"].value is None  # before the table was issued (05-06): not tracked
    assert eight["10月"].value is None  # October is due 10-31: still open, not missed
    assert {_fill(c) for c in rows["8"]} == {FILLS["blue"]}
    assert rows["1"][header.index("5月")].value is None  # a task that does not recur leaves them empty
    # September's report withdrawn: the month is missed, red and marked 未报送, and the task is overdue.
    async with core.db.session() as s:
        await s.execute(delete(Occurrence).where(Occurrence.period_key == "2023-09"))
        await s.commit()
    ws = (await _workbook(core))[A_TITLE[:31]]
    header, rows = _rows(ws)
    eight = {h: c for h, c in zip(header, rows["8"])}
    assert eight["9月"].value == "未报送" and _fill(eight["9月"]) == FILLS["red"]
    assert eight["状态"].value == "逾期" and _fill(eight["序号"]) == FILLS["red"]
