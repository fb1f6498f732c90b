"""The 台账 (/export): the original columns plus 状态, 最新进度, 进度更新时间 and 逾期工作日, coloured by standing.

Fills: red = overdue, yellow = behind 序时进度, blue = due within ``blue_within`` working days, light green =
done; on-track rows stay unfilled so the colours that ask for action stand out. The whole row is filled, so
the colour survives sorting and filtering in Excel or WPS.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.clock import to_local
from bot.exports.data import ExportData, TableRow, TaskRow, load_export, task_standing
from bot.services.import_plan import derive_title
from bot.services.occurrences import label as period_label
from bot.services.status import MilestoneFacts, Rules, Standing, period_slots, tracks_periods
from bot.texts import t
from bot.workcal import WorkCalendar

FILLS: dict[str, str] = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "BDD7EE", "done": "C6EFCE"}

# Header keywords, checked in this order: 具体内容及时间节点 is content, 相关责任单位 is units, not sections.
_HEADER_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("序号", "编号")),
    ("leaders", ("领导",)),
    ("units", ("相关", "配合", "协办", "协助")),
    ("content", ("内容", "分工")),
    ("deadline", ("时限", "时间节点", "完成时间", "时间")),
    ("content", ("要求", "措施")),
    ("remarks", ("备注",)),
    ("sections", ("股室", "处室", "科室", "单位", "部门")),
    ("task", ("任务", "事项")),
)
_DEFAULT_FIELDS = ("no", "task", "content", "leaders", "sections", "units")
_FIELD_LABELS = {"task": "field.category"}
# Widths in Excel character units; a hanzi takes about two.
_WIDTHS = {
    "no": 6, "task": 22, "content": 60, "leaders": 12, "sections": 16, "units": 28, "deadline": 16,
    "remarks": 18, "status": 13, "progress": 40, "progress_at": 17, "overdue": 11,
}
_ADDED = ("status", "progress", "progress_at", "overdue")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def header_field(header: str) -> str | None:
    """Which task field an original column header holds, or None when it means nothing we keep."""
    text = re.sub(r"\s+", "", header)
    for field, words in _HEADER_RULES:
        if any(word in text for word in words):
            return field
    return None


@dataclass(frozen=True, slots=True)
class Column:
    """One ledger column: its header text and the task field it shows."""

    header: str
    field: str


def ledger_columns(table: TableRow, tasks: Iterable[TaskRow], lang: str) -> list[Column]:
    """The table's original columns mapped back to fields, then the added standing columns."""
    columns: list[Column] = []
    seen: set[str] = set()
    for header in table.columns:
        field = header_field(header)
        if field and field not in seen:
            seen.add(field)
            columns.append(Column(header.strip(), field))
    if not columns:
        tasks = list(tasks)
        fields = list(_DEFAULT_FIELDS)
        if any(task.deadline_text for task in tasks):
            fields.append("deadline")
        if any(task.remarks for task in tasks):
            fields.append("remarks")
        columns = [Column(t(_FIELD_LABELS.get(f, f"field.{f}"), lang), f) for f in fields]
    else:
        # A table whose headers lacked these still needs them to be readable.
        if "no" not in seen:
            columns.insert(0, Column(t("field.no", lang), "no"))
        if "content" not in seen:
            columns.append(Column(t("field.content", lang), "content"))
    return columns + [Column(t(f"exports.col.{f}", lang), f) for f in _ADDED]


def _task_text(task: TaskRow) -> str:
    # The 工作任务 column held either a per-row title or the category heading; a title that is just the
    # content's first sentence was derived, so the column was the category.
    if task.title and task.title != derive_title(task.content):
        return task.title
    return task.category or ""


def _no_value(no: str) -> int | str:
    return int(no) if no.isdecimal() and str(int(no)) == no else no


def _progress(task: TaskRow, lang: str) -> str:
    if task.progress_percent is None:
        return task.progress_text or ""
    return t("exports.progress", lang, percent=task.progress_percent, text=task.progress_text or "").strip()


def table_values(task: TaskRow) -> dict[str, object]:
    """The cells a task fills in its table's own columns (序号, content, people, sections, units, 时限, 备注)."""
    return {
        "no": _no_value(task.no),
        "content": task.content,
        "leaders": "、".join(task.leaders),
        "sections": "、".join(task.sections),
        "units": "、".join(task.units),
        "deadline": task.deadline_text or "",
        "remarks": task.remarks or "",
    }


def _row_values(task: TaskRow, standing: Standing, lang: str, tz: str) -> dict[str, object]:
    return {
        **table_values(task),
        "task": _task_text(task),
        "status": t(f"exports.colour.{standing.colour}", lang),
        "progress": _progress(task, lang),
        # Excel keeps no time zone: local wall-clock time, as the bureau reads it.
        "progress_at": to_local(task.progress_at, tz).replace(tzinfo=None) if task.progress_at else None,
        "overdue": -standing.days_left if standing.days_left is not None and standing.days_left < 0 else None,
    }


_CENTRED = frozenset({"no", "status", "overdue", "progress_at"})


