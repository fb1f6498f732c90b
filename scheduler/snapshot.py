"""The planner's input: plain data loaded with a dozen set-based queries (never one query per task)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.clock import UTC, from_local, local_date
from bot.db.models import (
    Account,
    ChatSubscription,
    Person,
    Snooze,
    Task,
    TaskEvent,
    TaskTable,
)
from bot.services.occurrences import load_states
from bot.services.status import MilestoneFacts
from scheduler.gcpause import paused_gc
from scheduler.ledger import SENT_WINDOW_DAYS, recorded

@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task of an active table, with what routing and colouring need."""

    id: int
    no: str
    title: str
    table_id: int
    status: str
    percent: int | None
    last_report: date | None
    done_on: date | None
    milestones: tuple[MilestoneFacts, ...]
    leaders: tuple[int, ...]
    sections: tuple[int, ...]
    # Tasks with equal milestones (kinds, periods, dates) share a shape, and with equal progress too a profile,
    # so the planner works out each deadline and colour once (-1: not interned, the planner computes it).
    shape: int = -1
    profile: int = -1
    # The milestones' own ids, in the order of ``milestones``: the facts themselves are shared by every task
    # of the same shape, so their ``id`` is 0 (notice keys take the ids from here).
    milestone_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A chat account: where a person (or an admin) can be written to."""

    channel: str
    external_id: str
    person_id: int | None
    lang: str | None
    unreachable: bool

    @property
    def key(self) -> str:
        """``telegram:123``."""
        return f"{self.channel}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A subscribed group chat and the sections it follows (None: all sections)."""

    channel: str
    chat_id: str
    title: str | None
    sections: frozenset[int] | None


@dataclass(slots=True)
class Snapshot:
    """Everything the planner reads, as plain values."""

    today: date
    tables: dict[int, str] = field(default_factory=dict)
    tasks: list[TaskRow] = field(default_factory=list)
    people: dict[int, str] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)
    # Per section: the members who are not heads, and the heads.
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)
    heads: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Per person: the account notices go to (reachable, most recently bound).
    accounts: dict[int, AccountRow] = field(default_factory=dict)
    # Every account by key (admins are listed by key in the settings).
    accounts_by_key: dict[str, AccountRow] = field(default_factory=dict)
    admins: tuple[str, ...] = ()
    # Channels that reach nobody who is not typing at that moment (by their capabilities): no notice goes there.
    silent: frozenset[str] = frozenset()
    acks: dict[tuple[int, int], date] = field(default_factory=dict)
    snoozes: dict[tuple[int, int], date] = field(default_factory=dict)
    groups: list[GroupRow] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)
    # The last ledger batch ``sent`` includes: enqueue drops the keys of later ones (scheduler.ledger).
    sent_upto: int = 0
    # Recurring tasks: who signed each period, by (task id, period key) (issue 9).
    period_acks: dict[tuple[int, str], frozenset[int]] = field(default_factory=dict)


async def load_snapshot(
    session: AsyncSession, today: date, *, tz: str = "Asia/Shanghai", admins: Sequence[str] = (),
    silent: frozenset[str] = frozenset(),
) -> Snapshot:
    """Load the planner's snapshot for ``today`` (local date) in a fixed number of queries."""
    with paused_gc():
        return await _load(session, today, tz, admins, silent)


