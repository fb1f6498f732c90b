"""The 责任分解表 template (``duban export --template``, /export 模板): one table in its standard columns, for filling in.

Empty leader and section cells are filled in colour. Row 1 is the table's title and row 2 names the issuer
and issue date with the labels the importer reads, so the filled-in file imports back as a revision of the
same table (matched by title and year, rows by 序号), keeping status, progress and history. The column
headers stay in Chinese whatever the language: they are what the importer recognises.
"""

from __future__ import annotations

import asyncio
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.exports.data import TableRow, TaskRow, load_export
from bot.exports.ledger import _sheet_title, table_values
from bot.tableimport.meta import find_title
from bot.texts import t

# (header, task field, width in Excel character units)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("序号", "no", 6),
    ("工作任务", "category", 22),
    ("具体内容及时间节点", "content", 60),
    ("牵头领导", "leaders", 12),
    ("牵头股室", "sections", 16),
    ("相关责任单位", "units", 24),
    ("完成时限", "deadline", 16),
    ("备注", "remarks", 16),
)
TO_FILL = frozenset({"leaders", "sections"})
EMPTY_FILL = "FFEB9C"


def title_cell(title: str) -> str:
    """The title as row 1 writes it: as is when the importer reads it as a title, else inside 《》 (also read)."""
    return title if find_title([title]) == title else f"《{title}》"


def _values(task: TaskRow) -> dict[str, object]:
    return {**table_values(task), "category": task.category or ""}


def build_template(table: TableRow, tasks: list[TaskRow], lang: str = "zh") -> bytes:
    """The template workbook of one table and its (non-removed) tasks."""
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(table.title, set())
    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    empty = PatternFill("solid", fgColor=EMPTY_FILL)

    ws.append([title_cell(table.title)])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    facts = []
    if table.issuer:
        facts.append(t("assign.template_issuer", lang, issuer=table.issuer))
    if table.issued:
        facts.append(t("assign.template_issued", lang, issued=table.issued.isoformat()))
    ws.append(["  ".join([*facts, t("assign.template_note", lang)])])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(size=9, color="595959")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 30

    ws.append([header for header, _, _ in COLUMNS])
    for i, (_, _, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=3, column=i)
        cell.font, cell.border, cell.alignment = Font(bold=True), border, wrap
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        ws.column_dimensions[get_column_letter(i)].width = width
    for task in tasks:
        values = _values(task)
        ws.append([values[field] for _, field, _ in COLUMNS])
        for i, (_, field, _) in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=ws.max_row, column=i)
            cell.border, cell.alignment = border, wrap
            if field in TO_FILL and not values[field]:
                cell.fill = empty
    ws.freeze_panes = "A4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def template_xlsx(session: AsyncSession, table_id: int | None = None, lang: str = "zh") -> bytes | None:
    """The template of table ``table_id`` (default: the newest active table), or None when there is none."""
    data = await load_export(session)
    tables = {table.id: table for table in data.tables}
    if table_id is None:
        from bot.services.queries import newest_table_id

        table_id = await newest_table_id(session)
    table = tables.get(table_id) if table_id is not None else None
    if table is None:
        return None
    tasks = [task for task in data.tasks if task.table_id == table.id]
    return await asyncio.to_thread(build_template, table, tasks, lang)
