"""One task: how users refer to it (#11, 2/11), finding it, and everything its detail view shows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.db.clock import local_date
from bot.db.models import ExtensionRequest, Milestone, Person, Task, TaskEvent, TaskLeader, TaskSection, TaskTable
from bot.ids import parse_id
from bot.services.occurrences import PeriodLine, task_facts, task_periods
from bot.services.queries import Day, newest_table, newest_table_id
from bot.services.status import Standing, current_due, standing


def parse_ref(ref: str) -> tuple[int | None, str] | None:
    """``11``/``#11`` → (None, "11"); ``2/11`` → (2, "11") for table 2; anything else → None.

    Full-width digits and signs (``＃１１``, ``２／１１``) from a Chinese keyboard read as their ASCII twins.
    """
    text = unicodedata.normalize("NFKC", ref).strip().lstrip("#").strip()
    table: int | None = None
    if "/" in text:
        head, _, text = text.partition("/")
        table = parse_id(head)
        if table is None:
            return None
    if not text or len(text) > 20 or any(ch.isspace() for ch in text):
        return None
    return table, text


async def find_task(session: AsyncSession, ref: str) -> Task | None:
    """The task a user means by ``#N`` (newest active table) or ``T/N`` (table T); removed rows are not found."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    table, no = parsed
    which = newest_table().scalar_subquery() if table is None else table
    # One statement: the newest table inline, and the collections callers read joined rather than selected
    # one query each (a task has a few leaders, sections and milestones).
    found = await session.scalars(
        select(Task)
        .where(Task.table_id == which, Task.no == no, Task.status != "removed")
        .options(joinedload(Task.leaders), joinedload(Task.sections), joinedload(Task.milestones))
    )
    return found.unique().first()


@dataclass(frozen=True, slots=True)
class EventLine:
    """One entry of a task's history."""

    at: datetime
    kind: str
    actor: str
    channel: str
    person: str | None
    percent: int | None
    text: str | None
    data: dict


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    """A milestone with the date it asks for now (a recurring one: the current period's end)."""

    milestone: Milestone
    current: date | None


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """Everything the detail view shows."""

    task: Task
    table: TaskTable
    newest_table: int | None
    standing: Standing
    milestones: list[MilestoneLine]
    events: list[EventLine]
    pending: list[ExtensionRequest] = field(default_factory=list)
    more_events: int = 0
    periods: list[PeriodLine] = field(default_factory=list)


async def task_detail(session: AsyncSession, day: Day, task_id: int, *, events: int = 10) -> TaskDetail:
    """A task with its table, roles, milestones, latest history and pending extension requests."""
    task = await session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(
            selectinload(Task.leaders).joinedload(TaskLeader.person),
            selectinload(Task.sections).joinedload(TaskSection.section),
            selectinload(Task.milestones),
        )
    )
    if task is None:
        raise LookupError(task_id)
    table = await session.get_one(TaskTable, task.table_id)
    facts = await task_facts(session, task)
    last = local_date(task.progress_at, day.tz) if task.progress_at else None
    found = standing(
        facts,
        day.today,
        day.cal,
        done=task.status == "done",
        percent=task.progress_percent,
        last_report=last,
        rules=day.rules,
    )
    lines = [MilestoneLine(m, current_due(f, day.today, day.cal)) for m, f in zip(task.milestones, facts, strict=True)]
    rows = (
        await session.execute(
            select(TaskEvent, Person.name)
            .outerjoin(Person, Person.id == TaskEvent.person_id)
            .where(TaskEvent.task_id == task.id)
            .order_by(TaskEvent.created_at.desc(), TaskEvent.id.desc())
            .limit(events + 1)
        )
    ).all()
    history = [
        EventLine(e.created_at, e.kind, e.actor, e.channel, name, e.percent, e.text, dict(e.data or {}))
        for e, name in rows[:events]
    ]
    pending = (
        await session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.task_id == task.id, ExtensionRequest.status == "pending")
            .order_by(ExtensionRequest.id)
        )
    ).all()
    more = 0
    if len(rows) > events:
        total = await session.scalar(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task.id))
        more = int(total or 0) - events
    periods = await task_periods(session, task, day.today, day.cal)
    return TaskDetail(task, table, await newest_table_id(session), found, lines, history, list(pending), more, periods)
