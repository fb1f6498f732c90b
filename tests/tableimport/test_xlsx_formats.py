"""Excel cells read as the bureau saw them: a date or number shown through its number format, not its raw value.

Typing "2024年6月" into Chinese Excel stores 2024-06-01 shown as yyyy"年"m"月" (due at the end of June); typing
"2024.10" stores 2024.1 shown as 0.00 (October, not January).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
import xlwt
from openpyxl import Workbook

from bot.services.import_plan import plan_tasks
from bot.tableimport import read_table
from bot.tableimport.readers.numfmt import display

TITLE = "2024年县卫生健康局重点工作责任分解表"
HEADER = ["序号", "工作任务", "责任领导", "牵头股室", "完成时限", "备注"]
CONTENT = "推进紧密型县域医共体建设，完成医共体总院挂牌运行"


def _book(cells: list[tuple[object, str, object, str]], *, at: str = "A1", sheets_before: int = 0) -> Workbook:
    """A table with one task per (deadline, its format, remark, its format); the 序号 are floats, as WPS saves."""
    book = Workbook()
    sheet = book.active
    for n in range(sheets_before):
        sheet.title = f"说明{n + 1}"
        sheet.append(["本表说明", 2024.5])
        sheet["B1"].number_format = "0.00"
        sheet = book.create_sheet("任务")
    row0 = int(re.sub(r"\D", "", at))
    col0 = ord(at[0]) - ord("A") + 1
    sheet.cell(row=row0, column=col0, value=TITLE)
    for c, head in enumerate(HEADER):
        sheet.cell(row=row0 + 1, column=col0 + c, value=head)
    for i, (deadline, deadline_fmt, remark, remark_fmt) in enumerate(cells, start=1):
        r = row0 + 1 + i
        values = [float(i), f"{CONTENT}（第{i}项）", "王明", "医政股", deadline, remark]
        for c, value in enumerate(values):
            sheet.cell(row=r, column=col0 + c, value=value)
        sheet.cell(row=r, column=col0).number_format = "0"
        sheet.cell(row=r, column=col0 + 4).number_format = deadline_fmt
        sheet.cell(row=r, column=col0 + 5).number_format = remark_fmt
    return book


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes):  # type: ignore[no-untyped-def]
    table = read_table(data, "责任分解表.xlsx")
    return table, plan_tasks(table, 2024)


DEADLINES = [
    # (cell value, number format, text Excel shows, the milestone Duban plans)
    (datetime(2024, 6, 1), 'yyyy"年"m"月"', "2024年6月", date(2024, 6, 30)),
    (datetime(2024, 10, 1), 'yyyy"年"m"月";@', "2024年10月", date(2024, 10, 31)),
    (2024.1, "0.00", "2024.10", date(2024, 10, 31)),
    (2024.6, "0.0", "2024.6", date(2024, 6, 30)),
    (datetime(2024, 6, 15), 'm"月"d"日"', "6月15日", date(2024, 6, 15)),
    (datetime(2024, 9, 30), 'yyyy"年"m"月"d"日"', "2024年9月30日", date(2024, 9, 30)),
    (datetime(2024, 11, 20), "yyyy/m/d", "2024/11/20", date(2024, 11, 20)),
    (datetime(2024, 6, 1), 'm"月底"', "6月底", date(2024, 6, 30)),
    (datetime(2024, 8, 31), '[DBNum1][$-804]yyyy"年"m"月"d"日"', "2024年8月31日", date(2024, 8, 31)),
    (datetime(2024, 7, 1), "mm-dd-yy", "2024/7/1", date(2024, 7, 1)),  # built-in 14, shown yyyy/m/d in Chinese
    (datetime(2024, 3, 1), "mmm-yy", "2024年3月", date(2024, 3, 31)),  # built-in 17: month only
    (datetime(2024, 5, 1), "yyyy-mm", "2024年5月", date(2024, 5, 31)),
    (datetime(2024, 4, 15), "d-mmm-yy", "2024-04-15", date(2024, 4, 15)),
    (datetime(2024, 12, 31), "yyyy-mm-dd h:mm:ss", "2024-12-31", date(2024, 12, 31)),  # midnight: no clock
    (45565.0, 'yyyy"年"m"月"', "2024年9月", date(2024, 9, 30)),  # a serial number under a date format
]


def test_deadline_cells_read_as_shown_and_plan_their_dates() -> None:
    book = _book([(value, fmt, None, "General") for value, fmt, _, _ in DEADLINES])
    table, planned = _read(_bytes(book))
    assert [row.deadline for row in table.rows] == [shown for _, _, shown, _ in DEADLINES]
    assert [[m.due for m in task.milestones] for task in planned] == [[due] for _, _, _, due in DEADLINES]
    assert [row.no for row in table.rows] == [str(i) for i in range(1, len(DEADLINES) + 1)]


def test_month_only_date_is_due_at_the_end_of_its_month_not_on_the_first() -> None:
    months = [datetime(2024, m, 1) for m in (6, 9, 10, 12)]
    table, planned = _read(_bytes(_book([(d, 'yyyy"年"m"月"', None, "General") for d in months])))
    assert [row.deadline for row in table.rows] == ["2024年6月", "2024年9月", "2024年10月", "2024年12月"]
    assert [task.milestones[0].due for task in planned] == [
        date(2024, 6, 30), date(2024, 9, 30), date(2024, 10, 31), date(2024, 12, 31)]


@pytest.mark.parametrize("value,fmt,shown", [
    (0.9, "0%", "90%"),
    (0.955, "0.0%", "95.5%"),
    (1234567.891, "#,##0.00", "1,234,567.89"),
    (12.0, "0", "12"),
    (2.5, "0", "3"),  # Excel rounds half away from zero
    (0.1 + 0.2, "General", "0.3"),
    (3.0, 'G/通用格式"项"', "3项"),
    (-2.5, "0.00;[Red]\\(0.00\\)", "(2.50)"),
    (0.0, '0.00;-0.00;"未开展"', "未开展"),
    (-2.5, "0.00", "-2.50"),
    (1500.0, "[$¥-804]#,##0.00", "¥1,500.00"),
])
def test_number_cells_read_as_shown(value: float, fmt: str, shown: str) -> None:
    table, _ = _read(_bytes(_book([("6月底前", "@", value, fmt)])))
    assert table.rows[0].remarks == shown


def test_a_table_away_from_a1_and_on_a_later_sheet_keeps_each_cell_its_format() -> None:
    book = _book([(2024.1, "0.00", 0.5, "0%"), (datetime(2024, 6, 1), 'yyyy"年"m"月"', 2024.5, "0.00")],
                 at="C4", sheets_before=1)
    table, planned = _read(_bytes(book))
    assert [(row.deadline, row.remarks) for row in table.rows] == [("2024.10", "50%"), ("2024年6月", "2024.50")]
    assert [task.milestones[0].due for task in planned] == [date(2024, 10, 31), date(2024, 6, 30)]


def test_cells_without_references_are_placed_by_position() -> None:
    data = _bytes(_book([(2024.1, "0.00", None, "General"), (datetime(2024, 6, 1), 'yyyy"年"m"月"', None, "General")]))
    # Some writers leave out each cell's r="A1"; the format must still land on the right cell.
    table, planned = _read(_rewrite_sheet(data, lambda xml: re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", xml)))
    assert [row.deadline for row in table.rows] == ["2024.10", "2024年6月"]
    assert [task.milestones[0].due for task in planned] == [date(2024, 10, 31), date(2024, 6, 30)]


def test_a_1904_workbook_reads_its_serial_dates_from_1904() -> None:
    book = _book([(datetime(2024, 6, 1), 'yyyy"年"m"月"d"日"', None, "General")])
    book.epoch = datetime(1904, 1, 1)  # openpyxl then writes date1904 and 1904-based serials
    table, planned = _read(_bytes(book))
    assert table.rows[0].deadline == "2024年6月1日"
    assert planned[0].milestones[0].due == date(2024, 6, 1)


def test_text_cells_are_left_as_typed_whatever_their_format() -> None:
    table, _ = _read(_bytes(_book([("2024.10", "0.00", "完成率90%", "0%")])))
    assert (table.rows[0].deadline, table.rows[0].remarks) == ("2024.10", "完成率90%")


def test_a_legacy_xls_shows_its_cells_through_their_formats_too() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "本表说明")
    sheet = book.add_sheet("任务")
    sheet.write(0, 0, TITLE)
    for c, head in enumerate(HEADER):
        sheet.write(1, c, head)
    cells = [(datetime(2024, 6, 1), 'yyyy"年"m"月"', 0.9, "0%"), (2024.1, "0.00", 2024.5, "0.00"),
             (datetime(2024, 9, 30), 'm"月"d"日"', 1234.5, "#,##0.00"), (7.0, "0", 3.0, "0")]
    for i, (deadline, deadline_fmt, remark, remark_fmt) in enumerate(cells):
        sheet.write(2 + i, 0, float(i + 1), xlwt.easyxf(num_format_str="0"))
        for c, text in enumerate([f"{CONTENT}（第{i + 1}项）", "王明", "医政股"], start=1):
            sheet.write(2 + i, c, text)
        sheet.write(2 + i, 4, deadline, xlwt.easyxf(num_format_str=deadline_fmt))
        sheet.write(2 + i, 5, remark, xlwt.easyxf(num_format_str=remark_fmt))
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "责任分解表.xls")
    assert [(row.no, row.deadline, row.remarks) for row in table.rows] == [
        ("1", "2024年6月", "90%"), ("2", "2024.10", "2024.50"), ("3", "9月30日", "1,234.50"), ("4", "7", "3")]
    assert [task.milestones[0].due for task in plan_tasks(table, 2024)] == [
        date(2024, 6, 30), date(2024, 10, 31), date(2024, 9, 30), date(2024, 12, 31)]


@pytest.mark.parametrize("value,fmt,shown", [
    (datetime(2024, 6, 30, 14, 5), "yyyy/m/d h:mm", "2024/6/30 14:05"),
    (datetime(2024, 6, 30, 14, 5), '上午/下午h"时"mm"分"', "下午2时05分"),
    (datetime(2024, 6, 30), "d-mmm", "6月30日"),
    (datetime(2024, 6, 30), "m/d/yyyy", "2024-06-30"),
    (datetime(2024, 6, 30), "mm-dd", "6月30日"),
    (datetime(2024, 6, 30, 9, 5), "m/d h:mm", "6月30日 09:05"),
    (datetime(2024, 6, 30), "yy-m-d", "2024-06-30"),
    (datetime(2024, 6, 30), 'yy"年"m"月"', "24年6月"),
    (datetime(2024, 6, 30), "[$-F800]dddd, mmmm dd, yyyy", "2024年6月30日"),
    (1.0, "0.0#", "1.0"),
    (1.25, "0.0#", "1.25"),
    (0.5, "#.00", ".50"),
    (-5.0, "G/通用格式", None),  # General: the reader's own text
    ("2024年", "0.00", None),
])
def test_display_of_formats_bureaus_use(value: object, fmt: str, shown: str | None) -> None:
    assert display(value, fmt) == shown


def _rewrite_sheet(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename.startswith("xl/worksheets/") else body)
    return out.getvalue()


def test_a_book_with_many_number_styles_finds_each_cell_its_own() -> None:
    rows = [(f"{m}月底前", "@", 2024.5 + n, f'0.00"（{n}）"') for n in range(70) for m in [n % 12 + 1]]
    table, _ = _read(_bytes(_book(rows)))
    assert [row.remarks for row in table.rows] == [f"{2024.5 + n:.2f}（{n}）" for n in range(70)]
