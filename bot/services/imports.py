"""Importing a responsibility table: parse, preview (with the diff against a revised table), apply all or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Milestone,
    PendingImport,
    Person,
    Section,
    Task,
    TaskEvent,
    TaskLeader,
    TaskSection,
    TaskTable,
    earliest_fixed_due,
)
from bot.services.import_plan import PlannedTask, document_year, plan_tasks, table_title
from bot.tableimport import ImportFailure, ImportLimits, ParsedTable, Problem, read_table

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class TableDiff:
    """How a revised table differs from the one already loaded, by 序号."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """Everything an admin sees before confirming an import."""

    filename: str
    source_hash: str
    parsed: ParsedTable
    year: int
    year_guessed: bool
    year_source: str  # override, title, doc_number, issued, heading, filename or guessed
    title: str
    tasks: tuple[PlannedTask, ...]
    people: tuple[str, ...]
    sections: tuple[str, ...]
    new_people: tuple[str, ...]
    new_sections: tuple[str, ...]
    milestones: int
    default_only: int
    replaces: int | None
    diff: TableDiff | None

    @property
    def unassigned(self) -> int:
        """How many tasks have neither a lead leader nor a lead section."""
        return sum(1 for task in self.tasks if not task.leaders and not task.sections)


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n))


async def prepare_import(
    session: AsyncSession,
    data: bytes,
    filename: str,
    *,
    now: datetime,
    year: int | None = None,
    limits: ImportLimits = ImportLimits(),
    columns: str | None = None,
) -> ImportPreview:
    """Parse and plan a table file and compare it with what is loaded; raises ImportFailure on bad input."""
    parsed = read_table(data, filename, limits=limits, columns=columns)
    if year is not None and not 1990 <= year <= 2100:
        raise ImportFailure((Problem("import.bad_year", {"file": filename, "year": year}),))
    doc_year, year_source = document_year(parsed, year, now.year)
    tasks = tuple(plan_tasks(parsed, doc_year))
    people = _unique([name for task in tasks for name in task.leaders])
    sections = _unique([name for task in tasks for name in task.sections])
    known_people = set((await session.scalars(select(Person.name).where(Person.name.in_(people)))).all()) if people else set()
    known_sections = (
        set((await session.scalars(select(Section.name).where(Section.name.in_(sections)))).all()) if sections else set()
    )
    title = table_title(parsed)
    old = await _matching_table(session, title, doc_year, tasks if parsed.title is None else None)
    diff = await _diff(session, old, tasks) if old is not None else None
    return ImportPreview(
        filename=filename,
        source_hash=hashlib.sha256(data).hexdigest(),
        parsed=parsed,
        year=doc_year,
        year_guessed=year_source == "guessed",
        year_source=year_source,
        title=title,
        tasks=tasks,
        people=people,
        sections=sections,
        new_people=tuple(p for p in people if p not in known_people),
        new_sections=tuple(s for s in sections if s not in known_sections),
        milestones=sum(len(task.milestones) for task in tasks),
        default_only=sum(1 for task in tasks if task.default_only),
        replaces=old.id if old is not None else None,
        diff=diff,
    )


async def _matching_table(
    session: AsyncSession, title: str, year: int, untitled: tuple[PlannedTask, ...] | None
) -> TaskTable | None:
    same_title = await session.scalar(
        select(TaskTable)
        .where(TaskTable.title == title, TaskTable.year == year, TaskTable.active.is_(True))
        .order_by(TaskTable.id.desc())
        .limit(1)
    )
    if same_title is not None or untitled is None:
        return same_title
    # A file without a title row (CSV) names nothing to match, so a revision is recognised by its rows:
    # the active table of that year sharing most (序号, content) pairs, if at least half of them.
    wanted = {(task.no, task.content) for task in untitled}
    best, best_overlap = None, 0
    for table in await session.scalars(select(TaskTable).where(TaskTable.year == year, TaskTable.active.is_(True))):
        rows = await session.execute(select(Task.no, Task.content).where(Task.table_id == table.id, Task.status != "removed"))
        pairs = {(no, content) for no, content in rows}
        overlap = len(wanted & pairs)
        if overlap > best_overlap and overlap * 2 >= min(len(wanted), len(pairs)):
            best, best_overlap = table, overlap
    return best


def _fingerprint(task: Task) -> tuple:
    return (
        task.category,
        task.content,
        tuple(link.person.name for link in task.leaders),
        tuple(link.section.name for link in task.sections),
        tuple(task.units or ()),
        task.deadline_text,
        task.remarks,
    )


def _planned_fingerprint(task: PlannedTask) -> tuple:
    return (
        task.category,
        task.content,
        task.leaders,
        task.sections,
        task.units,
        task.deadline_text,
        task.remarks,
    )


async def _old_tasks(session: AsyncSession, table_id: int) -> dict[str, Task]:
    rows = await session.scalars(select(Task).where(Task.table_id == table_id, Task.status != "removed"))
    return {task.no: task for task in rows}


async def _diff(session: AsyncSession, old: TaskTable, tasks: tuple[PlannedTask, ...]) -> TableDiff:
    before = await _old_tasks(session, old.id)
    after = {task.no: task for task in tasks}
    added = tuple(no for no in after if no not in before)
    removed = tuple(no for no in before if no not in after)
    changed = tuple(
        no for no, task in after.items() if no in before and _fingerprint(before[no]) != _planned_fingerprint(task)
    )
    unchanged = len(after) - len(added) - len(changed)
    return TableDiff(added, removed, changed, unchanged)


async def _ids_by_name(session: AsyncSession, model: type[Person] | type[Section], names: tuple[str, ...], now: datetime) -> dict[str, int]:
    if not names:
        return {}
    rows = await session.execute(select(model.name, model.id).where(model.name.in_(names)))
    found: dict[str, int] = {name: ident for name, ident in rows.all()}
    missing = [name for name in names if name not in found]
    if missing:
        await session.execute(insert(model), [{"name": name, "created_at": now} for name in missing])
        rows = await session.execute(select(model.name, model.id).where(model.name.in_(missing)))
        found.update({name: ident for name, ident in rows.all()})
    return found


async def apply_import(
    session: AsyncSession,
    preview: ImportPreview,
    *,
    now: datetime,
    actor: str,
    channel: str = "cli",
    progress: Progress | None = None,
) -> TaskTable:
    """Store the previewed table in the session's transaction: a new table, or a revision of the matching one."""
    people = await _ids_by_name(session, Person, preview.people, now)
    sections = await _ids_by_name(session, Section, preview.sections, now)
    window_start = preview.parsed.issued or now.date()
    if preview.replaces is None:
        table = TaskTable(
            title=preview.title,
            issuer=preview.parsed.issuer,
            year=preview.year,
            issued=preview.parsed.issued,
            source_name=preview.filename,
            source_hash=preview.source_hash,
            source_format=preview.parsed.format,
            columns=[column.header for column in preview.parsed.columns],
            active=True,
            imported_at=now,
            updated_at=now,
        )
        session.add(table)
        await session.flush()
        await _insert_tasks(session, table.id, preview.tasks, people, sections, window_start, now, progress)
        return table
    table = await session.get_one(TaskTable, preview.replaces)
    table.source_name, table.source_hash = preview.filename, preview.source_hash
    table.source_format = preview.parsed.format
    table.columns = [column.header for column in preview.parsed.columns]
    table.issuer = preview.parsed.issuer or table.issuer
    table.issued = preview.parsed.issued or table.issued
    table.updated_at = now
    await _revise(session, table, preview, people, sections, window_start, now, actor, channel, progress)
    return table


