"""Everything an export needs, loaded set-based (one query per table kind, no N+1) into plain dataclasses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Milestone, Occurrence, Person, Section, Task, TaskEvent, TaskLeader, TaskSection, TaskTable
from bot.services.status import MilestoneFacts, Rules, Standing, stored_standing
from bot.workcal import WorkCalendar


@dataclass(frozen=True, slots=True)
class TableRow:
    """An imported table's header facts and its original column headers, in order."""

    id: int
    title: str
    issuer: str | None
    year: int
    issued: date | None
    source_name: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A stored time node."""

    id: int
    due: date | None
    text: str
    kind: str
    period: str | None
    estimate: bool
    window_start: date | None
    # A recurring node's periods with a row (issue 9): key → its state, report text and time, or waiver reason.
    occurrences: tuple[PeriodRow, ...] = ()

    def facts(self) -> MilestoneFacts:
        """The milestone as the colour rules see it (with its reported or waived periods)."""
        closed = frozenset(o.key for o in self.occurrences if o.state in ("reported", "waived"))
        return MilestoneFacts(self.id, self.due, self.kind, self.period, self.window_start, closed)


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period of a recurring node that was signed, reported or waived."""

    key: str
    state: str
    text: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task with its people, sections, milestones and latest progress."""

    id: int
    table_id: int
    no: str
    seq: int
    category: str | None
    title: str
    content: str
    leaders: tuple[str, ...]
    sections: tuple[str, ...]
    units: tuple[str, ...]
    deadline_text: str | None
    remarks: str | None
    status: str
    progress_percent: int | None
    progress_text: str | None
    progress_at: datetime | None
    milestones: tuple[MilestoneRow, ...]


@dataclass(frozen=True, slots=True)
class ExportData:
    """The active tables and their tasks, ordered by table, then 序号 order (seq)."""

    tables: tuple[TableRow, ...]
    tasks: tuple[TaskRow, ...]


async def load_export(session: AsyncSession, *, include_removed: bool = False) -> ExportData:
    """Load the active tables with their tasks in five queries; removed rows only when asked."""
    tables = tuple(
        TableRow(r.id, r.title, r.issuer, r.year, r.issued, r.source_name, tuple(r.columns or ()))
        for r in await session.execute(
            select(
                TaskTable.id, TaskTable.title, TaskTable.issuer, TaskTable.year, TaskTable.issued,
                TaskTable.source_name, TaskTable.columns,
            )
            .where(TaskTable.active.is_(True))
            .order_by(TaskTable.id)
        )
    )
    if not tables:
        return ExportData((), ())
    # Subqueries rather than long IN lists: 100,000 ids would exceed SQLite's and asyncpg's parameter limits.
    task_filter = [Task.table_id.in_(select(TaskTable.id).where(TaskTable.active.is_(True)))]
    if not include_removed:
        task_filter.append(Task.status != "removed")
    task_ids = select(Task.id).where(*task_filter)

    leaders: dict[int, list[str]] = defaultdict(list)
    for task_id, name in await session.execute(
        select(TaskLeader.task_id, Person.name)
        .join(Person, Person.id == TaskLeader.person_id)
        .where(TaskLeader.task_id.in_(task_ids))
        .order_by(TaskLeader.task_id, TaskLeader.position, Person.name)
    ):
        leaders[task_id].append(name)

    sections: dict[int, list[str]] = defaultdict(list)
    for task_id, name in await session.execute(
        select(TaskSection.task_id, Section.name)
        .join(Section, Section.id == TaskSection.section_id)
        .where(TaskSection.task_id.in_(task_ids))
        .order_by(TaskSection.task_id, TaskSection.position, Section.name)
    ):
        sections[task_id].append(name)

    periods: dict[int, list[PeriodRow]] = defaultdict(list)
    for task_id, key, state, text, reported_at, reason in await session.execute(
        select(Occurrence.task_id, Occurrence.period_key, Occurrence.state, TaskEvent.text, Occurrence.reported_at,
               Occurrence.waiver_reason)
        .outerjoin(TaskEvent, TaskEvent.id == Occurrence.report_event_id)
        .where(Occurrence.task_id.in_(task_ids))
    ):
        periods[task_id].append(PeriodRow(key, state, reason if state == "waived" else text, reported_at))

    milestones: dict[int, list[MilestoneRow]] = defaultdict(list)
    for r in await session.execute(
        select(
            Milestone.task_id, Milestone.id, Milestone.due, Milestone.text, Milestone.kind, Milestone.period,
            Milestone.estimate, Milestone.window_start,
        )
        .where(Milestone.task_id.in_(task_ids))
        .order_by(Milestone.task_id, Milestone.position, Milestone.id)
    ):
        milestones[r.task_id].append(
            MilestoneRow(r.id, r.due, r.text or "", r.kind, r.period, bool(r.estimate), r.window_start,
                         tuple(periods.get(r.task_id, ())) if r.kind == "recurring" else ())
        )

    tasks = tuple(
        TaskRow(
            id=r.id,
            table_id=r.table_id,
            no=r.no,
            seq=r.seq,
            category=r.category,
            title=r.title,
            content=r.content,
            leaders=tuple(leaders.get(r.id, ())),
            sections=tuple(sections.get(r.id, ())),
            units=tuple(r.units or ()),
            deadline_text=r.deadline_text,
            remarks=r.remarks,
            status=r.status,
            progress_percent=r.progress_percent,
            progress_text=r.progress_text,
            progress_at=r.progress_at,
            milestones=tuple(milestones.get(r.id, ())),
        )
        for r in await session.execute(
            select(
                Task.id, Task.table_id, Task.no, Task.seq, Task.category, Task.title, Task.content, Task.units,
                Task.deadline_text, Task.remarks, Task.status, Task.progress_percent, Task.progress_text,
                Task.progress_at,
            )
            .where(*task_filter)
            .order_by(Task.table_id, Task.seq, Task.id)
        )
    )
    return ExportData(tables, tasks)


def task_standing(task: TaskRow, today: date, cal: WorkCalendar, rules: Rules, tz: str) -> Standing:
    """The task's colour on ``today``, by the same rules as the conversation and the scheduler."""
    return stored_standing([m.facts() for m in task.milestones], today, cal, rules, tz,
                           status=task.status, percent=task.progress_percent, progress_at=task.progress_at)
