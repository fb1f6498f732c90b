"""Roles written in words inside one unit cell, table-driven: who leads, who helps, and cells stating none."""

from __future__ import annotations

import pytest

from bot.tableimport.roles import split_roles

_ROLE_CELLS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # --- X牵头 / X负责 / X主办, then the helpers ---
    ("疾控股牵头，应急办参与", ("疾控股",), ("应急办",)),
    ("医政股牵头，疾控股、应急办配合", ("医政股",), ("疾控股", "应急办")),
    ("党政办主办、财务股协办", ("党政办",), ("财务股",)),
    ("市卫健委负责，市医保局配合", ("市卫健委",), ("市医保局",)),
    ("由市卫健委牵头，市医保局、市民政局等单位配合", ("市卫健委",), ("市医保局", "市民政局")),
    ("基层卫生健康股牵头负责，各镇（街道）配合", ("基层卫生健康股",), ("各镇（街道）",)),
    ("医政股、中医股牵头，各医疗机构配合", ("医政股", "中医股"), ("各医疗机构",)),
    ("市卫健委牵头，市医保局，市民政局配合", ("市卫健委",), ("市医保局", "市民政局")),  # 医保局 waits for 配合
    ("市卫健委牵头，各有关单位按职责分工负责", ("市卫健委",), ("各有关单位",)),
    ("市卫健委牵头、市医保局配合", ("市卫健委",), ("市医保局",)),
    ("疾控股牵头", ("疾控股",), ()),
    ("市场监管局配合", (), ("市场监管局",)),
    ("市卫健委负责落实，市医保局配合实施", ("市卫健委",), ("市医保局",)),
    ("市卫健委 市医保局牵头", ("市卫健委", "市医保局"), ()),
    # --- markers in brackets ---
    ("疾控中心（牵头）、人民医院", ("疾控中心",), ("人民医院",)),
    ("疾控中心(牵头)、人民医院、中医医院", ("疾控中心",), ("人民医院", "中医医院")),
    ("人民医院、疾控中心（牵头单位）", ("疾控中心",), ("人民医院",)),
    ("疾控中心（牵头）、人民医院配合", ("疾控中心",), ("人民医院",)),
    ("疾控中心（牵头）人民医院（配合）", ("疾控中心",), ("人民医院",)),
    ("人民医院（配合）、疾控中心", ("疾控中心",), ("人民医院",)),  # the unmarked unit leads when none is marked
    # --- labels ---
    ("牵头：医政股；配合：疾控股、应急办", ("医政股",), ("疾控股", "应急办")),
    ("牵头单位：市卫健委；配合单位：市医保局，市民政局", ("市卫健委",), ("市医保局", "市民政局")),
    ("牵头单位:市卫健委 配合单位:市医保局", ("市卫健委",), ("市医保局",)),
    ("配合：各镇（街道）等", (), ("各镇（街道）",)),
    ("责任单位：市卫健委；配合单位：市医保局", ("市卫健委",), ("市医保局",)),
    # --- X为牵头单位 ---
    ("市卫健委为牵头单位，市医保局为配合单位", ("市卫健委",), ("市医保局",)),
    ("市卫健委为责任单位，市医保局、市财政局为成员单位", ("市卫健委",), ("市医保局", "市财政局")),
    # --- the duty formula: everyone named leads ---
    ("医政股、疾控股按职责分工负责", ("医政股", "疾控股"), ()),
    ("各有关单位按职责分工负责", ("各有关单位",), ()),
    ("疾控股、应急办等按职责分工落实", ("疾控股", "应急办"), ()),
    ("医政科（按职责分工负责）", ("医政科",), ()),
    ("各镇（街道）按职责分工负责", ("各镇（街道）",), ()),
    # --- line breaks, widths, traditional script ---
    ("医政股牵头\n疾控股、应急办配合", ("医政股",), ("疾控股", "应急办")),
    ("牵头：医政股\n配合：疾控股\n应急办", ("医政股",), ("疾控股", "应急办")),
    ("疾控中心\n（牵头）\n人民医院", ("疾控中心",), ("人民医院",)),
    ("医政股牵头,疾控股;应急办配合", ("医政股",), ("疾控股", "应急办")),
    ("醫政科牽頭，疾控科參與", ("醫政科",), ("疾控科",)),
    # --- X会同Y (X leads jointly with Y), and the clipped X会Y between office names ---
    ("市卫健委会同市医保局", ("市卫健委",), ("市医保局",)),
    ("医政处会同疾控处、应急办", ("医政处",), ("疾控处", "应急办")),
    ("宣传处会办公室", ("宣传处",), ("办公室",)),
    # --- a unit named twice is a lead only ---
    ("医政股牵头，医政股、疾控股配合", ("医政股",), ("疾控股",)),
]