async def _load(session: AsyncSession, today: date, tz: str, admins: Sequence[str], silent: frozenset[str]) -> Snapshot:
    snap = Snapshot(today=today, admins=tuple(admins), silent=silent)
    conn = await session.connection()
    raw = await _Raw.open(conn)
    snap.tables = dict(await raw.rows("SELECT id, title FROM task_tables WHERE active"))
    states = await load_states(conn, select(Task.id).where(*_live()))  # occurrences: rows only for periods signed, reported or waived
    snap.period_acks = states.acks
    await _load_tasks(raw, snap, tz, states.closed)
    snap.people = dict(await raw.rows("SELECT id, name FROM people"))
    snap.sections = dict(await raw.rows("SELECT id, name FROM sections"))
    members: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, list[int]] = defaultdict(list)
    for person_id, section_id, is_head in await raw.rows(
            "SELECT person_id, section_id, is_head FROM section_members ORDER BY section_id, person_id"):
        (heads if is_head else members)[section_id].append(person_id)
    snap.members = {k: tuple(v) for k, v in members.items()}
    snap.heads = {k: tuple(v) for k, v in heads.items()}

    await _load_accounts(conn, snap)

    open_tasks = select(Task.id).where(*_live(), Task.status == "open").scalar_subquery()
    for task_id, person_id, last in await _all(conn,
        select(TaskEvent.task_id, TaskEvent.person_id, func.max(TaskEvent.created_at))
        .where(TaskEvent.kind == "ack", TaskEvent.person_id.is_not(None), TaskEvent.task_id.in_(open_tasks))
        .group_by(TaskEvent.task_id, TaskEvent.person_id)
    ):
        # max() comes back as a naive string/datetime on SQLite; normalise through the column type.
        snap.acks[(task_id, person_id)] = local_date(_aware(last), tz)
    for task_id, person_id, until in await _all(conn,
        select(Snooze.task_id, Snooze.person_id, Snooze.until).where(Snooze.until >= today - timedelta(days=SENT_WINDOW_DAYS))
    ):
        snap.snoozes[(task_id, person_id)] = until

    groups: dict[tuple[str, str], tuple[str | None, set[int] | None]] = {}
    for channel, chat_id, section_id, title in await _all(conn,
        select(ChatSubscription.channel, ChatSubscription.chat_id, ChatSubscription.section_id, ChatSubscription.title).order_by(ChatSubscription.id)
    ):
        old_title, secs = groups.get((channel, chat_id), (title, set()))
        if secs is None or section_id is None:
            secs = None
        else:
            secs.add(section_id)
        groups[(channel, chat_id)] = (old_title or title, secs)
    snap.groups = [GroupRow(c, chat, title, None if secs is None else frozenset(secs)) for (c, chat), (title, secs) in groups.items()]

    since = from_local(datetime.combine(today - timedelta(days=SENT_WINDOW_DAYS), time()), tz)
    snap.sent, snap.sent_upto = await recorded(session, from_local(datetime.combine(today, time()), tz), since)
    return snap


def _live() -> tuple[Any, ...]:
    """Tasks the pass looks at: open or done, in an active table."""
    active = select(TaskTable.id).where(TaskTable.active.is_(True)).scalar_subquery()
    return (Task.table_id.in_(active), Task.status.in_(("open", "done")))


# The same condition as _live, for the plain SQL below (both databases read it alike).
_LIVE = "t.table_id IN (SELECT id FROM task_tables WHERE active) AND t.status IN ('open', 'done')"
_LIVE_IDS = f"SELECT t.id FROM tasks t WHERE {_LIVE}"
# Rows come in index order (task, id); the position puts a task's milestones in order. On SQLite a milestone's
# kind, period and dates come as one text: one value to read instead of four (dates are text there anyway),
# and the key its facts are shared by; asyncpg reads the four columns as fast.
_MILESTONES = ("SELECT m.task_id, m.id, m.position, {facts} FROM milestones m "
               f"WHERE m.task_id IN ({_LIVE_IDS}) ORDER BY m.task_id, m.id")
_FACTS = {
    "sqlite": "m.kind || '|' || ifnull(m.period, '') || '|' || ifnull(m.due, '') || '|' || ifnull(m.window_start, '')",
    "postgresql": "m.kind, m.period, m.due, m.window_start",
}
_TASKS = ("SELECT t.id, t.no, t.title, t.table_id, t.status, t.progress_percent, t.progress_at, t.done_at "
          f"FROM tasks t WHERE {_LIVE} ORDER BY t.table_id, t.seq, t.id")
_LINKS = f"SELECT x.task_id, x.position, x.{{column}} FROM {{table}} x WHERE x.task_id IN ({_LIVE_IDS}) ORDER BY x.task_id"
_RECURRING = -1


