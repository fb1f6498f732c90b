"""Cell cleaning, table-driven: names, boilerplate, line joins, numbers, headers, dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.tableimport.cells import join_lines, looks_like_no, normalize_no, split_people, split_sections, split_units
from bot.tableimport.headers import match_header
from bot.tableimport.meta import read_meta
from bot.tableimport.model import ColumnMap, column_letter


@pytest.mark.parametrize("cell,names", [
    ("李康民", ("李康民",)),
    ("李康民、胡立军", ("李康民", "胡立军")),
    ("李康民 胡立军", ("李康民", "胡立军")),
    ("李康民\n胡立军", ("李康民", "胡立军")),
    ("李康民，胡立军;王卫健", ("李康民", "胡立军", "王卫健")),
    ("李康民/胡立军", ("李康民", "胡立军")),
    ("汪  峰", ("汪峰",)),
    ("汪 峰、李康民", ("汪峰", "李康民")),
    ("欧 阳 明", ("欧阳明",)),
    ("李 康民", ("李", "康民")),  # only single characters are joined
    ("李康民、李康民", ("李康民",)),
    ("/", ()),
    ("", ()),
])
def test_split_people(cell: str, names: tuple[str, ...]) -> None:
    assert split_people(cell) == names


@pytest.mark.parametrize("cell,sections", [
    ("疾控股、基层卫生健康股、应急办", ("疾控股", "基层卫生健康股", "应急办")),
    ("疾控股、应急办等按职责分工落实", ("疾控股", "应急办")),
    ("各股室按职责分工负责", ("各股室",)),
    ("人民医院、中医医院、妇幼保健院等", ("人民医院", "中医医院", "妇幼保健院")),
    ("疾控股牵头，应急办配合", ("疾控股", "应急办")),
    ("医政科（按职责分工负责）", ("医政科",)),
    ("疾控股 应急办", ("疾控股", "应急办")),
    ("党务办\n机关纪委", ("党务办", "机关纪委")),
    ("醫政科等按職責分工落實", ("醫政科",)),
    ("—", ()),
])
def test_split_sections(cell: str, sections: tuple[str, ...]) -> None:
    assert split_sections(cell) == sections


@pytest.mark.parametrize("cell,units", [
    ("人民医院、黄茅洲镇、泗湖山镇中心卫生院;各相关医疗卫生单位", ("人民医院", "黄茅洲镇", "泗湖山镇中心卫生院", "各相关医疗卫生单位")),
    ("人民医院、中医医院、妇幼保健院等;各相关医疗卫生单位", ("人民医院", "中医医院", "妇幼保健院等", "各相关医疗卫生单位")),
    ("各血防(控)单位", ("各血防(控)单位",)),
    ("各医疗卫生单位等按职责分工落实", ("各医疗卫生单位",)),
    ("人民医院；中医医院", ("人民医院", "中医医院")),
    (" ", ()),
])
def test_split_units(cell: str, units: tuple[str, ...]) -> None:
    assert split_units(cell) == units


@pytest.mark.parametrize("cell,joined", [
    ("全面落实\n各项措施。", "全面落实各项措施。"),
    ("  第一行 \r\n\r\n 第二行", "第一行第二行"),
    ("Phase\n2", "Phase 2"),
    ("完成“两病”\n筛查", "完成“两病”筛查"),
])
def test_join_lines(cell: str, joined: str) -> None:
    assert join_lines(cell) == joined


@pytest.mark.parametrize("cell,no,numeric", [
    ("11", "11", True), ("１１", "11", True), ("81.", "81", True), ("3-1", "3-1", True), ("（一）", "(一)", True),
    (" 7、", "7", True), ("注：本表", "注:本表", False), ("合计", "合计", False),
])
def test_numbers(cell: str, no: str, numeric: bool) -> None:
    assert normalize_no(cell) == no
    assert looks_like_no(cell) is numeric


@pytest.mark.parametrize("header,field,exact", [
    ("序号", "no", True), ("编 号", "no", True), ("牵头\n领导", "leaders", True), ("牵头股室（站）", "sections", True),
    ("具体内容(及时间节点(安排))", "content", True), ("完成时限", "deadline", True), ("时限要求", "deadline", True),
    ("备注", "remarks", True), ("任务", "category", True), ("责任单位", "sections", True),
    ("相关责任单位", "units", True), ("配合部门及单位", "units", False), ("分管局领导", "leaders", True),
    ("完成时间及要求", "deadline", True), ("2023年全市卫生健康重点工作责任分解表", None, False),
    ("张三", None, False), ("", None, False),
])
def test_match_header(header: str, field: str | None, exact: bool) -> None:
    assert match_header(header) == (field, exact)


def test_column_labels() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]
    assert ColumnMap("no", "序号", 2).label == "C"


@pytest.mark.parametrize("before,after,expected", [
    (["沅江市卫生健康局关于印发《2023年全市卫生健康重点工作 责任分解表》的通知", "发布机构:沅江市卫健局 发文日期:2023-05-10",
      "沅江市卫生健康局", "2023年5月6日", "2023年全市卫生健康重点工作责任分解表"], [],
     ("2023年全市卫生健康重点工作责任分解表", "沅江市卫生健康局", date(2023, 5, 6), 2023)),
    (["关于印发《2024年全县卫生健康工作要点》的通知", "发布机构:县卫健局 发文日期:2024-02-01"], [],
     ("2024年全县卫生健康工作要点", "县卫健局", date(2024, 2, 1), 2024)),
    ([], ["县卫生健康局", "二〇二三年十二月五日"], (None, "县卫生健康局", date(2023, 12, 5), 2023)),
    (["各股室：", "现将任务表印发给你们。"], [], (None, None, None, None)),
])
def test_meta(before: list[str], after: list[str], expected: tuple) -> None:
    meta = read_meta(before, after)
    assert (meta.title, meta.issuer, meta.issued, meta.year) == expected


@pytest.mark.parametrize("cell,names", [
    ("李康民（副局长）", ("李康民",)),
    ("李康民 副局长", ("李康民",)),
    ("副局长李康民", ("李康民",)),
    ("李康民（党组成员、副局长）", ("李康民",)),
    ("党组书记、局长李康民", ("李康民",)),
    ("李康民（局长）、胡立军（副局长）", ("李康民", "胡立军")),
    ("局长", ("局长",)),  # a post alone names the leader by it
    ("局长、副局长", ("局长", "副局长")),
    ("王主任", ("王主任",)),  # a surname with a post is how the cell names the person
])
def test_a_post_written_beside_a_leader_is_no_name(cell: str, names: tuple[str, ...]) -> None:
    assert split_people(cell) == names
