"""``duban export --format json``: the tables and their live tasks, in the contract of the task-tables issue."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.exports.data import ExportData, MilestoneRow, TableRow, TaskRow, load_export


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def table_json(table: TableRow) -> dict[str, Any]:
    """One table's header facts."""
    return {
        "id": table.id,
        "title": table.title,
        "issuer": table.issuer,
        "year": table.year,
        "issued": _iso(table.issued),
        "source_name": table.source_name,
    }


def milestone_json(m: MilestoneRow) -> dict[str, Any]:
    """One time node."""
    return {"due": _iso(m.due), "text": m.text, "kind": m.kind, "period": m.period, "estimate": m.estimate}


def task_json(task: TaskRow) -> dict[str, Any]:
    """One task with its people, sections, units and time nodes."""
    return {
        "table": task.table_id,
        "no": task.no,
        "category": task.category,
        "title": task.title,
        "content": task.content,
        "leaders": list(task.leaders),
        "sections": list(task.sections),
        "units": list(task.units),
        "milestones": [milestone_json(m) for m in task.milestones],
        "status": task.status,
    }


def to_json(data: ExportData) -> dict[str, Any]:
    """The export document for loaded data."""
    return {"tables": [table_json(t) for t in data.tables], "tasks": [task_json(t) for t in data.tasks]}


async def export_json(session: AsyncSession, *, today: date) -> dict[str, Any]:
    """Active tables and their tasks that are not removed, by table then 序号 order.

    ``today`` is taken for a uniform export API; the document holds stored facts, not day-dependent colours.
    """
    return to_json(await load_export(session))
