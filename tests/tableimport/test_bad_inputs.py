"""Every kind of bad upload is refused with one clear line per problem naming the file, row and column."""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.tableimport import ImportFailure, ImportLimits, read_table
from tests.tableimport.builders import csv_bytes, docx_bytes, docx_with_gridspan, xlsx_bytes
from tests.tableimport.zipcraft import lie_about_size, rewrite, streamed_member

SHEET = "xl/worksheets/sheet1.xml"


def _refused(data: bytes, name: str, limits: ImportLimits = ImportLimits()) -> ImportFailure:
    with pytest.raises(ImportFailure) as info:
        read_table(data, name, limits=limits)
    failure = info.value
    for lang in ("zh", "en"):
        lines = failure.render(lang)
        assert len(lines) == len(failure.problems) > 0
        assert all(name in line for line in lines), lines
        assert not any("{" in line for line in lines), lines
    return failure


def _codes(failure: ImportFailure) -> list[str]:
    return [p.code for p in failure.problems]


@pytest.mark.parametrize("name", ["x.xlsx", "x.docx", "x.csv", "x.html", "x.txt"])
@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t "], ids=["empty", "blank"])
def test_empty_file(name: str, data: bytes) -> None:
    assert _codes(_refused(data, name)) == ["import.empty_file"]