def _task_row(table_id: int, task: PlannedTask, now: datetime) -> dict:
    return {
        "table_id": table_id,
        "no": task.no,
        "seq": task.seq,
        "category": task.category,
        "title": task.title,
        "content": task.content,
        "units": list(task.units),
        "deadline_text": task.deadline_text,
        "remarks": task.remarks,
        "source_line": task.line,
        "status": "open",
        "fixed_due": earliest_fixed_due(task.milestones),
        "created_at": now,
        "updated_at": now,
    }


def _milestone_rows(task_id: int, task: PlannedTask, window_start: date) -> list[dict]:
    return [
        {
            "task_id": task_id,
            "position": position,
            "due": m.due,
            "original_due": m.due,
            "text": m.text,
            "kind": m.kind,
            "period": m.period,
            "estimate": m.estimate,
            "window_start": window_start,
        }
        for position, m in enumerate(task.milestones)
    ]


def _link_rows(task_id: int, task: PlannedTask, people: dict[str, int], sections: dict[str, int]) -> tuple[list[dict], list[dict]]:
    leaders = [
        {"task_id": task_id, "person_id": people[name], "position": i} for i, name in enumerate(dict.fromkeys(task.leaders))
    ]
    links = [
        {"task_id": task_id, "section_id": sections[name], "position": i}
        for i, name in enumerate(dict.fromkeys(task.sections))
    ]
    return leaders, links


