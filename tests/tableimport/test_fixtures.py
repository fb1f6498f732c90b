"""The real published documents: the 2023 table in six formats, the 2024 work points and duty lists."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.tableimport import ParsedTable, read_table
from tests.tableimport.builders import differences, expected_rows, html_from_csv

FORMATS = {
    "yuanjiang-2023-tasks.xlsx": "xlsx",
    "yuanjiang-2023-tasks.docx": "docx",
    "yuanjiang-2023-tasks.csv": "csv",
    "yuanjiang-2023-tasks.gbk.csv": "csv",
    "yuanjiang-2023-tasks.txt": "text",
    # Converted from the xlsx and the docx by LibreOffice; kept in tests/fixtures.
    "yuanjiang-2023-tasks.xls": "xls",
    "yuanjiang-2023-tasks.pdf": "pdf",
}
OWN_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_path(fixtures_dir: Path, name: str) -> Path:
    """A fixture from tests/fixtures when it is there, else from the shared folder of published documents."""
    own = OWN_FIXTURES / name
    return own if own.exists() else fixtures_dir / name


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_2023_table_matches_expected_json_field_by_field(fixtures_dir: Path, name: str) -> None:
    table = read_table(fixture_path(fixtures_dir, name).read_bytes(), name)
    assert table.format == FORMATS[name]
    assert differences(table, expected_rows(fixtures_dir), name) == []
    assert table.unassigned is False
    assert table.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_2023_table_as_a_saved_web_page(fixtures_dir: Path, encoding: str) -> None:
    data = html_from_csv(fixtures_dir / "yuanjiang-2023-tasks.csv", encoding)
    table = read_table(data, "2023年责任分解表.html")
    assert table.format == "html"
    assert differences(table, expected_rows(fixtures_dir), f"html/{encoding}") == []
    assert (table.title, table.issuer, table.issued, table.year) == (
        "2023年全市卫生健康重点工作责任分解表", "沅江市卫生健康局", date(2023, 5, 6), 2023)
    assert [c.header for c in table.columns if c.field == "leaders"] == ["牵头领导"]


def test_2023_text_meta_prefers_the_signed_date_to_the_web_publication_date(fixtures_dir: Path) -> None:
    table = read_table((fixtures_dir / "yuanjiang-2023-tasks.txt").read_bytes(), "page.txt")
    expected = expected_rows(fixtures_dir)
    assert table.title == expected["title"]
    assert table.issuer == expected["issuer"]
    assert table.issued == date.fromisoformat(expected["issued"]) != date(2023, 5, 10)
    assert table.year == 2023


@pytest.mark.parametrize("name", ["yuanjiang-2023-tasks.xlsx", "yuanjiang-2023-tasks.docx",
                                  "yuanjiang-2023-tasks.xls", "yuanjiang-2023-tasks.pdf"])
def test_office_files_take_the_title_above_the_header(fixtures_dir: Path, name: str) -> None:
    table = read_table(fixture_path(fixtures_dir, name).read_bytes(), name)
    assert table.title == "2023年全市卫生健康重点工作责任分解表"
    assert table.year == 2023


def test_columns_record_what_was_read_as_what(fixtures_dir: Path) -> None:
    table = read_table((fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes(), "t.xlsx")
    assert [(c.label, c.header, c.field) for c in table.columns] == [
        ("A", "序号", "no"), ("B", "工作任务", "category"), ("C", "具体内容及时间节点", "content"),
        ("D", "牵头领导", "leaders"), ("E", "牵头股室站", "sections"), ("F", "相关责任单位", "units"),
    ]


@pytest.mark.parametrize("name,first_line", [
    ("yuanjiang-2023-tasks.xlsx", 3),  # title row 1, header row 2
    ("yuanjiang-2023-tasks.csv", 2),
    ("yuanjiang-2023-tasks.docx", 2),  # table row 2
])
def test_lines_are_where_the_user_finds_the_row(fixtures_dir: Path, name: str, first_line: int) -> None:
    table = read_table((fixtures_dir / name).read_bytes(), name)
    assert [r.line for r in table.rows[:3]] == [first_line, first_line + 1, first_line + 2]


def test_text_lines_point_at_the_number_paragraph(fixtures_dir: Path) -> None:
    path = fixtures_dir / "yuanjiang-2023-tasks.txt"
    lines = path.read_text("utf-8").splitlines()
    table = read_table(path.read_bytes(), path.name)
    assert all(lines[row.line - 1].strip() == row.no for row in table.rows)


def _points(fixtures_dir: Path, name: str) -> ParsedTable:
    return read_table((fixtures_dir / name).read_bytes(), name)


def test_zhangjiagang_points_import_as_unassigned_tasks_under_their_headings(fixtures_dir: Path) -> None:
    text = (fixtures_dir / "zhangjiagang-2024-primary-care-points.txt").read_text("utf-8")
    numbered = re.findall(r"^(\d+)\.", text, flags=re.M)
    table = _points(fixtures_dir, "zhangjiagang-2024-primary-care-points.txt")
    assert len(table.rows) == len(numbered) == 18
    assert table.unassigned is True and table.columns == ()
    assert [r.no for r in table.rows] == [str(n) for n in range(1, 19)]
    assert all(not (r.leaders or r.sections or r.units) for r in table.rows)
    first, third, last = table.rows[0], table.rows[2], table.rows[17]
    assert first.category == "一、推进基层医疗卫生服务体系建设"
    assert first.title == "优化完善基层卫生服务体系"
    assert first.content.startswith("优化完善基层卫生服务体系。按照市政府统一部署")
    assert third.category == "二、提升基层医疗卫生服务能力"
    assert last.category == "四、提升基层卫生人才队伍素质" and last.title == "加强基层卫生组织管理"
    assert "扫一扫" not in last.content
    assert (table.title, table.issuer, table.issued, table.year) == (
        "张家港市2024年基层卫生工作要点", "张家港市卫生健康委员会", date(2024, 3, 27), 2024)


def test_zhangjiagang_duty_lists_import_as_unassigned_points(fixtures_dir: Path) -> None:
    table = _points(fixtures_dir, "zhangjiagang-2024-duty-lists.txt")
    assert len(table.rows) == 18  # (一)–(十) of list 1, (一)–(八) of list 2
    assert table.unassigned is True
    assert [r.no for r in table.rows] == [str(n) for n in range(1, 19)]
    assert [w.code for w in table.warnings] == ["points_renumbered"]
    assert {r.category for r in table.rows[:10]} == {"張家港市區鎮社會事業局(辦)衛生健康條線主要工作職責清單"}
    assert {r.category for r in table.rows[10:]} == {"張家港市社區衛生服務中心主要工作職責清單"}
    assert table.rows[10].title == "綜合服務"
    assert (table.issuer, table.issued, table.year) == ("張家港市衛生健康委員會", date(2024, 9, 9), 2024)


@pytest.mark.parametrize("name", ["health-work-plans-2023.txt", "community-health-plan.txt"])
def test_work_plans_read_as_points_without_error(fixtures_dir: Path, name: str) -> None:
    table = _points(fixtures_dir, name)
    assert table.unassigned and len(table.rows) >= 5
    assert len({r.no for r in table.rows}) == len(table.rows)


def test_points_on_a_web_page_without_tables(fixtures_dir: Path) -> None:
    lines = (fixtures_dir / "zhangjiagang-2024-primary-care-points.txt").read_text("utf-8").splitlines()
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in lines if line.strip()) + "</body></html>"
    table = read_table(page.encode(), "points.html")
    assert table.format == "html" and len(table.rows) == 18 and table.unassigned
    assert table.rows[0].category == "一、推进基层医疗卫生服务体系建设"


def test_points_in_a_word_document_without_tables(fixtures_dir: Path) -> None:
    from tests.tableimport.builders import docx_bytes

    lines = (fixtures_dir / "zhangjiagang-2024-primary-care-points.txt").read_text("utf-8").splitlines()
    table = read_table(docx_bytes([], before=tuple(line for line in lines if line.strip())), "points.docx")
    assert table.format == "docx" and len(table.rows) == 18
    assert table.year == 2024 and table.rows[17].title == "加强基层卫生组织管理"