class _Styles:
    """Cell styles, each built once; body cells copy a template's style ids instead of re-hashing styles."""

    def __init__(self) -> None:
        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(wrap_text=True, vertical="top", horizontal="center")
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="D9D9D9")
        self.title_font = Font(bold=True, size=14)
        self.legend_font = Font(size=9, color="595959")
        self.fills = {colour: PatternFill("solid", fgColor=rgb) for colour, rgb in FILLS.items()}
        self._templates: dict[tuple[str, str], StyleArray] = {}

    def body(self, ws: WriteOnlyWorksheet, field: str, colour: str) -> StyleArray:
        """The style ids of a body cell of ``field`` in a row of standing ``colour``."""
        key = (field, colour)
        style = self._templates.get(key)
        if style is None:
            cell = WriteOnlyCell(ws)
            cell.border = self.border
            cell.alignment = self.center if field in _CENTRED else self.wrap
            if field == "progress_at":
                cell.number_format = "yyyy-mm-dd hh:mm"
            if colour in self.fills:
                cell.fill = self.fills[colour]
            style = self._templates[key] = cell._style
        return style


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("", title).strip() or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_sheet(
    ws: WriteOnlyWorksheet,
    table: TableRow,
    tasks: list[TaskRow],
    today: date,
    cal: WorkCalendar,
    rules: Rules,
    tz: str,
    lang: str,
    styles: _Styles,
) -> None:
    columns = ledger_columns(table, tasks, lang)
    periods = period_columns(table, tasks, cal)
    columns += [Column(period_label(key, lang), f"period:{key}") for key in periods]
    last = get_column_letter(len(columns))
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column.field, 20 if column.field.startswith("period:") else 14)
    ws.freeze_panes = "B4"
    # Bureaus print the 台账: landscape, one page wide, the header repeated on every page.
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    title = WriteOnlyCell(ws, t("exports.ledger.title", lang, title=table.title, today=today.isoformat()))
    title.font = styles.title_font
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merged_cells.add(CellRange(f"A1:{last}1"))
    ws.row_dimensions[1].height = 28
    ws.append([title])
    legend = WriteOnlyCell(ws, t("exports.ledger.legend", lang, blue_within=rules.blue_within))
    legend.font = styles.legend_font
    ws.merged_cells.add(CellRange(f"A2:{last}2"))
    ws.append([legend])

    header_row = []
    for column in columns:
        cell = WriteOnlyCell(ws, column.header)
        cell.font, cell.fill, cell.border, cell.alignment = (
            styles.header_font, styles.header_fill, styles.border, styles.center,
        )
        header_row.append(cell)
    ws.append(header_row)

    for task in tasks:
        standing = task_standing(task, today, cal, rules, tz)
        values = _row_values(task, standing, lang, tz)
        cells = period_cells(task, today, cal, tz, lang) if periods else {}
        row = []
        for column in columns:
            if column.field.startswith("period:"):
                text, missed = cells.get(column.field[7:], ("", False))
                cell = WriteOnlyCell(ws, text)
                cell._style = copy(styles.body(ws, "period", "red" if missed else standing.colour))
            else:
                cell = WriteOnlyCell(ws, values[column.field])
                cell._style = copy(styles.body(ws, column.field, standing.colour))
            row.append(cell)
        ws.append(row)
    ws.auto_filter.ref = f"A3:{last}{3 + len(tasks)}"


# Weeks would add 52 columns: the sheet keeps months, quarters, halves and years.
_PERIOD_ORDER = {"month": 0, "quarter": 1, "half": 2, "year": 3}


def period_columns(table: TableRow, tasks: Iterable[TaskRow], cal: WorkCalendar) -> list[str]:
    """The period keys of the table's year that its recurring tasks report on (months, then quarters, halves, year)."""
    kinds = {m.period for task in tasks for m in task.milestones if tracks_periods(m.facts()) and m.period in _PERIOD_ORDER}
    keys: list[str] = []
    for kind in sorted(kinds, key=lambda k: _PERIOD_ORDER[k or ""]):
        keys += [slot.key for slot in period_slots(MilestoneFacts(0, date(table.year, 12, 31), "recurring", kind, None), cal)]
    return keys


def period_cells(task: TaskRow, today: date, cal: WorkCalendar, tz: str, lang: str) -> dict[str, tuple[str, bool]]:
    """A recurring task's cell per period: the report text and date, a waiver, or 未报送 (missed: red)."""
    out: dict[str, tuple[str, bool]] = {}
    for m in task.milestones:
        f = m.facts()
        if not tracks_periods(f):
            continue
        rows = {o.key: o for o in m.occurrences}
        for slot in period_slots(f, cal):
            o = rows.get(slot.key)
            if o is not None and o.state == "reported":
                when = to_local(o.at, tz).strftime("%m-%d") if o.at else ""
                out[slot.key] = (t("exports.period_reported", lang, text=o.text or "", date=when).strip(), False)
            elif o is not None and o.state == "waived":
                out[slot.key] = (t("exports.period_waived", lang, reason=o.text or ""), False)
            elif slot.due < today:
                out[slot.key] = (t("exports.period_missed", lang), True)
    return out


def build_ledger(data: ExportData, today: date, cal: WorkCalendar, rules: Rules, tz: str, lang: str = "zh") -> bytes:
    """The ledger workbook for loaded data: one sheet per table."""
    wb = Workbook(write_only=True)
    styles = _Styles()
    used: set[str] = set()
    by_table: dict[int, list[TaskRow]] = {table.id: [] for table in data.tables}
    for task in data.tasks:
        by_table.setdefault(task.table_id, []).append(task)
    tables = data.tables or (TableRow(0, t("exports.ledger.sheet", lang), None, today.year, None, "", ()),)
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.title, used))
        _write_sheet(ws, table, by_table.get(table.id, []), today, cal, rules, tz, lang, styles)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def ledger_xlsx(session: AsyncSession, core: Core, today: date, lang: str = "zh") -> bytes:
    """The 台账 of every active table as xlsx bytes, coloured by each task's standing on ``today``."""
    data = await load_export(session)
    rules = Rules.from_settings(core.settings.reminders)
    # Building the workbook is CPU work; keep the event loop (other chats) responsive meanwhile.
    return await asyncio.to_thread(build_ledger, data, today, core.calendar, rules, core.tz, lang)