@pytest.mark.parametrize(("cell", "lead", "related"), _ROLE_CELLS, ids=[c[0][:20] for c in _ROLE_CELLS])
def test_roles_stated_in_words(cell: str, lead: tuple[str, ...], related: tuple[str, ...]) -> None:
    assert split_roles(cell) == (lead, related)


@pytest.mark.parametrize("cell", [
    "医政股、疾控股",  # a plain list: the caller splits it as before
    "市卫健委",
    "医政股\n疾控股",
    "各科室负责人",  # 负责 inside a name is no role word
    "负责人：张三",
    "责任人：张三",
    "市卫健委牵头负责组织实施",  # a sentence, not a role cell: split as before
    "医政股负责人、疾控股",
    "经开区管委会办公室",  # 管委会 is a name, not 会(同)
    "市红十字会、市残联",
    "县爱国卫生运动委员会办公室",
    "牵头",  # a role with no unit
    "牵头：",
    "",
    "  ",
    "/",
])
def test_cells_stating_no_role(cell: str) -> None:
    assert split_roles(cell) is None



@pytest.mark.parametrize("item,name", [("王明同志", "王明"), ("王明分管", "王明"), ("副局长王明", "王明"),
                                       ("王明（副局长）", "王明"), ("党组成员、副局长李华", "李华"), ("张三丰同志", "张三丰")])
def test_an_item_marked_as_a_person(item: str, name: str) -> None:
    from bot.tableimport.cells import marked_person

    assert marked_person(item) == name


@pytest.mark.parametrize("item", ["王明", "疾控", "医政股", "医保", "各乡镇卫生院", "疾控中心", "办公室主任"])
def test_items_not_marked_as_people(item: str) -> None:
    from bot.tableimport.cells import marked_person

    assert marked_person(item) is None


def test_a_duties_column_names_leader_lead_and_related() -> None:
    """A 责任分工 column with roles in words: the marked person leads, the units split by role."""
    from bot.tableimport import read_table
    from tests.tableimport.builders import csv_bytes

    rows = [["2024年卫生健康重点工作责任分解表"], ["序号", "工作任务", "责任分工", "完成时限"],
            ["1", "推进紧密型县域医共体建设", "由王明同志牵头，医政股负责，疾控股、办公室配合", "10月底前"],
            ["2", "加强院前急救体系建设", "医政股（牵头）、财务股、各乡镇卫生院", "年内"],
            ["3", "开展健康县城创建", "疾控、医政", "年内"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [(r.leaders, r.sections, r.units) for r in table.rows] == [
        (("王明",), ("医政股",), ("疾控股", "办公室")),
        ((), ("医政股",), ("财务股", "各乡镇卫生院")),
        ((), ("疾控", "医政"), ()),  # short section names are no people
    ]


@pytest.mark.parametrize("label,cell", [("责任领导/股室", "王明/医政股"), ("责任领导及股室", "王明（医政股）"),
                                        ("责任领导\n（责任股室）", "王明\n（医政股）"), ("责任领导", "王明（医政股）")])
def test_a_leaders_column_that_also_names_the_section(label: str, cell: str) -> None:
    from bot.tableimport import read_table
    from tests.tableimport.builders import csv_bytes

    rows = [["序号", "工作任务", label, "配合单位", "完成时限"], ["1", "推进医共体建设", cell, "县人民医院", "6月底前"]]
    row = read_table(csv_bytes(rows), "2024年任务.csv").rows[0]
    assert (row.leaders, row.sections, row.units) == (("王明",), ("医政股",), ("县人民医院",))


def test_a_name_ending_like_a_unit_stays_a_leader() -> None:
    from bot.tableimport import read_table
    from tests.tableimport.builders import csv_bytes

    rows = [["序号", "工作任务", "责任领导", "责任股室"], ["1", "推进医共体建设", "王广部、李华", "医政股"]]
    row = read_table(csv_bytes(rows), "2024年任务.csv").rows[0]
    assert (row.leaders, row.sections) == (("王广部", "李华"), ("医政股",))