CHUNK = 2000


async def _insert_tasks(
    session: AsyncSession,
    table_id: int,
    tasks: tuple[PlannedTask, ...],
    people: dict[str, int],
    sections: dict[str, int],
    window_start: date,
    now: datetime,
    progress: Progress | None,
) -> None:
    if not tasks:
        return
    # Core executemany without RETURNING: SQLite would fall back to one statement per row to keep RETURNING
    # in parameter order. (table, 序号) is unique, so the ids are read back by number in one query instead.
    for start in range(0, len(tasks), CHUNK):
        await session.execute(insert(Task.__table__), [_task_row(table_id, t, now) for t in tasks[start : start + CHUNK]])
    wanted = {t.no for t in tasks}
    rows = await session.execute(select(Task.no, Task.id).where(Task.table_id == table_id))
    ids = {no: ident for no, ident in rows if no in wanted}
    for start in range(0, len(tasks), CHUNK):
        chunk = tasks[start : start + CHUNK]
        leaders: list[dict] = []
        links: list[dict] = []
        milestones: list[dict] = []
        for task in chunk:
            task_leaders, task_sections = _link_rows(ids[task.no], task, people, sections)
            leaders += task_leaders
            links += task_sections
            milestones += _milestone_rows(ids[task.no], task, window_start)
        for model, batch in ((TaskLeader, leaders), (TaskSection, links), (Milestone, milestones)):
            if batch:
                await session.execute(insert(model.__table__), batch)
        if progress:
            progress(len(chunk))


async def _revise(
    session: AsyncSession,
    table: TaskTable,
    preview: ImportPreview,
    people: dict[str, int],
    sections: dict[str, int],
    window_start: date,
    now: datetime,
    actor: str,
    channel: str,
    progress: Progress | None,
) -> None:
    before = await _old_tasks(session, table.id)
    after = {task.no: task for task in preview.tasks}
    diff = preview.diff or TableDiff((), (), (), 0)

    def _event(task_id: int, change: str) -> TaskEvent:
        return TaskEvent(task_id=task_id, actor=actor, channel=channel, kind="import_change",
                         text=change, data={"source": preview.filename}, created_at=now)

    for no in diff.removed:
        task = before[no]
        task.status, task.updated_at = "removed", now
        session.add(_event(task.id, "removed"))
    new = tuple(after[no] for no in diff.added)
    # Reused 序号 of a removed row: bring the old row back rather than collide with the unique (table, no).
    revived: dict[str, Task] = {}
    if new:
        dropped = select(Task).where(
            Task.table_id == table.id, Task.status == "removed", Task.no.in_([t.no for t in new])
        )
        revived = {t.no: t for t in await session.scalars(dropped)}
    for no, planned in after.items():
        task = before.get(no) or revived.get(no)
        if task is None:
            continue
        task.seq = planned.seq
        task.source_line = planned.line
        if no in revived:
            task.status = "open"
            session.add(_event(task.id, "restored"))
        if no in diff.changed or no in revived:
            _update_task(task, planned, people, sections, window_start, now)
            session.add(_event(task.id, "changed"))
    fresh = tuple(t for t in new if t.no not in revived)
    await session.flush()
    await _insert_tasks(session, table.id, fresh, people, sections, window_start, now, progress)
    if fresh:
        ids = await session.execute(select(Task.id).where(Task.table_id == table.id, Task.no.in_([t.no for t in fresh])))
        session.add_all(_event(task_id, "added") for task_id in ids.scalars())


