"""Two-level numbering: sub-items （1）（2） under each task, group rows over N.1 / N.2 tasks, and part headings
nested 一、 / （一）, in every format that can hold them."""

from __future__ import annotations

import pytest

from tests.tableimport.builders import read_as

HEADER = ["序号", "工作任务", "责任领导", "牵头股室", "完成时限"]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_sub_items_numbered_again_under_each_task(fmt: str) -> None:
    rows = [HEADER,
            ["1", "推进紧密型县域医共体建设", "王明", "医政股", "12月底前"],
            ["（1）", "完成医共体总院挂牌运行", "王明", "医政股", "6月底前"],
            ["（2）", "统一医共体内人财物管理", "王明", "医政股", "9月底前"],
            ["2", "推进基层卫生服务能力提升", "李华", "基层卫生股", "12月底前"],
            ["（1）", "完成12家村卫生室标准化建设", "李华", "基层卫生股", "10月底前"]]
    table = read_as(rows, fmt)
    assert [r.no for r in table.rows] == ["1", "1-1", "1-2", "2", "2-1"]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_group_rows_over_decimal_numbers_are_categories(fmt: str) -> None:
    rows = [HEADER,
            ["1", "医疗服务能力提升", "", "", ""],
            ["1.1", "推进紧密型县域医共体建设", "王明", "医政股", "6月底前"],
            ["1.2", "推进智慧医院建设", "张强", "规划信息股", "12月底前"],
            ["2", "公共卫生服务", "", "", ""],
            ["2.1", "落实适龄儿童免疫规划", "李华", "疾控股", "12月底前"]]
    table = read_as(rows, fmt)
    assert [(r.no, r.category) for r in table.rows] == [
        ("1.1", "医疗服务能力提升"), ("1.2", "医疗服务能力提升"), ("2.1", "公共卫生服务")]
    assert not [w for w in table.warnings if w.code == "missing_leader"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_part_headings_nest(fmt: str) -> None:
    rows = [HEADER,
            ["一", "医疗服务能力提升", "", "", ""],
            ["（一）", "医共体建设", "", "", ""],
            ["1", "推进紧密型县域医共体建设", "王明", "医政股", "6月底前"],
            ["二", "公共卫生服务", "", "", ""],
            ["（一）", "食品安全", "", "", ""],
            ["1", "开展餐饮服务食品安全专项整治", "张强", "公共卫生股", "10月底前"],
            ["（二）", "免疫规划", "", "", ""],
            ["2", "落实适龄儿童免疫规划", "李华", "疾控股", "12月底前"]]
    table = read_as(rows, fmt)
    assert [r.category for r in table.rows] == [
        "一、医疗服务能力提升 / （一）医共体建设", "二、公共卫生服务 / （一）食品安全", "二、公共卫生服务 / （二）免疫规划"]
    assert [r.no for r in table.rows] == ["1", "2", "3"]  # numbered again in each part: in order, with a warning


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_row_naming_nobody_over_sub_items_is_their_category(fmt: str) -> None:
    rows = [HEADER,
            ["1", "推进紧密型县域医共体建设", "", "", ""],
            ["（1）", "完成医共体总院挂牌运行", "王明", "医政股", "6月底前"],
            ["（2）", "统一医共体内人财物管理", "王明", "医政股", "9月底前"],
            ["2", "推进智慧医院建设", "张强", "规划信息股", "12月底前"]]
    table = read_as(rows, fmt)
    assert [(r.no, r.category) for r in table.rows] == [
        ("1-1", "推进紧密型县域医共体建设"), ("1-2", "推进紧密型县域医共体建设"), ("2", None)]
