"""PDF tables: rows and cells continued over page breaks are joined; the text around gives the title and year."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.tableimport import ImportFailure, read_table

OWN = Path(__file__).resolve().parent.parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_table import task_groups  # noqa: E402


def test_a_cell_split_over_a_page_break_is_glued() -> None:
    table = read_table((OWN / "yuanjiang-2023-tasks.pdf").read_bytes(), "t.pdf")
    row = next(r for r in table.rows if r.no == "2")
    assert row.content.endswith("完成2023年常规血吸虫病防治和血吸虫病消除推进试点县项目建设工作任务。")
    assert [r.line for r in table.rows[:2]] == [2, 3]  # rows of the joined table, the header being row 1


def test_a_21_page_table_reads_every_row_as_generated() -> None:
    # bench/gen_table.py --rows 55 --format docx with the header row marked to repeat (w:tblHeader), converted
    # by LibreOffice: every page starts with the header again, most with the rest of a row cut by the break.
    _reads_as_generated("generated-55-rows-21-pages.pdf", 55)


def test_a_table_without_ruling_lines_is_read_by_the_alignment_of_its_words() -> None:
    # The same 12 rows in a Word table without borders over 6 pages: columns from the header's words,
    # a row per 序号, the last page holding only the end of one cell.
    _reads_as_generated("generated-12-rows-unruled.pdf", 12)


def _reads_as_generated(name: str, count: int) -> None:
    table = read_table((OWN / name).read_bytes(), name)
    assert table.year == 2023 and table.title == "2023年全市卫生健康重点工作责任分解表"
    category = None
    rows = [row for group in task_groups(count) for row in group]
    assert len(table.rows) == len(rows)
    for want, got in zip(rows, table.rows):
        category = want[1] or category
        leaders = tuple(name.replace(" ", "") for name in str(want[3]).split("、"))  # "汪  峰" prints as 汪峰
        assert (got.no, got.category, got.content) == (str(want[0]), category, want[2])
        assert (got.leaders, got.sections, got.units) == (
            leaders, tuple(str(want[4]).split("、")), tuple(str(want[5]).split("、")))


def test_a_pdf_without_tables_reads_its_text_as_the_page_would(fixtures_dir: Path) -> None:
    # The web page's text printed to PDF by LibreOffice: wrapped lines and a paragraph running on over a
    # page break are joined again, so the points read exactly as from the text itself.
    pdf = read_table((OWN / "zhangjiagang-2024-primary-care-points.pdf").read_bytes(), "points.pdf")
    txt = read_table((fixtures_dir / "zhangjiagang-2024-primary-care-points.txt").read_bytes(), "points.txt")
    assert pdf.format == "pdf" and pdf.unassigned and len(pdf.rows) == 18
    assert [(r.no, r.category, r.title, r.content) for r in pdf.rows] == [
        (r.no, r.category, r.title, r.content) for r in txt.rows]
    assert (pdf.title, pdf.issuer, pdf.issued, pdf.year) == (txt.title, txt.issuer, txt.issued, txt.year)


def test_a_wide_sheet_printed_a_few_columns_per_page_is_refused_with_what_to_do() -> None:
    # LibreOffice's default print of a 9-column sheet: 序号 工作类别 工作任务 on pages 1-3, 具体措施 责任领导 牵头股室 on
    # 4-6, 配合单位 完成时限 备注 on 7-9, each over the same six tasks. Read apart, they made fifteen wrong tasks.
    data = (OWN / "generated-wide-sheet-columns-per-page.pdf").read_bytes()
    with pytest.raises(ImportFailure) as caught:
        read_table(data, "wide.pdf")
    assert [p.code for p in caught.value.problems] == ["import.pdf_columns_split"]
    assert "fitted to one page" in caught.value.render("en")[0]


def test_a_cell_merged_down_over_rows_in_a_ruled_pdf_belongs_to_each_of_them() -> None:
    # LibreOffice's print of a county table: 分管县领导 merged over tasks 1-3 (张建国) and 4-5 (赵丽); a merged 序号
    # over sub-rows. pdfplumber's row box includes a cell merged down from the row, so its own bottom decides.
    leaders = read_table((OWN / "generated-merged-leader.pdf").read_bytes(), "leaders.pdf")
    assert [r.leaders for r in leaders.rows] == [("张建国",)] * 3 + [("赵丽",)] * 2
    numbers = read_table((OWN / "generated-merged-number-subitems.pdf").read_bytes(), "numbers.pdf")
    assert [r.no for r in numbers.rows] == ["1-1", "1-2", "2-1", "2-2", "2-3", "3"]
    assert numbers.rows[1].category == "推进医共体建设"


def test_a_numbered_line_with_a_month_starts_its_own_line_in_a_pdf_cell() -> None:
    from bot.tableimport.readers.pdf import _NUMBERED

    assert _NUMBERED.match("1.3月底前制定实施方案") and _NUMBERED.match("2、完成") and not _NUMBERED.match("2.5万人次")


def test_a_printed_table_per_part_reads_as_one_table_with_the_parts_as_categories() -> None:
    # A county document printed from Word: "一、…" paragraph, table, "二、…", table, "三、…", table.
    table = read_table((OWN / "generated-table-per-part.pdf").read_bytes(), "parts.pdf")
    assert [r.no for r in table.rows] == [str(n) for n in range(1, 11)]
    assert [r.category for r in table.rows] == ["一、着力推动经济高质量发展"] * 3 + ["二、持续增进民生福祉"] * 4 + [
        "三、统筹发展和安全"] * 3
