"""CSV export: one row per task, milestones joined, UTF-8 with a BOM so Excel on Chinese Windows reads it."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.clock import to_local
from bot.exports.data import ExportData, MilestoneRow, TaskRow, load_export
from bot.texts import t

JOIN = "、"
MILESTONE_JOIN = "；"


def milestone_label(m: MilestoneRow, lang: str) -> str:
    """A time node as one phrase: its date, its source text and, unless plainly dated, its kind."""
    label = " ".join(part for part in (m.due.isoformat() if m.due else "", m.text) if part)
    kind = t(f"exports.kind.{m.kind}", lang) if m.kind != "dated" else ""
    return t("exports.milestone_note", lang, label=label, kind=kind) if kind else label


def _header(lang: str) -> list[str]:
    return [
        t("exports.col.table", lang),
        t("field.no", lang),
        t("field.category", lang),
        t("field.title", lang),
        t("field.content", lang),
        t("field.leaders", lang),
        t("field.sections", lang),
        t("field.units", lang),
        t("exports.col.milestones", lang),
        t("exports.col.status", lang),
        t("exports.col.percent", lang),
        t("exports.col.progress", lang),
        t("exports.col.progress_at", lang),
    ]


def _row(task: TaskRow, table_title: str, lang: str, tz: str | None) -> list[str]:
    moment = task.progress_at
    if moment is not None and tz:
        moment = to_local(moment, tz)
    return [
        table_title,
        task.no,
        task.category or "",
        task.title,
        task.content,
        JOIN.join(task.leaders),
        JOIN.join(task.sections),
        JOIN.join(task.units),
        MILESTONE_JOIN.join(milestone_label(m, lang) for m in task.milestones),
        t(f"exports.task.{task.status}", lang),
        "" if task.progress_percent is None else str(task.progress_percent),
        task.progress_text or "",
        moment.isoformat(timespec="minutes") if moment else "",
    ]


def to_csv(data: ExportData, *, lang: str = "zh", tz: str | None = None) -> bytes:
    """The CSV bytes for loaded data (CRLF line ends, as Excel writes them)."""
    titles = {table.id: table.title for table in data.tables}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_header(lang))
    writer.writerows(_row(task, titles.get(task.table_id, ""), lang, tz) for task in data.tasks)
    return buffer.getvalue().encode("utf-8-sig")


async def export_csv(session: AsyncSession, *, today: date, lang: str = "zh", tz: str | None = None) -> bytes:
    """Active tasks as CSV; progress times in ``tz`` when given, else UTC (ISO 8601 with offset).

    ``today`` is taken for a uniform export API; the file holds stored facts, not day-dependent colours.
    """
    return to_csv(await load_export(session), lang=lang, tz=tz)
