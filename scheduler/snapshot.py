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
from bot.db.fold import fold_sql
from bot.db.models import (
    Account,
    ChatSubscription,
    Person,
    Snooze,
    Task,
    TaskEvent,
    TaskTable,
)
from bot.services.occurrences import CLOSED_STATES, period_acks
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
    # Occurrences: who signed each period (the closed periods come with each task's row).
    snap.period_acks = await period_acks(conn)
    await _load_tasks(raw, snap, tz)
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
# One row per task, its milestones, links and closed periods folded into text: the pass reads 100,000 rows,
# not 600,000 (Python's cost is per row and value). The milestones come folded on the task row (tasks.schedule,
# kept by the database's triggers, see bot.db.fold; folded here only where it is missing); leaders and sections
# are ``position:id`` joined by ``,``, and a recurring task's closed (reported or waived) period keys joined by
# ``,``. The database folds in whatever order it reads, so the text carries the positions and is put in order
# in Python, once per distinct text (tasks share a handful). SQLite is fastest with a subquery per task,
# PostgreSQL with one grouped scan per table.
_FOLD = {
    "sqlite": ("{v}", "group_concat({item}, '{sep}')"),
    "postgresql": ("{v}::text", "string_agg({item}, '{sep}')"),
}
_TASK_COLUMNS = "t.id, t.no, t.title, t.table_id, t.seq, t.status, t.progress_percent, t.progress_at, t.done_at"
# PostgreSQL gets no ORDER BY: sorting 100,000 wide rows made it work 0.3 s (on disk) before the first row came,
# a burst on the server the chats' queries waited behind; unsorted, rows stream as they are read, mostly in id
# order (the merge joins walk it), which is the tables' order unless a revision inserted rows, and _load_tasks
# sorts them when they are not. SQLite sorts them as cheaply as it reads them.
_TASK_ORDER = {"sqlite": f"WHERE {_LIVE} ORDER BY t.table_id, t.seq, t.id", "postgresql": f"WHERE {_LIVE}"}


def _task_rows(dialect: str) -> str:
    """The tasks' rows with their milestones, leaders, sections and closed periods folded, in ``dialect``'s SQL."""
    postgres = dialect == "postgresql"
    as_text, agg = _FOLD["postgresql" if postgres else "sqlite"]
    value = lambda column: as_text.format(v=column)  # noqa: E731
    milestones = f"coalesce(t.schedule, {fold_sql('postgresql' if postgres else 'sqlite', 't.id')})"
    leaders = agg.format(item=f"{value('x.position')} || ':' || {value('x.person_id')}", sep=",")
    sections = agg.format(item=f"{value('x.position')} || ':' || {value('x.section_id')}", sep=",")
    closed = agg.format(item="o.period_key", sep=",")
    closed_states = f"o.state IN ({', '.join(repr(state) for state in CLOSED_STATES)})"
    if not postgres:
        return (f"SELECT {_TASK_COLUMNS}, {milestones}, "
                f"(SELECT {leaders} FROM task_leaders x WHERE x.task_id = t.id), "
                f"(SELECT {sections} FROM task_sections x WHERE x.task_id = t.id), "
                f"(SELECT {closed} FROM occurrences o WHERE o.task_id = t.id AND {closed_states}) "
                f"FROM tasks t {_TASK_ORDER['sqlite']}")
    return (f"SELECT {_TASK_COLUMNS}, {milestones}, l.v, s.v, c.v FROM tasks t "
            f"LEFT JOIN (SELECT x.task_id, {leaders} AS v FROM task_leaders x GROUP BY x.task_id) l ON l.task_id = t.id "
            f"LEFT JOIN (SELECT x.task_id, {sections} AS v FROM task_sections x GROUP BY x.task_id) s ON s.task_id = t.id "
            f"LEFT JOIN (SELECT o.task_id, {closed} AS v FROM occurrences o WHERE {closed_states} GROUP BY o.task_id) c "
            f"ON c.task_id = t.id {_TASK_ORDER['postgresql']}")


_NO_SHAPE: tuple[int, tuple[MilestoneFacts, ...], tuple[int, ...] | None, bool] = (0, (), None, False)


