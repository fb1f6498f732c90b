"""Columns whose names hold a field's word but are not that field: 开始时间 (no deadline), progress and next steps
(no task text, no milestones), a supervision grade (no category), a section's 责任人 beside the leaders."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.import_plan import plan_tasks
from bot.tableimport import read_table
from tests.tableimport.builders import csv_bytes, xlsx_bytes

TITLE = ["2024年县卫生健康局重点工作责任分解表"]
TASK = "推进紧密型县域医共体建设，完成医共体总院挂牌运行"


def _read(rows: list[list[str]], fmt: str):  # type: ignore[no-untyped-def]
    data = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)
    table = read_table(data, f"t.{fmt}")
    return table, plan_tasks(table, 2024)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_start_time_is_no_deadline(fmt: str) -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "牵头股室", "时间节点", ""],
            ["", "", "", "", "开始时间", "完成时间"],
            ["1", TASK, "王明", "医政股", "2024年3月", "2024年6月30日前"]]
    table, planned = _read(rows, fmt)
    assert [m.due for m in planned[0].milestones] == [date(2024, 6, 30)]
    assert "开始时间" not in [c.header for c in table.columns if c.field]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_progress_and_next_steps_are_not_the_task(fmt: str) -> None:
    rows = [["2024年重点工作一季度推进情况表"],
            ["序号", "工作任务", "责任领导", "牵头股室", "完成时限", "目前进展情况", "下一步工作措施", "督办类别"],
            ["1", TASK, "王明", "医政股", "2024年6月30日前", "已完成方案制定", "4月底前完成总院挂牌。", "A"],
            ["2", "完成12家村卫生室标准化建设", "李华", "基层卫生股", "2024年9月30日前", "推进中", "二季度完成验收。", "B"]]
    table, planned = _read(rows, fmt)
    assert [(p.content, p.category) for p in planned] == [(TASK, None), ("完成12家村卫生室标准化建设", None)]
    assert [[m.due for m in p.milestones] for p in planned] == [[date(2024, 6, 30)], [date(2024, 9, 30)]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_sections_person_beside_the_leader_is_no_leader(fmt: str) -> None:
    rows = [TITLE, ["序号", "工作任务", "责任领导", "责任科室", "责任人", "联系电话"],
            ["1", TASK, "王明", "医政股", "刘洋", "0731-1234567"]]
    _, planned = _read(rows, fmt)
    assert (planned[0].leaders, planned[0].sections) == (("王明",), ("医政股",))


def test_a_person_column_alone_still_names_the_leader() -> None:
    rows = [TITLE, ["序号", "工作任务", "责任股室", "责任人", "完成时限"], ["1", TASK, "医政股", "刘洋", "6月底前"]]
    _, planned = _read(rows, "csv")
    assert (planned[0].leaders, planned[0].sections) == (("刘洋",), ("医政股",))
