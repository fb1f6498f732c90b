"""Building synthetic tables of other bureaus in every format, for the table reader's tests."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook

EXPECTED_FIELDS = ("no", "category", "content", "leaders", "sections", "units")


def read_as(rows: list[list[str]], fmt: str):  # type: ignore[no-untyped-def]
    """``rows`` written as an xlsx, docx or csv file and read back by the table reader."""
    from bot.tableimport import read_table

    if fmt == "xlsx":
        return read_table(xlsx_bytes(rows), "bureau.xlsx")
    if fmt == "docx":
        return read_table(docx_bytes([rows]), "bureau.docx")
    return read_table(csv_bytes(rows), "bureau.csv")


def xlsx_bytes(rows: list[list[object]], merges: tuple[str, ...] = (), sheets_before: int = 0) -> bytes:
    """A workbook whose (last) sheet holds ``rows`` from A1, with the given merged ranges."""
    book = Workbook()
    sheet = book.active
    for n in range(sheets_before):
        sheet.title = f"说明{n + 1}"
        sheet.append(["本表说明"])
        sheet = book.create_sheet("任务")
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(tables: list[list[list[str]]], before: tuple[str, ...] = (), between: tuple[str, ...] = (),
               vmerge: dict[int, list[tuple[int, int, int]]] | None = None) -> bytes:
    """A document with paragraphs ``before``, then the tables (``between`` separates them).

    ``vmerge`` maps a table index to (column, first row, last row) ranges merged vertically,
    with the text only in the first row, as Word stores it.
    """
    document = docx.Document()
    for text in before:
        document.add_paragraph(text)
    for index, rows in enumerate(tables):
        if index:
            for text in between:
                document.add_paragraph(text)
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        for col, first, last in (vmerge or {}).get(index, []):
            for r in range(first + 1, last + 1):
                table.cell(r, col).text = ""
            table.cell(first, col).merge(table.cell(last, col))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_gridspan(rows: list[list[tuple[str, int]]]) -> bytes:
    """A one-table document where each cell is (text, gridSpan)."""
    document = docx.Document()
    width = max(len(row) for row in rows)  # the declared grid; spans may claim more than it has
    table = document.add_table(rows=0, cols=width)
    for row in rows:
        tr = table.add_row()._tr
        for tc in list(tr.tc_lst):
            tr.remove(tc)
        for text, span in row:
            tc = OxmlElement("w:tc")
            if span > 1:
                tc_pr = OxmlElement("w:tcPr")
                grid = OxmlElement("w:gridSpan")
                grid.set(qn("w:val"), str(span))
                tc_pr.append(grid)
                tc.append(tc_pr)
            p = OxmlElement("w:p")
            run = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = text
            run.append(t)
            p.append(run)
            tc.append(p)
            tr.append(tc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """``rows`` as CSV text in ``encoding``."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def html_from_csv(path: Path, encoding: str = "utf-8") -> bytes:
    """The 2023 CSV as a government web page: title, a notice, the table with rowspan categories and
    a colspan title row, "牵头<br>领导" in the header, a non-breaking space in empty cells, a signature."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    charset = "gb2312" if encoding.lower() in ("gbk", "gb2312", "gb18030") else encoding
    out = [
        "<!DOCTYPE html><html><head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        "<title>沅江市卫生健康局关于印发《2023年全市卫生健康重点工作责任分解表》的通知</title></head><body>",
        '<div class="nav">首页 &gt; 政务公开</div>',
        "<p>各医疗卫生单位、机关股室(站):</p>",
        "<p>现将《2023年全市卫生健康重点工作责任分解表》印发给你们,请认真组织实施。</p>",
        "<p>沅江市卫生健康局</p><p>2023年5月6日</p>",
        '<table border="1"><tbody>',
        f'<tr><td colspan="{len(header)}"><b>2023年全市卫生健康重点工作责任分解表</b></td></tr>',
        "<tr>" + "".join(f"<th>{'牵头<br>领导' if h == '牵头领导' else html.escape(h)}</th>" for h in header) + "</tr>",
    ]
    i = 0
    while i < len(body):
        span = 1
        while i + span < len(body) and body[i + span][1] == body[i][1]:
            span += 1
        for k in range(span):
            cells = body[i + k]
            tds = [f"<td>{html.escape(cells[0])}</td>"]
            if k == 0:
                tds.append(f'<td rowspan="{span}">{html.escape(cells[1])}</td>')
            tds += [f"<td>{html.escape(c) if c else '&nbsp;'}</td>" for c in cells[2:]]
            out.append("<tr>" + "".join(tds) + "</tr>")
        i += span
    out += ["</tbody></table>", "<p>【打印本页】【关闭窗口】</p></body></html>"]
    return "\n".join(out).encode(encoding)


def expected_rows(fixtures: Path) -> dict:
    """The expected import of the 2023 table."""
    return json.loads((fixtures / "yuanjiang-2023-tasks.expected.json").read_text("utf-8"))


def differences(table, expected: dict, label: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every field of every row that differs from expected.json, as readable lines."""
    want = expected["tasks"]
    out = []
    if len(table.rows) != len(want):
        out.append(f"{label}: {len(table.rows)} rows, expected {len(want)}")
    for row, task in zip(table.rows, want):
        for name in EXPECTED_FIELDS:
            got = getattr(row, name)
            got = int(got) if name == "no" else list(got) if isinstance(got, tuple) else got
            if got != task[name]:
                out.append(f"{label} row #{task['no']} (line {row.line}) {name}: got {got!r}, expected {task[name]!r}")
    return out
