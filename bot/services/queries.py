"""What officials ask: my tasks by role, overdue, due soon, by section, by leader, search (one task: task_detail).

A listing takes two set-based queries, whatever its length. The first reads, per visible task, only what
filtering and sorting need: the earliest due date of its fixed milestones, stored on the task row
(``Task.fixed_due``), and the facts of its recurring milestones, whose current due date depends on today and
the working-day calendar and is worked out in Python. The second loads one page: titles, progress and
milestone facts of at most a page of tasks, coloured with ``bot.services.status``.

我的任务, the hot path, sorts in SQL too: its first query returns only the count, the recurring tasks and
the head of the others in listing order (see ``_my_tasks_query``), not a row per task, and reads what it sorts
by from the person's link rows (``bot.db.listing``) without looking up a task.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import aliased

from bot.db.clock import local_date
from bot.db.models import (
    Milestone,
    Occurrence,
    SectionMember,
    Task,
    TaskLeader,
    TaskSection,
    TaskTable,
)
from bot.services.fastread import fetch_rows
from bot.services.status import (
    MilestoneFacts,
    Rules,
    Standing,
    current_due,
    first_open,
    next_open,
    standing,
    tracks_periods,
)
from bot.services.subscriptions import ChatSections
from bot.services.visibility import Viewer, led_by, visible
from bot.workcal import WorkCalendar

# A non-working stretch can make a milestone due a few days ahead count as overdue (the due date is moved
# to the previous working day); this slack keeps such milestones among the SQL candidates.
_SLACK = timedelta(days=10)
_CHUNK = 500

ROLE_LEADER = "leader"
ROLE_SECTION = "section"


@dataclass(frozen=True, slots=True)
class Day:
    """The day a listing is for, with the calendar and colour rules that turn dates into colours."""

    today: date
    cal: WorkCalendar
    rules: Rules
    tz: str

    def days_to(self, due: date) -> int:
        """Working days from today to ``due`` (negative: overdue)."""
        return self.cal.working_days_between(self.today, due).value


class Entry(NamedTuple):
    """A listed task before its page is shown: what filtering and sorting need."""

    # A named tuple rather than a dataclass: a listing makes one per visible task, hundreds per request.
    id: int
    table_id: int
    seq: int
    status: str
    due: date | None
    role: str | None = None

    def key(self) -> tuple:
        """Led tasks first (in /mytasks), open before done, then by next due date (undated last), then table order."""
        return (self.role == ROLE_SECTION, self.status != "open", self.due or date.max, self.table_id, self.seq)


@dataclass(frozen=True, slots=True)
class TaskLine:
    """One line of a page: which task, how it stands, and (for /mytasks) in which role."""

    id: int
    table_id: int
    seq: int
    no: str
    title: str
    status: str
    standing: Standing
    role: str | None = None
    # A recurring task whose oldest open period is overdue: that period and the next one (我的任务 shows both).
    periods: tuple[PeriodNote, ...] = ()


@dataclass(frozen=True, slots=True)
class PeriodNote:
    """A period of a recurring task on a list line: its key, due date and working days left (negative: overdue)."""

    key: str
    due: date
    days_left: int


@dataclass(frozen=True, slots=True)
class TaskList:
    """A filtered, sorted listing of task entries; ``page`` turns a slice of it into lines.

    A ranked listing (``my_tasks``) holds only its first entries, with ``total`` saying how many there are
    and ``load`` fetching a longer head when a later page is asked for.
    """

    entries: list[Entry]
    total: int | None = None
    load: Callable[[int], Awaitable[TaskList]] | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        """How many tasks the listing holds (loaded or not)."""
        return len(self.entries) if self.total is None else self.total

    def pages(self, size: int) -> int:
        """How many pages of ``size`` lines (at least one)."""
        return max(1, -(-self.count // size))

    def ids(self) -> list[int]:
        """The loaded entries' ids, in order."""
        return [entry.id for entry in self.entries]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, with the newest active table (its tasks are #N, others #table/N)."""

    lines: list[TaskLine]
    number: int
    pages: int
    total: int
    newest_table: int | None


@lru_cache(maxsize=1)
def newest_table() -> Select:
    """A SELECT of the newest active table's id (``#N`` refers to its tasks); built once."""
    return (
        select(TaskTable.id)
        .where(TaskTable.active.is_(True))
        .order_by(TaskTable.imported_at.desc(), TaskTable.id.desc())
        .limit(1)
    )


async def newest_table_id(session: AsyncSession) -> int | None:
    """The newest active table: ``#N`` refers to its tasks."""
    rows = await fetch_rows(session, newest_table())
    return rows[0][0] if rows else None


async def typed_refs(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """How users type each task after a word (签收 11): ``11`` in the newest active table, ``3/11`` in table 3."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    newest = await newest_table_id(session)
    rows = await session.execute(select(Task.id, Task.table_id, Task.no).where(Task.id.in_(wanted)))
    return {task_id: no if table_id == newest else f"{table_id}/{no}" for task_id, table_id, no in rows}


def _active() -> ColumnElement[bool]:
    return Task.table_id.in_(select(TaskTable.id).where(TaskTable.active.is_(True)))


def _milestones_due_before(cutoff: date, *, recurring: bool) -> ColumnElement[bool]:
    # An alias: the listing query itself joins Milestone, and must not correlate with this one.
    m = aliased(Milestone)
    dated = and_(m.due.is_not(None), m.kind != "ongoing", m.due < cutoff)
    if recurring:
        dated = or_(dated, and_(m.kind == "recurring", m.due.is_not(None)))
    return exists().where(m.task_id == Task.id, dated)


def _light(where: ColumnElement[bool], statuses: Sequence[str], role: ColumnElement | None = None) -> Select:
    """Per task: id, table, seq, status, earliest fixed due date[, role], then its recurring milestones' facts.

    A task with recurring milestones gives one row per such milestone (their current due date depends on
    today, so it is worked out in Python); any other task gives one row with the milestone columns empty.
    """
    # Plain comparisons rather than IN lists keep the statement free of expanding parameters (see fastread).
    columns: list = [Task.id, Task.table_id, Task.seq, Task.status, Task.fixed_due]
    columns += [Milestone.id, Milestone.due, Milestone.kind, Milestone.period, Milestone.window_start, _closed_periods()]
    if role is not None:
        columns.append(role)
    recurring = and_(Milestone.task_id == Task.id, Milestone.kind == "recurring", Milestone.due.is_not(None))
    return (
        select(*columns)
        .outerjoin(Milestone, recurring)
        .where(or_(*(Task.status == status for status in statuses)), _active(), where)
    )


class _JoinedKeys(FunctionElement[str]):
    """Comma-joined strings of a column (aggregate_strings puts its separator in a post-compile parameter, which
    a prepared statement cannot hold)."""

    type = String()
    inherit_cache = True


@compiles(_JoinedKeys, "postgresql")
def _joined_keys_pg(element: _JoinedKeys, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


@compiles(_JoinedKeys)
def _joined_keys(element: _JoinedKeys, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


def _closed_periods(
    task_id: ColumnElement = Task.id, milestone_id: ColumnElement = Milestone.id, kind: ColumnElement = Milestone.kind
) -> ColumnElement:
    """Per recurring milestone row: the task's reported or waived period keys, comma-joined (other rows: NULL).

    In the same statement as the listing (CASE evaluates the subquery only for recurring rows), so a listing
    stays one prepared query; plain comparisons instead of IN keep it free of expanding parameters.
    """
    keys = (
        select(_JoinedKeys(Occurrence.period_key))
        .where(Occurrence.task_id == task_id, or_(Occurrence.state == "reported", Occurrence.state == "waived"))
        .scalar_subquery()
    )
    return case((and_(milestone_id.is_not(None), kind == "recurring"), keys), else_=None)


def _facts(row: Sequence[Any]) -> MilestoneFacts:
    """Milestone facts from (id, due, kind, period, window_start, closed keys "2026-Q1,2026-Q2" or None)."""
    return MilestoneFacts(row[0], row[1], row[2], row[3], row[4], frozenset(row[5].split(",")) if row[5] else frozenset())


async def _entries(
    session: AsyncSession, day: Day, query: Select, params: dict | None = None, *, prepared: bool = False
) -> list[Entry]:
    """Filterable, sortable entries; ``prepared`` statements (built once, plain parameters) take the fast path."""
    if prepared:
        rows = await fetch_rows(session, query, params)
    else:
        rows = list((await session.execute(query, params or {})).all())
    first: dict[int, Sequence[Any]] = {}
    dues: dict[int, date | None] = {}
    roles: dict[int, int] = {}
    for row in rows:
        task_id, due = row[0], row[4]
        if row[5] is not None:  # a recurring milestone: its current period's end may come first
            current = current_due(_facts(row[5:11]), day.today, day.cal)
            if current is not None and (due is None or current < due):
                due = current
        if task_id not in first:
            first[task_id], dues[task_id] = row, due
        elif due is not None and (dues[task_id] is None or due < dues[task_id]):  # type: ignore[operator]
            dues[task_id] = due
        if len(row) > 11 and row[11] < roles.get(task_id, 2):
            roles[task_id] = row[11]
    entries = [
        Entry(i, r[1], r[2], r[3], dues[i], None if i not in roles else (ROLE_LEADER if roles[i] == 0 else ROLE_SECTION))
        for i, r in first.items()
    ]
    entries.sort(key=Entry.key)
    return entries


@lru_cache(maxsize=8)
def _page_query(size: int) -> Select:
    """Details of up to ``size`` tasks (parameters id0…): a fixed shape, so it is prepared once."""
    ids = [bindparam(f"id{i}", type_=Integer) for i in range(size)]
    return (
        select(
            Task.id,
            Task.no,
            Task.title,
            Task.progress_percent,
            Task.progress_at,
            Milestone.id,
            Milestone.due,
            Milestone.kind,
            Milestone.period,
            Milestone.window_start,
            _closed_periods(),
            newest_table().scalar_subquery(),
        )
        .outerjoin(Milestone, Milestone.task_id == Task.id)
        .where(Task.id.in_(ids))
    )


async def page(session: AsyncSession, day: Day, listing: TaskList, number: int, size: int) -> Page:
    """Page ``number`` (0-based, clamped) of a listing, coloured, with the newest table (one query)."""
    pages = listing.pages(size)
    number = min(max(number, 0), pages - 1)
    end = (number + 1) * size
    if listing.load is not None and len(listing.entries) < min(end, listing.count):
        listing = await listing.load(end)
    chosen = listing.entries[number * size : end]
    if not chosen:
        return Page([], number, pages, listing.count, None)
    # Unused slots repeat the last id: the statement keeps one shape whatever the page's length.
    params = {f"id{i}": chosen[min(i, len(chosen) - 1)].id for i in range(size)}
    rows = await fetch_rows(session, _page_query(size), params)
    details: dict[int, Sequence[Any]] = {}
    facts: dict[int, list[MilestoneFacts]] = {}
    newest: int | None = None
    for row in rows:
        newest = row[11]
        if row[0] not in details:
            details[row[0]] = row
            facts[row[0]] = []
        if row[5] is not None:
            facts[row[0]].append(_facts(row[5:11]))
    lines: list[TaskLine] = []
    for entry in chosen:
        row = details[entry.id]
        last = local_date(row[4], day.tz) if row[4] is not None else None
        found = standing(
            facts[entry.id],
            day.today,
            day.cal,
            done=entry.status == "done",
            percent=row[3],
            last_report=last,
            rules=day.rules,
        )
        notes = period_notes(facts[entry.id], found, day) if entry.status == "open" else ()
        lines.append(TaskLine(entry.id, entry.table_id, entry.seq, row[1], row[2], entry.status, found, entry.role, notes))
    return Page(lines, number, pages, listing.count, newest)


def period_notes(milestones: Sequence[MilestoneFacts], found: Standing, day: Day) -> tuple[PeriodNote, ...]:
    """For a task whose standing comes from a recurring milestone's overdue period: that period and the next open one."""
    m = next((f for f in milestones if f.id == found.milestone_id), None)
    if m is None or not tracks_periods(m):
        return ()
    oldest, upcoming = first_open(m, day.cal), next_open(m, day.today, day.cal)
    notes = [PeriodNote(slot.key, slot.due, day.days_to(slot.due)) for slot in (oldest, upcoming) if slot is not None]
    if len(notes) == 2 and notes[0].key == notes[1].key:
        notes.pop()
    return tuple(notes)


# ---- the listings ----------------------------------------------------------------------------------------


HEAD = 20  # entries a ranked listing loads at first: its first page or two; page() loads more on demand


@lru_cache(maxsize=8)
def _my_tasks_query(group: str, lateral: bool) -> CompoundSelect:
    """/mytasks is the hot path: one statement, built once per shape, the person and the head's length parameters.

    It gathers the person's open tasks of active tables once (``mine``), each with its role (0 leads,
    1 section; the lower if both) and whether it has recurring milestones, and returns, marked by ``part``:
    0) how many tasks have none; 1) the recurring milestones of those that have (their current due date
    depends on the calendar and is worked out in Python); 2) the first ``upto`` of the others in listing
    order (their next due date is the task's ``fixed_due``). Everything but the recurring milestones is read
    from the link rows' copies of their tasks' keys (``bot.db.listing``), one index range per role: no task is
    looked up. ``lateral`` (PostgreSQL) looks each recurring task's milestones up by key.
    """
    person = bindparam("person", type_=Integer)
    opened = literal_column("true") if lateral else literal_column("1")
    reach = union_all(
        select(
            TaskLeader.task_id.label("id"),
            literal_column("0").label("role"),
            TaskLeader.task_recurs.label("recurs"),
            TaskLeader.task_due.label("fixed_due"),
            TaskLeader.task_table.label("table_id"),
            TaskLeader.task_seq.label("seq"),
        ).where(TaskLeader.person_id == person, TaskLeader.task_open == opened),
        select(
            TaskSection.task_id, literal_column("1"), TaskSection.task_recurs, TaskSection.task_due,
            TaskSection.task_table, TaskSection.task_seq,
        )
        .join(SectionMember, SectionMember.section_id == TaskSection.section_id)
        .where(SectionMember.person_id == person, TaskSection.task_open == opened),
    ).subquery("reach")
    # A task reached twice (led and in a section, or in two sections) counts once, in its lower role; its
    # other keys are the same on every link.
    same = (reach.c.id, reach.c.table_id, reach.c.seq, reach.c.fixed_due, reach.c.recurs)
    tasks = select(*same, func.min(reach.c.role).label("role")).group_by(*same)
    active = select(TaskTable.id).where(TaskTable.active.is_(True))
    tasks = tasks.where(reach.c.table_id.in_(active))
    if group == "some":
        tasks = tasks.where(
            reach.c.id.in_(
                select(TaskSection.task_id).where(TaskSection.section_id.in_(bindparam("sections", expanding=True)))
            )
        )
    mine = (
        tasks.cte("mine")
        # Read three times below, worked out once (SQLite materializes such a CTE by itself).
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    recurring = literal_column("'recurring'")
    m = aliased(Milestone)
    wanted = select(m.task_id, m.id, m.due, m.kind, m.period, m.window_start).where(m.kind == recurring)
    if lateral:
        milestones = wanted.where(m.task_id == mine.c.id).offset(0).lateral("m")
        m_on: ColumnElement[bool] = true()
    else:
        milestones = wanted.subquery("m")
        m_on = milestones.c.task_id == mine.c.id
    mc = milestones.c
    names = ("part", "id", "table_id", "seq", "fixed_due", "role", "mid", "due", "kind", "period", "window_start", "closed")
    types = (Integer, Integer, Integer, Integer, Date, Integer, Integer, Date, String, String, Date, String)

    def branch(*columns: Any) -> Select:
        # Every branch names and types its columns alike: NULLs typed, so that PostgreSQL can unite them.
        return select(*(
            (_null_of(kind) if column is None else column).label(name)
            for column, name, kind in zip(columns, names, types, strict=True)
        ))

    keys = (mine.c.id, mine.c.table_id, mine.c.seq, mine.c.fixed_due, mine.c.role)
    none = (None,) * 6
    head = (
        branch(literal_column("2"), *keys, *none)
        .where(not_(mine.c.recurs))
        .order_by(mine.c.role, mine.c.fixed_due.is_(None), mine.c.fixed_due, mine.c.table_id, mine.c.seq)
        .limit(bindparam("upto", type_=Integer))
        .subquery("head")
    )
    return union_all(
        branch(literal_column("0"), func.count(), None, None, None, None, *none).where(not_(mine.c.recurs)),
        branch(literal_column("1"), *keys, mc.id, mc.due, mc.kind, mc.period, mc.window_start,
               _closed_periods(mine.c.id, mc.id, mc.kind))
        .select_from(mine)
        .join(milestones, m_on)
        .where(mine.c.recurs),
        select(head),
    )


def _null_of(kind: Any) -> ColumnElement:
    """A NULL of a given SQL type (a UNION's branches must agree on their columns' types)."""
    return cast(null(), kind)


async def my_tasks(
    session: AsyncSession, day: Day, person_id: int, *, group: ChatSections | None = None, upto: int = HEAD
) -> TaskList:
    """A person's open tasks: those they lead (牵头领导) first, then their sections' (牵头股室); by next due.

    Only the first ``upto`` entries are loaded (with the total); ``page`` loads further ones when asked.
    """
    params: dict[str, object] = {"person": person_id}
    if group is None or group.everything:
        shape = "all"
    elif group.empty:
        return TaskList([])
    else:
        shape = "some"
        params["sections"] = sorted(group.section_ids)
    query = _my_tasks_query(shape, session.bind.dialect.name == "postgresql")

    async def load(length: int) -> TaskList:
        values = {**params, "upto": max(length, 1)}
        if shape == "all":
            rows = await fetch_rows(session, query, values)
        else:  # a group's sections are an IN list: not a prepared statement
            rows = list((await session.execute(query, values)).all())
        return _ranked(rows, day, length, load)

    return await load(upto)


@lru_cache(maxsize=4096)
def _recurring_due(
    due: date | None, kind: str, period: str | None, window_start: date | None, closed: str | None, today: date,
    cal: WorkCalendar,
) -> date | None:
    """A recurring milestone's current due date from its row's facts (closed keys as read, comma-joined).

    A pure function of its arguments, so remembering it is never stale: the members of a section ask about the
    same milestones, and each asks again, and this saves most of the Python time of a 我的任务 request.
    """
    return current_due(_facts((0, due, kind, period, window_start, closed)), today, cal)


def _ranked(
    rows: Sequence[Sequence[Any]], day: Day, length: int, load: Callable[[int], Awaitable[TaskList]]
) -> TaskList:
    """The head of a ranked listing from ``_my_tasks_query``'s rows: recurring tasks placed among the plain ones."""
    plain: list[Entry] = []
    others = 0
    dues: dict[int, date | None] = {}
    first: dict[int, Sequence[Any]] = {}
    for row in rows:
        if row[0] == 0:
            others = row[1]
        elif row[0] == 2:  # a task without recurring milestones, already in listing order
            plain.append(Entry(row[1], row[2], row[3], "open", row[4], ROLE_LEADER if row[5] == 0 else ROLE_SECTION))
        else:  # a recurring milestone: its current period's end may come before the task's fixed dates
            due = dues.get(row[1], row[4])
            first.setdefault(row[1], row)
            current = _recurring_due(*row[7:12], day.today, day.cal)
            dues[row[1]] = current if current is not None and (due is None or current < due) else due
    recurring = [
        Entry(i, r[2], r[3], "open", dues[i], ROLE_LEADER if r[5] == 0 else ROLE_SECTION) for i, r in first.items()
    ]
    # Beyond the head, plain tasks not loaded may come before some recurring ones: cut at the head's length.
    entries = sorted(plain + recurring, key=Entry.key)[:length] if recurring else plain
    return TaskList(entries, others + len(recurring), load)


async def overdue(session: AsyncSession, day: Day, viewer: Viewer) -> TaskList:
    """Visible open tasks past their next due date (red)."""
    # Recurring milestones are candidates too: a missed period stays overdue until reported or waived.
    where = and_(visible(viewer), _milestones_due_before(day.today + _SLACK, recurring=True))
    entries = await _entries(session, day, _light(where, ("open",)))
    return TaskList([e for e in entries if e.due is not None and day.days_to(e.due) < 0])


async def due_within(session: AsyncSession, day: Day, viewer: Viewer, days: int) -> TaskList:
    """Visible open tasks whose next due date is within ``days`` working days (today included, overdue excluded)."""
    until = day.cal.add_working_days(day.today, days).value if days > 0 else day.today
    where = and_(visible(viewer), _milestones_due_before(until + _SLACK, recurring=True))
    entries = await _entries(session, day, _light(where, ("open",)))
    return TaskList([e for e in entries if e.due is not None and 0 <= day.days_to(e.due) <= days])


async def due_this_week(session: AsyncSession, day: Day, viewer: Viewer) -> TaskList:
    """Visible open tasks whose next due date falls between today and this Sunday."""
    sunday = day.today + timedelta(days=6 - day.today.weekday())
    where = and_(visible(viewer), _milestones_due_before(sunday + _SLACK, recurring=True))
    entries = await _entries(session, day, _light(where, ("open",)))
    return TaskList([e for e in entries if e.due is not None and e.due <= sunday and day.days_to(e.due) >= 0])


async def by_section(session: AsyncSession, day: Day, viewer: Viewer, section_id: int) -> TaskList:
    """Visible open tasks of one section."""
    where = and_(visible(viewer), Task.id.in_(select(TaskSection.task_id).where(TaskSection.section_id == section_id)))
    return TaskList(await _entries(session, day, _light(where, ("open",))))


async def by_leader(session: AsyncSession, day: Day, viewer: Viewer, person_id: int) -> TaskList:
    """Visible open tasks one person leads."""
    return TaskList(await _entries(session, day, _light(and_(visible(viewer), led_by(person_id)), ("open",))))


async def search(session: AsyncSession, day: Day, viewer: Viewer, term: str) -> TaskList:
    """Visible open and done tasks whose title or content contains ``term`` (literally; % and _ match themselves)."""
    text = or_(Task.title.icontains(term, autoescape=True), Task.content.icontains(term, autoescape=True))
    return TaskList(await _entries(session, day, _light(and_(visible(viewer), text), ("open", "done"))))
