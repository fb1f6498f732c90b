"""A task typed or converted onto two rows (the second holds only the rest of its text, or of its units) is one
task; a row under a finished sentence, a numbered sub-item or a row with its own deadline is not joined."""

from __future__ import annotations

import pytest

from bot.tableimport import read_table
from tests.tableimport.builders import csv_bytes, xlsx_bytes

HEADER = ["序号", "工作任务", "责任领导", "牵头股室", "配合单位", "完成时限"]


def _rows(rows: list[list[str]], fmt: str):  # type: ignore[no-untyped-def]
    grid = [["2024年县卫生健康局重点工作责任分解表"], HEADER, *rows]
    data = xlsx_bytes(grid) if fmt == "xlsx" else csv_bytes(grid)
    return [(r.no, r.content, r.units) for r in read_table(data, f"t.{fmt}").rows]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_rest_of_a_task_on_the_next_row_is_the_same_task(fmt: str) -> None:
    rows = [["1", "推进紧密型县域医共体建设，完成医共体总院挂牌运行，", "王明", "医政股", "县人民医院", "6月底前"],
            ["", "建立医共体内人员、财务统一管理机制。", "", "", "", ""],
            ["2", "开展餐饮服务食品安全专项整治，抽检食品样品", "张强", "公共卫生股", "县疾控中心、", "10月底前"],
            ["", "不少于800批次。", "", "", "县卫生监督所", ""]]
    assert _rows(rows, fmt) == [
        ("1", "推进紧密型县域医共体建设，完成医共体总院挂牌运行，建立医共体内人员、财务统一管理机制。", ("县人民医院",)),
        ("2", "开展餐饮服务食品安全专项整治，抽检食品样品不少于800批次。", ("县疾控中心", "县卫生监督所")),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_sub_rows_are_not_joined(fmt: str) -> None:
    rows = [["1", "推进紧密型县域医共体建设。", "王明", "医政股", "县人民医院", "6月底前"],
            ["", "完成医共体总院挂牌运行。", "", "", "", "9月底前"],  # a finished sentence above, its own deadline
            ["2", "推进基层卫生服务能力提升：", "李华", "基层卫生股", "各乡镇卫生院", "12月底前"],
            ["", "（1）完成12家村卫生室标准化建设", "", "", "", ""]]  # a numbered sub-item
    numbers = [no for no, _, _ in _rows(rows, fmt)]
    assert numbers == ["1-1", "1-2", "2-1", "2-2"]