async def _load_tasks(raw: _Raw, snap: Snapshot, tz: str) -> None:
    """Every live task as a TaskRow; what tasks have in common (milestone facts and their tuples, leader and
    section tuples, dates) is one object shared by all of them, so 100,000 tasks cost little more than their titles."""
    no_closed: frozenset[str] = frozenset()
    empty: tuple[int, ...] = ()
    # Milestones' text (without ids) → (shape number, facts in position order, the order of the ids when it
    # differs from the text's, whether a fact is recurring); a recurring task's shape also depends on its closed
    # periods, so those are numbered per (text, closed).
    shapes: dict[object, tuple[int, tuple[MilestoneFacts, ...], tuple[int, ...] | None, bool]] = {"": _NO_SHAPE}
    pool = _Pool()
    links: dict[str | None, tuple[int, ...]] = {None: empty}
    closed: dict[str | None, frozenset[str]] = {None: no_closed}
    profiles: dict[tuple[object, ...], int] = {}
    moment = raw.moment
    tasks = snap.tasks
    seqs: list[int] = []
    ordered, last = True, (-1, -1, -1)
    async for batch in raw.batches(_task_rows(raw.dialect)):
        for tid, no, title, table_id, seq, status, percent, progress_at, done_at, folded, leader_text, section_text, closed_text in batch:
            seqs.append(seq)
            place = (table_id, seq, tid)
            ordered = ordered and place > last
            last = place
            text, _, id_text = (folded or "").partition("#")
            shape = shapes.get(text)
            if shape is None:
                shape = shapes[text] = _shape_of(text, no_closed, raw, pool)
            periods = no_closed
            if shape[3]:
                periods = closed.get(closed_text)
                if periods is None:
                    periods = closed[closed_text] = frozenset(closed_text.split(","))  # type: ignore[union-attr]
                key = (text, periods)
                found = shapes.get(key)
                if found is None:
                    found = shapes[key] = _shape_of(text, key[1], raw, pool)
                shape = found
            ids = tuple(map(int, id_text.split(","))) if id_text else empty
            if shape[2] is not None:
                if shape[2] is _TIED:  # two milestones at one position: their ids decide, task by task
                    shape, ids = _tied(text, ids, periods, raw, pool)
                else:
                    ids = tuple([ids[i] for i in shape[2]])
            leaders = links.get(leader_text)
            if leaders is None:
                leaders = links[leader_text] = _ordered_ids(leader_text)
            sections = links.get(section_text)
            if sections is None:
                sections = links[section_text] = _ordered_ids(section_text)
            last_report = local_date(moment(progress_at), tz) if progress_at else None
            profile = profiles.setdefault((shape[0], status, percent, last_report), len(profiles))
            tasks.append(TaskRow(tid, no, title, table_id, status, percent, last_report,
                                 local_date(moment(done_at), tz) if done_at else None, shape[1], leaders,
                                 sections, shape[0], profile, ids))
    if not ordered:  # into the tables' order: table, then row (序号's place), then id
        order = sorted(range(len(tasks)), key=lambda i: (tasks[i].table_id, seqs[i], tasks[i].id))
        snap.tasks = [tasks[i] for i in order]


class _Pool:
    """Equal milestone facts, and equal tuples of them, as one object each; each distinct tuple numbered."""

    def __init__(self) -> None:
        self.facts: dict[MilestoneFacts, MilestoneFacts] = {}
        self.shapes: dict[tuple[MilestoneFacts, ...], tuple[int, tuple[MilestoneFacts, ...]]] = {(): (0, ())}

    def shape(self, facts: list[MilestoneFacts]) -> tuple[int, tuple[MilestoneFacts, ...]]:
        """The number and the shared tuple of these facts."""
        shared = tuple([self.facts.setdefault(f, f) for f in facts])
        return self.shapes.setdefault(shared, (len(self.shapes), shared))


_TIED: tuple[int, ...] = (-1,)  # a marker, compared by identity


def _shape_of(text: str, closed: frozenset[str], raw: _Raw, pool: _Pool,
              ids: tuple[int, ...] = ()) -> tuple[int, tuple[MilestoneFacts, ...], tuple[int, ...] | None, bool]:
    """A task's milestones from their folded text: (shape number, facts in (position, id) order, the ids' order
    when it is not the text's, or _TIED when two share a position and no ``ids`` were given; whether one is
    recurring)."""
    items = []
    for i, part in enumerate(text.split(";")):
        position, kind, period, due_text, start_text = part.split("|")
        items.append(((int(position), ids[i] if ids else 0, i), MilestoneFacts(
            0, raw.date(due_text or None), kind, period or None, raw.date(start_text or None),
            closed if kind == "recurring" else frozenset())))
    items.sort(key=lambda item: item[0])
    order = tuple([i for (_, _, i), _ in items])
    number, facts = pool.shape([f for _, f in items])
    recurring = any(f.kind == "recurring" for f in facts)
    if not ids and len({position for (position, _, _), _ in items}) < len(items):
        return number, facts, _TIED, recurring
    return number, facts, None if order == tuple(range(len(order))) else order, recurring


def _tied(text: str, ids: tuple[int, ...], closed: frozenset[str], raw: _Raw,
          pool: _Pool) -> tuple[tuple[int, tuple[MilestoneFacts, ...], tuple[int, ...] | None, bool], tuple[int, ...]]:
    """The shape and ids of a task two of whose milestones share a position (ordered by id among them)."""
    shape = _shape_of(text, closed, raw, pool, ids)
    return shape, tuple([ids[i] for i in shape[2]]) if shape[2] is not None else ids


def _ordered_ids(text: str | None) -> tuple[int, ...]:
    """``position:id`` pairs joined by commas as the ids in position order."""
    if not text:
        return ()
    pairs = sorted(tuple(int(v) for v in pair.split(":")) for pair in text.split(","))
    return tuple(value for _, value in pairs)


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
            # One server process, not three: the pass must leave the other CPUs to the chats' queries. (JIT, which
            # compiled this query for 1.8 s of CPU to save nothing, is off for every connection: bot.db.session.)
            await driver.execute("SET LOCAL max_parallel_workers_per_gather = 0")
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
_BATCH = 5_000


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
