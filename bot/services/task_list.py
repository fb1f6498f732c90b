"""The admin's whole-table listing with filters (the CLI's ``duban tasks``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Section, Task, TaskLeader, TaskSection, TaskTable
from bot.services.occurrences import closed_keys
from bot.services.status import MilestoneFacts, Rules, Standing, stored_standing
from bot.workcal import WorkCalendar


@dataclass(frozen=True, slots=True)
class ListedTask:
    """A task with its standing on the listing day."""

    task: Task
    standing: Standing

    @property
    def leaders(self) -> list[str]:
        """Lead leaders' names."""
        return [link.person.name for link in self.task.leaders]

    @property
    def sections(self) -> list[str]:
        """Lead sections' names."""
        return [link.section.name for link in self.task.sections]


def milestone_facts(task: Task, closed: Mapping[int, frozenset[str]] | None = None) -> list[MilestoneFacts]:
    """A task's milestones as the colour rules see them (recurring ones with the task's reported or waived periods)."""
    done = (closed or {}).get(task.id, frozenset())
    return [MilestoneFacts(m.id, m.due, m.kind, m.period, m.window_start, done if m.kind == "recurring" else frozenset())
            for m in task.milestones]


def task_standing(
    task: Task, today: date, cal: WorkCalendar, rules: Rules, tz: str, closed: Mapping[int, frozenset[str]] | None = None
) -> Standing:
    """A stored task's colour and next due date on ``today``."""
    return stored_standing(milestone_facts(task, closed), today, cal, rules, tz,
                           status=task.status, percent=task.progress_percent, progress_at=task.progress_at)


async def list_tasks(
    session: AsyncSession,
    *,
    today: date,
    cal: WorkCalendar,
    tz: str,
    rules: Rules = Rules(),
    leader: str | None = None,
    section: str | None = None,
    overdue: bool = False,
    due_within: int | None = None,
) -> list[ListedTask]:
    """Open and done tasks of the active tables, filtered, with their standing, in table order."""
    query = (
        select(Task)
        .join(TaskTable, TaskTable.id == Task.table_id)
        .where(TaskTable.active.is_(True), Task.status != "removed")
        .order_by(Task.table_id, Task.seq)
    )
    if leader:
        query = query.where(
            Task.id.in_(select(TaskLeader.task_id).join(Person).where(Person.name == leader))
        )
    if section:
        query = query.where(
            Task.id.in_(select(TaskSection.task_id).join(Section).where(Section.name == section))
        )
    tasks = list(await session.scalars(query))
    closed = await closed_keys(session, [task.id for task in tasks if any(m.kind == "recurring" for m in task.milestones)])
    listed = [ListedTask(task, task_standing(task, today, cal, rules, tz, closed)) for task in tasks]
    if overdue:
        listed = [item for item in listed if item.standing.colour == "red"]
    if due_within is not None:
        listed = [
            item
            for item in listed
            if item.standing.colour != "done"
            and item.standing.days_left is not None
            and 0 <= item.standing.days_left <= due_within
        ]
    return listed