async def _load_tasks(raw: _Raw, snap: Snapshot, tz: str, closed: dict[int, frozenset[str]]) -> None:
    """Every live task as a TaskRow; what tasks have in common (milestone facts, their tuples, leader and section
    tuples, dates) is one object shared by all of them, so 100,000 tasks cost little more than their titles."""
    no_closed: frozenset[str] = frozenset()
    # Each distinct milestone (kind, period, dates; a recurring one with its closed periods) becomes one
    # MilestoneFacts, numbered; a task's shape is the tuple of its numbers (cheap to hash), and each shape has
    # one tuple of facts.
    numbers: dict[object, int] = {}
    facts: list[MilestoneFacts] = []
    shapes: dict[tuple[int, ...], tuple[int, tuple[MilestoneFacts, ...]]] = {}
    by_task: dict[int, tuple[tuple[int, tuple[MilestoneFacts, ...]], tuple[int, ...]]] = {}
    group: list[tuple[int, int, int]] = []  # (position, milestone id, fact number) of the task being read
    previous = None
    ordered = True
    text = raw.dialect != "postgresql"
    async for batch in raw.batches(_MILESTONES.format(facts=_FACTS["sqlite" if text else "postgresql"])):
        if not text:  # the four columns as one key
            batch = [(row[0], row[1], row[2], (row[3], row[4], row[5], row[6])) for row in batch]
        for task_id, mid, position, sig in batch:
            if task_id != previous:
                if previous is not None:
                    by_task[previous] = _grouped(group, ordered, shapes, facts)
                previous, group, ordered = task_id, [], True
            number = numbers.get(sig)
            if number is None:
                number = numbers[sig] = _fact(sig, no_closed, raw, facts)
            if number == _RECURRING:
                key = (sig, closed.get(task_id, no_closed))
                number = numbers.get(key)  # type: ignore[assignment]
                if number is None:
                    number = numbers[key] = _fact(sig, key[1], raw, facts, recurring=True)
            if group and position < group[-1][0]:
                ordered = False
            group.append((position, mid, number))
    if previous is not None:
        by_task[previous] = _grouped(group, ordered, shapes, facts)
    del group

    leaders = await _links(raw, "task_leaders", "person_id")
    sections = await _links(raw, "task_sections", "section_id")
    empty: tuple[int, ...] = ()
    nothing = (_shape(shapes, (), facts), empty)
    profiles: dict[tuple[object, ...], int] = {}
    moment = raw.moment
    tasks = snap.tasks
    async for batch in raw.batches(_TASKS):
        for tid, no, title, table_id, status, percent, progress_at, done_at in batch:
            (shape, milestones), milestone_ids = by_task.get(tid, nothing)
            last_report = local_date(moment(progress_at), tz) if progress_at else None
            profile = profiles.setdefault((shape, status, percent, last_report), len(profiles))
            tasks.append(TaskRow(tid, no, title, table_id, status, percent, last_report,
                                 local_date(moment(done_at), tz) if done_at else None, milestones, leaders.get(tid, empty),
                                 sections.get(tid, empty), shape, profile, milestone_ids))


def _fact(sig: str | tuple[Any, ...], closed: frozenset[str], raw: _Raw, facts: list[MilestoneFacts], *,
          recurring: bool = False) -> int:
    """Number a new milestone fact read from its columns or their text (_RECURRING: a recurring one, which is
    numbered with its closed periods)."""
    if isinstance(sig, str):
        kind, period, due_text, start_text = sig.split("|")
        period, due, start = period or None, raw.date(due_text or None), raw.date(start_text or None)
    else:
        kind, period, due, start = sig
    if kind == "recurring" and not recurring:
        return _RECURRING
    facts.append(MilestoneFacts(0, due, kind, period, start, closed))
    return len(facts) - 1


def _grouped(group: list[tuple[int, int, int]], ordered: bool, shapes: dict[tuple[int, ...], tuple[int, tuple[MilestoneFacts, ...]]],
             facts: list[MilestoneFacts]) -> tuple[tuple[int, tuple[MilestoneFacts, ...]], tuple[int, ...]]:
    """A task's shape and its milestone ids, in (position, id) order."""
    if not ordered:
        group.sort()
    return _shape(shapes, tuple([number for _, _, number in group]), facts), tuple([mid for _, mid, _ in group])


def _shape(shapes: dict[tuple[int, ...], tuple[int, tuple[MilestoneFacts, ...]]], numbers: tuple[int, ...],
           facts: list[MilestoneFacts]) -> tuple[int, tuple[MilestoneFacts, ...]]:
    """The shape of a task whose milestones have these fact numbers: its number and its shared facts."""
    found = shapes.get(numbers)
    if found is None:
        found = shapes[numbers] = (len(shapes), tuple(facts[n] for n in numbers))
    return found


async def _links(raw: _Raw, table: str, column: str) -> dict[int, tuple[int, ...]]:
    """Task id → its linked ids in position order (leaders, sections); equal tuples are one object."""
    out: dict[int, tuple[int, ...]] = {}
    single: dict[int, tuple[int, ...]] = {}  # value → (value,): most tasks have one leader and one section
    several: dict[int, list[tuple[int, int]]] = {}  # rows come by task: a task's second row starts its list
    previous, first, group = None, (0, 0), None
    async for batch in raw.batches(_LINKS.format(table=table, column=column)):
        for task_id, position, value in batch:
            if task_id == previous:
                if group is None:
                    group = several[task_id] = [first]
                group.append((position, value))
                continue
            previous, first, group = task_id, (position, value), None
            out[task_id] = single.get(value) or single.setdefault(value, (value,))
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    for task_id, links in several.items():
        links.sort()
        found = tuple([value for _, value in links])
        out[task_id] = shared.setdefault(found, found)
    return out


