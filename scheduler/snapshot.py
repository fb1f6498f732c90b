"""The planner's input: plain data loaded with a dozen set-based queries (never one query per task)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.clock import UTC, from_local, local_date
from bot.db.models import (
    Account,
    ChatSubscription,
    Milestone,
    Person,
    Section,
    SectionMember,
    SentNotice,
    Snooze,
    Task,
    TaskEvent,
    TaskLeader,
    TaskSection,
    TaskTable,
)
from bot.services.occurrences import load_states
from bot.services.status import MilestoneFacts
from scheduler.gcpause import paused_gc

# Keys of daily notices carry their day and reminder keys their occurrence; 60 days covers the longest
# reminder run (5 working days across the 8-day National Day break) many times over.
SENT_WINDOW_DAYS = 60
# Escalation keys are said once per occurrence however long ago, so they are always loaded.
ONCE_KINDS = ("escalation_head", "escalation_leader")


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
    # Core rows, not the ORM: the ORM's per-row bookkeeping doubles the cost of 100,000 tasks.
    conn = await session.connection()
    active = select(TaskTable.id).where(TaskTable.active.is_(True)).scalar_subquery()
    live = (Task.table_id.in_(active), Task.status.in_(("open", "done")))

    snap.tables = dict((await conn.execute(select(TaskTable.id, TaskTable.title).where(TaskTable.active.is_(True)))).all())

    milestones: dict[int, list[MilestoneFacts]] = defaultdict(list)
    rows = await _all(conn,
        select(Milestone.id, Milestone.task_id, Milestone.due, Milestone.kind, Milestone.period, Milestone.window_start)
        .join(Task, Task.id == Milestone.task_id)
        .where(*live)
        .order_by(Milestone.task_id, Milestone.position, Milestone.id)
    )
    states = await load_states(conn, select(Task.id).where(*live))  # occurrences: rows only for periods signed, reported or waived
    snap.period_acks = states.acks
    no_closed: frozenset[str] = frozenset()
    for mid, task_id, due, kind, period, start in rows:
        closed = states.closed.get(task_id, no_closed) if kind == "recurring" else no_closed
        milestones[task_id].append(MilestoneFacts(mid, due, kind, period, start, closed))

    leaders = await _grouped(conn, select(TaskLeader.task_id, TaskLeader.person_id).join(Task, Task.id == TaskLeader.task_id).where(*live).order_by(TaskLeader.task_id, TaskLeader.position))
    sections = await _grouped(conn, select(TaskSection.task_id, TaskSection.section_id).join(Task, Task.id == TaskSection.task_id).where(*live).order_by(TaskSection.task_id, TaskSection.position))

    rows = await _all(conn,
        select(Task.id, Task.no, Task.title, Task.table_id, Task.status, Task.progress_percent, Task.progress_at, Task.done_at)
        .where(*live)
        .order_by(Task.table_id, Task.seq, Task.id)
    )
    empty: tuple[int, ...] = ()
    shapes: dict[tuple[object, ...], int] = {}
    profiles: dict[tuple[object, ...], int] = {}
    for tid, no, title, table_id, status, percent, progress_at, done_at in rows:
        facts = tuple(milestones.get(tid, ()))
        shape = shapes.setdefault(tuple((m.kind, m.period, m.due, m.window_start, m.closed) for m in facts), len(shapes))
        last_report = local_date(progress_at, tz) if progress_at else None
        profile = profiles.setdefault((shape, status, percent, last_report), len(profiles))
        snap.tasks.append(
            TaskRow(
                tid, no, title, table_id, status, percent, last_report,
                local_date(done_at, tz) if done_at else None,
                facts, leaders.get(tid, empty), sections.get(tid, empty), shape, profile,
            )
        )

    snap.people = dict((await conn.execute(select(Person.id, Person.name))).all())
    snap.sections = dict((await conn.execute(select(Section.id, Section.name))).all())
    members: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, list[int]] = defaultdict(list)
    for person_id, section_id, is_head in await _all(conn,
        select(SectionMember.person_id, SectionMember.section_id, SectionMember.is_head).order_by(SectionMember.section_id, SectionMember.person_id)
    ):
        (heads if is_head else members)[section_id].append(person_id)
    snap.members = {k: tuple(v) for k, v in members.items()}
    snap.heads = {k: tuple(v) for k, v in heads.items()}

    await _load_accounts(conn, snap)

    open_tasks = select(Task.id).where(*live, Task.status == "open").scalar_subquery()
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
    snap.sent = set(
        (await conn.execute(select(SentNotice.key).where(or_(SentNotice.created_at >= since, SentNotice.kind.in_(ONCE_KINDS))))).scalars()
    )
    return snap


async def _all(conn: AsyncConnection, stmt) -> list[Any]:  # type: ignore[no-untyped-def]
    # fetchall in one go: iterating a cursor row by row costs a round of SQLAlchemy machinery per row.
    return list((await conn.execute(stmt)).all())


async def _grouped(conn: AsyncConnection, stmt) -> dict[int, tuple[int, ...]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[int]] = defaultdict(list)
    for key, value in (await conn.execute(stmt)).all():
        out[key].append(value)
    return {k: tuple(v) for k, v in out.items()}


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