@pytest.mark.parametrize("data,code", [
    (b"PK\x03\x04 this is not really a zip", "import.corrupt_zip"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "import.image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "import.image"),
    (b"%PDF-1.7\n" + b"\x00" * 64, "import.corrupt_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "import.corrupt_file"),
    (b"\x00\x01\x02\x03\xfe\xff\x00\x00" * 32, "import.not_text"),
])
def test_not_a_table_file(data: bytes, code: str) -> None:
    assert _codes(_refused(data, "表格.xlsx")) == [code]


def test_corrupt_and_truncated_office_files(fixtures_dir: Path) -> None:
    for name in ("yuanjiang-2023-tasks.xlsx", "yuanjiang-2023-tasks.docx"):
        data = (fixtures_dir / name).read_bytes()
        assert _codes(_refused(data[: len(data) // 2], name)) == ["import.corrupt_zip"]
        flipped = bytearray(data)
        flipped[len(data) // 3] ^= 0xFF
        assert _codes(_refused(bytes(flipped), name)) == ["import.corrupt_zip"]


def test_file_over_the_size_limit(fixtures_dir: Path) -> None:
    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    failure = _refused(data, "big.xlsx", ImportLimits(max_bytes=10_000))
    assert _codes(failure) == ["import.too_large"]
    assert "14.0 KB" in failure.render()[0] and "9.8 KB" in failure.render()[0]


def _quick_and_small(data: bytes, name: str, code: str, limits: ImportLimits = ImportLimits()) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        failure = _refused(data, name, limits)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert _codes(failure) == [code]
    assert time.perf_counter() - start < 2.0
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated while refusing"


def test_xlsx_bomb_declared_dimension(fixtures_dir: Path) -> None:
    data = rewrite((fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes(), edit={
        SHEET: lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)})
    _quick_and_small(data, "bomb.xlsx", "import.too_many_rows")


def test_xlsx_bomb_one_cell_far_away() -> None:
    # calamine allocates the whole used range: A1 and XFD1048576 would be 17 billion cells.
    data = xlsx_bytes([["序号", "具体内容"], [1, "任务。"]])
    data = rewrite(data, edit={SHEET: lambda xml: xml.replace(b'r="B2"', b'r="XFD1048576"')})
    _quick_and_small(data, "far.xlsx", "import.too_many_rows")
    wide = rewrite(xlsx_bytes([["序号", "具体内容"], [1, "任务。"]]),
                   edit={SHEET: lambda xml: xml.replace(b'r="B2"', b'r="XFD2"')})
    _quick_and_small(wide, "wide.xlsx", "import.too_many_cells", ImportLimits(max_cells=10_000))


def test_xlsx_bomb_huge_shared_strings_is_refused_before_decompressing(fixtures_dir: Path) -> None:
    base = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    data = streamed_member(base, "xl/sharedStrings.xml", b"<si><t>x</t></si>", 4_000_000)  # 68 MB of XML
    assert len(data) < 1_000_000
    _quick_and_small(data, "strings.xlsx", "import.zip_bomb")


def test_xlsx_member_larger_than_the_cap_is_refused(fixtures_dir: Path) -> None:
    base = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    noise = bytes(range(256)) * 8192  # 2 MB that barely compresses
    data = rewrite(base, add={"xl/media/noise.bin": noise})
    _quick_and_small(data, "noise.xlsx", "import.zip_bomb", ImportLimits(max_bytes=150_000))


def test_xlsx_lying_about_its_uncompressed_size(fixtures_dir: Path) -> None:
    data = lie_about_size((fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes(), SHEET, 100)
    _quick_and_small(data, "liar.xlsx", "import.zip_bomb")


def test_xml_with_a_dtd_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    data = rewrite(xlsx_bytes([["序号", "具体内容"], [1, "任务。"]]),
                   edit={SHEET: lambda xml: evil + xml[xml.index(b"<worksheet"):]})
    assert _codes(_refused(data, "dtd.xlsx")) == ["import.corrupt_zip"]


def test_too_many_rows(fixtures_dir: Path) -> None:
    limits = ImportLimits(max_rows=10)
    for name in ("yuanjiang-2023-tasks.xlsx", "yuanjiang-2023-tasks.docx", "yuanjiang-2023-tasks.csv"):
        assert _codes(_refused((fixtures_dir / name).read_bytes(), name, limits)) == ["import.too_many_rows"]


def test_docx_without_a_table() -> None:
    data = docx_bytes([], before=("会议纪要", "请各股室认真落实。"))
    failure = _refused(data, "memo.docx")
    assert _codes(failure) == ["import.no_table"]
    assert "序号" in failure.render()[0]


def test_docx_with_an_absurd_grid_span_is_bounded() -> None:
    data = docx_with_gridspan([[("序号", 1), ("具体内容", 1)], [("1", 1), ("任务。", 100_000)]])
    table = read_table(data, "span.docx")
    assert table.rows[0].content == "任务。"


def test_headers_that_match_nothing_list_found_and_expected() -> None:
    failure = _refused("姓名,年龄\n张三,30\n".encode(), "nothing.csv")
    assert _codes(failure) == ["import.headers_unmatched"]
    line = failure.render()[0]
    assert "姓名、年龄" in line and "牵头领导" in line and "具体内容" in line
    assert "姓名" in failure.render("en")[0] and "expected" in failure.render("en")[0]


def test_text_without_table_or_points() -> None:
    assert _codes(_refused("今天天气很好。\n我们去公园。\n".encode(), "notes.txt")) == ["import.text_no_table"]


def test_duplicate_numbers_name_both_rows() -> None:
    data = csv_bytes([["序号", "具体内容", "牵头领导", "牵头股室"], ["1", "甲任务。", "张三", "办公室"],
                      ["1", "乙任务。", "李四", "财务股"]])
    failure = _refused(data, "dup.csv")
    assert _codes(failure) == ["import.duplicate_no"]
    assert failure.problems[0].params["line"] == 3 and failure.problems[0].params["first_line"] == 2
    zh, en = failure.render("zh")[0], failure.render("en")[0]
    assert "第 3 行" in zh and "第 2 行" in zh and "A 列（序号）" in zh
    assert "line 3" in en and "row 2" in en and "column A (序号)" in en


def test_row_without_task_text_is_named_with_its_column() -> None:
    rows = [["2024年任务表", "", ""], ["序号", "具体内容", "牵头领导"], [1, "任务甲。", "张三"], [2, None, "李四"]]
    failure = _refused(xlsx_bytes(rows), "gap.xlsx")
    assert _codes(failure) == ["import.missing_content"]
    assert failure.render()[0].startswith("文件“gap.xlsx”，第 4 行，B 列（具体内容）：")
    assert failure.render("en")[0].startswith("file “gap.xlsx”, row 4, column B (具体内容): ")


def test_all_problems_are_reported_together() -> None:
    data = csv_bytes([["序号", "具体内容", "牵头领导"], ["1", "甲。", "张三"], ["1", "乙。", "李四"], ["2", "", "王五"],
                      ["3", "丙。", "赵六"], ["3", "丁。", "钱七"]])
    failure = _refused(data, "many.csv")
    assert _codes(failure) == ["import.missing_content", "import.duplicate_no", "import.duplicate_no"]
    assert [p.params["line"] for p in failure.problems] == [4, 3, 6]


def test_docx_table_column_is_named_by_number() -> None:
    data = docx_bytes([[["序号", "具体内容"], ["1", "甲。"], ["1", "乙。"]]])
    assert "1 列（序号）" in _refused(data, "dup.docx").render()[0]


def test_header_without_rows() -> None:
    assert _codes(_refused("序号,具体内容,牵头领导\n".encode(), "head.csv")) == ["import.no_rows"]


def test_unexpected_exceptions_become_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a mock of our code: a third-party parser failing in a way of its own must still surface as one problem.
    import python_calamine

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("panic inside the parser")

    monkeypatch.setattr(python_calamine, "load_workbook", boom)
    data = xlsx_bytes([["序号", "具体内容"], [1, "甲。"]])
    failure = _refused(data, "x.xlsx")
    assert _codes(failure) == ["import.unreadable"]