class _Raw:
    """Plain SQL straight on the driver under SQLAlchemy's connection (aiosqlite or asyncpg), in its transaction.

    SQLAlchemy's result machinery costs about a microsecond per row and cell; the pass reads half a million
    rows. Values come back as the driver gives them: timestamps as text on SQLite, which ``moment`` converts.
    Large results are read a batch at a time (``batches``): 300,000 milestone rows held at once were 70–80 MB.
    """

    def __init__(self, driver: Any, dialect: str, fallback: Any = None) -> None:
        self._driver = driver
        self.dialect = dialect
        self._fallback = fallback  # another driver: SQLAlchemy's exec_driver_sql
        self._dates: dict[str | None, date | None] = {None: None}

    @classmethod
    async def open(cls, conn: AsyncConnection) -> _Raw:
        """The reader for ``conn``'s driver (any other driver goes through SQLAlchemy's exec_driver_sql)."""
        dialect = conn.dialect
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        if dialect.name == "sqlite" and dialect.driver == "aiosqlite":
            return cls(driver, "sqlite")
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            if not driver.is_in_transaction():
                await conn.exec_driver_sql("SELECT 1")  # SQLAlchemy begins its transaction with the first statement
            return cls(driver, "postgresql")

        async def through_sqlalchemy(sql: str) -> list[Any]:
            return list((await conn.exec_driver_sql(sql)).all())

        return cls(None, dialect.name, through_sqlalchemy)

    async def rows(self, sql: str) -> list[Any]:
        """All rows of ``sql`` (no parameters)."""
        if self._fallback is not None:
            return await self._fallback(sql)  # type: ignore[no-any-return]
        if self.dialect == "sqlite":
            return list(await self._driver.execute_fetchall(sql))
        return list(await self._driver.fetch(sql))

    async def batches(self, sql: str) -> AsyncIterator[list[Any]]:
        """The rows of ``sql``, ``_BATCH`` at a time."""
        if self._fallback is not None or self.dialect not in ("sqlite", "postgresql"):
            yield await self.rows(sql)
            return
        if self.dialect == "sqlite":
            cursor = await self._driver.execute(sql)
            try:
                while batch := await cursor.fetchmany(_BATCH):
                    yield batch
            finally:
                await cursor.close()
            return
        cursor = await self._driver.cursor(sql)  # inside the transaction, as asyncpg's cursors must be
        while batch := await cursor.fetch(_BATCH):
            yield batch

    def date(self, text: str | None) -> date | None:
        """An ISO date (``2025-10-13``) as a date, each distinct one parsed once."""
        found = self._dates.get(text, _MISSING)
        if found is _MISSING:
            found = self._dates[text] = date.fromisoformat(text)  # type: ignore[arg-type]
        return found  # type: ignore[return-value]

    @staticmethod
    def moment(value: object) -> datetime:
        """A timestamp column's value (naive UTC; SQLite's as text) as an aware instant."""
        return _aware(value)


_MISSING = object()
_BATCH = 20_000


async def _all(conn: AsyncConnection, stmt) -> list[Any]:  # type: ignore[no-untyped-def]
    # fetchall in one go: iterating a cursor row by row costs a round of SQLAlchemy machinery per row.
    return list((await conn.execute(stmt)).all())


async def _load_accounts(conn: AsyncConnection, snap: Snapshot) -> None:
    rows = await _all(conn,
        select(Account.channel, Account.external_id, Account.person_id, Account.lang, Account.unreachable, Account.bound_at, Account.id)
    )
    best: dict[int, tuple[tuple[bool, datetime, int], AccountRow]] = {}
    floor = datetime.min.replace(tzinfo=None)
    preferred = dict((await conn.execute(select(Person.id, Person.preferred_channel).where(Person.preferred_channel.is_not(None)))).all())
    for channel, external_id, person_id, lang, unreachable, bound_at, aid in rows:
        account = AccountRow(channel, external_id, person_id, lang, bool(unreachable))
        snap.accounts_by_key[account.key] = account
        if person_id is None or account.unreachable or channel in snap.silent:
            continue
        # One account per person: on the channel they chose with /prefer, else the most recently bound one.
        rank = (channel == preferred.get(person_id), (bound_at.replace(tzinfo=None) if bound_at else floor), aid)
        if person_id not in best or rank > best[person_id][0]:
            best[person_id] = (rank, account)
    snap.accounts = {pid: acc for pid, (_, acc) in best.items()}


def _aware(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