def _update_task(
    task: Task, planned: PlannedTask, people: dict[str, int], sections: dict[str, int], window_start: date, now: datetime
) -> None:
    task.category, task.title, task.content = planned.category, planned.title, planned.content
    task.units, task.deadline_text, task.remarks = list(planned.units), planned.deadline_text, planned.remarks
    task.updated_at = now
    task.leaders = [TaskLeader(person_id=people[name], position=i) for i, name in enumerate(dict.fromkeys(planned.leaders))]
    task.sections = [
        TaskSection(section_id=sections[name], position=i) for i, name in enumerate(dict.fromkeys(planned.sections))
    ]
    # An approved extension moved a milestone: keep it where the milestone itself is unchanged.
    moved = {(m.kind, m.text, m.original_due): m.due for m in task.milestones if m.due != m.original_due}
    task.milestones = [
        Milestone(
            position=i,
            due=moved.get((m.kind, m.text, m.due), m.due),
            original_due=m.due,
            text=m.text,
            kind=m.kind,
            period=m.period,
            estimate=m.estimate,
            window_start=window_start,
        )
        for i, m in enumerate(planned.milestones)
    ]


# ---- held uploads: the file an admin previewed, applied (or dropped) when they press a button ----------

PENDING_VALID = timedelta(days=1)


async def claim_pending(session: AsyncSession, token: str, now: datetime) -> PendingImport | None:
    """Take a held upload off the list, so a double press applies it once; None when gone or expired."""
    pending = await session.scalar(select(PendingImport).where(PendingImport.token == token))
    if pending is None:
        return None
    gone = await session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    if not cast(CursorResult, gone).rowcount or pending.created_at + PENDING_VALID < now:
        return None
    return pending


@dataclass(frozen=True, slots=True)
class Applied:
    """What a confirmed import did, as plain data (it outlives the worker's session)."""

    title: str
    tasks: int
    diff: TableDiff | None


async def apply_pending(
    session: AsyncSession, token: str, *, now: datetime, limits: ImportLimits, actor: str, channel: str
) -> Applied | ImportFailure | None:
    """Read the held upload again, claim it and apply it in ``session``'s transaction, all or nothing.

    None when the upload is gone or expired (or another press claimed it first). The file is read before
    the claim, so that on SQLite the write lock is held only while the rows are written. A refused file is
    returned, not raised, so that its claim still commits (the held file is used up) while the tables stay
    as they were.
    """
    held = await session.scalar(select(PendingImport).where(PendingImport.token == token))
    if held is None:
        return None
    try:
        preview = await prepare_import(session, held.data, held.filename, now=now, year=held.year, limits=limits,
                                       columns=held.columns)
    except ImportFailure as failure:
        return failure if await claim_pending(session, token, now) is not None else None
    if await claim_pending(session, token, now) is None:
        return None
    table = await apply_import(session, preview, now=now, actor=actor, channel=channel)
    return Applied(table.title, len(preview.tasks), preview.diff)


from bot.services.import_preview import render_preview  # noqa: E402  (re-exported; it needs ImportPreview above)

__all__ = [
    "Applied",
    "ImportFailure",
    "ImportPreview",
    "TableDiff",
    "apply_import",
    "apply_pending",
    "claim_pending",
    "prepare_import",
    "render_preview",
]
