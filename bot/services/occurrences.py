"""Occurrences of recurring milestones: each period (2026-Q2, 2026-07…) is its own deadline with its own trail.

Occurrences are derived, not materialised: a milestone's period and the calendar give every period's key and
due date (``bot.services.status.period_slots``), and an ``Occurrence`` row exists only for a period something
happened to: 签收 (acknowledged), a report (reported) or an admin's waiver (waived). Rows belong to the task
and its period key (``2026-07`` cannot be mistaken for ``2026-Q3``), so a revised table that re-creates the
task's milestones keeps every period's trail. A period with no row, or
only acknowledged, is open, and overdue once its due date has passed. So the daily pass over 100,000 tasks
reads the few rows there are, and nothing has to be created ahead of time for periods nobody touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import Milestone, Occurrence, Person, Task, TaskEvent
from bot.services.status import MilestoneFacts, Slot, next_open, period_slots, tracks_periods
from bot.texts import t
from bot.timenodes.recurrence import looks_like_period, parse_period
from bot.workcal import WorkCalendar

CLOSED_STATES = ("reported", "waived")
_CN_ORDINALS = "一二三四"
_CHUNK = 500


class PeriodError(Exception):
    """A period that cannot be used, with a text key (``conv.*``) and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def label(key: str, lang: str | None = None) -> str:
    """A period key as people say it: 第二季度, 7月, 上半年, 2026年度, 第27周 (Q2, July, H1, 2026, week 27)."""
    year, _, part = key.partition("-")
    if not part:
        return t("timenode.occ_year", lang, year=year)
    if part.startswith("Q"):
        n = int(part[1:])
        return t("timenode.occ_quarter", lang, n=n, cn=_CN_ORDINALS[n - 1])
    if part.startswith("H"):
        return t(f"timenode.occ_half_{part[1:]}", lang)
    if part.startswith("W"):
        return t("timenode.occ_week", lang, n=int(part[1:]))
    if part.isdecimal():
        return t("timenode.occ_month", lang, month=int(part))
    return key


def facts(m: Milestone, closed: Iterable[str] = ()) -> MilestoneFacts:
    """A stored milestone as the colour rules see it, with its closed periods."""
    return MilestoneFacts(m.id, m.due, m.kind, m.period, m.window_start, frozenset(closed))


# ---- reading state ---------------------------------------------------------------------------------------


async def period_acks(conn: AsyncConnection) -> dict[tuple[int, str], frozenset[int]]:
    """Who signed each period, by (task id, period key), read from the 签收 events of tasks with a signed period."""
    acks: dict[tuple[int, str], set[int]] = defaultdict(set)
    for task_id, person_id, data in (await conn.execute(
        select(TaskEvent.task_id, TaskEvent.person_id, TaskEvent.data).where(
            TaskEvent.kind == "ack",
            TaskEvent.person_id.is_not(None),
            TaskEvent.task_id.in_(select(Occurrence.task_id).where(Occurrence.acked_at.is_not(None)).distinct()),
        )
    )).all():
        if data and data.get("period"):
            acks[(task_id, str(data["period"]))].add(person_id)
    return {k: frozenset(v) for k, v in acks.items()}


async def closed_keys(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Closed (reported or waived) period keys of the given tasks (listings: only the recurring ones they show)."""
    out: dict[int, set[str]] = defaultdict(set)
    ids = sorted(set(task_ids))
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(
            select(Occurrence.task_id, Occurrence.period_key).where(
                Occurrence.task_id.in_(ids[start : start + _CHUNK]), Occurrence.state.in_(CLOSED_STATES)
            )
        )
        for task_id, key in rows.all():
            out[task_id].add(key)
    return {k: frozenset(v) for k, v in out.items()}


async def task_facts(session: AsyncSession, task: Task) -> list[MilestoneFacts]:
    """A task's milestones with their closed periods (one query, none when nothing recurs)."""
    recurring = any(m.kind == "recurring" for m in task.milestones)
    closed = (await closed_keys(session, [task.id])).get(task.id, frozenset()) if recurring else frozenset()
    return [facts(m, closed if m.kind == "recurring" else ()) for m in task.milestones]


@dataclass(frozen=True, slots=True)
class PeriodLine:
    """One period of a task's recurring milestone as /task N shows it."""

    milestone_id: int
    slot: Slot
    state: str  # open, overdue, acknowledged, reported, waived
    days_overdue: int | None
    acked_by: str | None
    report_text: str | None
    reported_at: datetime | None
    waiver_reason: str | None
    waived_by: str | None


async def task_periods(session: AsyncSession, task: Task, today: date, cal: WorkCalendar) -> list[PeriodLine]:
    """Every tracked period of the task's recurring milestones up to the next open one, with its state."""
    tracked = [m for m in task.milestones if tracks_periods(facts(m))]
    if not tracked:
        return []
    rows = (await session.execute(
        select(Occurrence, Person.name, TaskEvent.text)
        .outerjoin(Person, Person.id == Occurrence.acked_by)
        .outerjoin(TaskEvent, TaskEvent.id == Occurrence.report_event_id)
        .where(Occurrence.task_id == task.id)
    )).all()
    found = {o.period_key: (o, name, text) for o, name, text in rows}
    closed = {key for key, (o, _, _) in found.items() if o.state in CLOSED_STATES}
    out: list[PeriodLine] = []
    for m in tracked:
        f = facts(m, closed)
        upcoming = next_open(f, today, cal)
        for slot in period_slots(f, cal):
            if upcoming is not None and slot.start > upcoming.end:
                break
            o, name, text = found.get(slot.key, (None, None, None))
            state = o.state if o is not None else "open"
            days = None
            if state in ("open", "acknowledged") and slot.due < today:
                state, days = "overdue", -cal.working_days_between(today, slot.due).value
            out.append(PeriodLine(
                m.id, slot, state, days, name, text, o.reported_at if o else None,
                o.waiver_reason if o else None, o.waived_by if o else None,
            ))
    return out


# ---- choosing a period -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The recurring milestone and period a report, 签收 or waiver lands on."""

    milestone: Milestone
    slot: Slot
    facts: MilestoneFacts


def split_period(task: Task, words: list[str]) -> tuple[str | None, list[str]]:
    """A leading period name among the words (``Q3``, ``7月``…) when the task recurs, and the words left."""
    if not words or not any(m.kind == "recurring" for m in task.milestones):
        return None, words
    if looks_like_period(words[0]) or any(
        m.period and m.due and parse_period(words[0], m.period, m.due.year) for m in task.milestones  # type: ignore[arg-type]
    ):
        return words[0], words[1:]
    return None, words


async def _tracked(session: AsyncSession, task: Task) -> list[MilestoneFacts]:
    return [f for f in await task_facts(session, task) if tracks_periods(f)]


def _milestone(task: Task, f: MilestoneFacts) -> Milestone:
    return next(m for m in task.milestones if m.id == f.id)


def _named(task: Task, tracked: list[MilestoneFacts], word: str, cal: WorkCalendar, today: date) -> Target:
    for f in tracked:
        key = parse_period(word, f.period, f.due.year)  # type: ignore[arg-type,union-attr]
        slot = next((s for s in period_slots(f, cal) if s.key == key), None)
        if slot is not None:
            if slot.start > today:
                raise PeriodError("conv.period_not_started", no=task.no, period=label(slot.key))
            return Target(_milestone(task, f), slot, f)
    choices = t("conv.list_sep").join(label(s.key) for s in period_slots(tracked[0], cal)[:4])
    raise PeriodError("conv.period_unknown", no=task.no, period=word, choices=choices)


async def report_target(
    session: AsyncSession, task: Task, today: date, cal: WorkCalendar, word: str | None = None
) -> Target | None:
    """Where ``进度 N`` lands: the named period, else the oldest open period already begun, else the current one."""
    tracked = await _tracked(session, task)
    if not tracked:
        if word is not None:
            raise PeriodError("conv.period_not_recurring", no=task.no)
        return None
    if word is not None:
        return _named(task, tracked, word, cal, today)
    f = tracked[0]
    slots = period_slots(f, cal)
    begun = [s for s in slots if s.start <= today] or list(slots[:1])
    slot = next((s for s in begun if s.key not in f.closed), begun[-1])
    return Target(_milestone(task, f), slot, f)


async def _signed(session: AsyncSession, task: Task, person_id: int | None, actor: str) -> set[str]:
    same = TaskEvent.person_id == person_id if person_id is not None else TaskEvent.actor == actor
    rows = await session.scalars(select(TaskEvent.data).where(TaskEvent.task_id == task.id, TaskEvent.kind == "ack", same))
    return {str(d["period"]) for d in rows if d and d.get("period")}


async def ack_target(
    session: AsyncSession, task: Task, today: date, cal: WorkCalendar, person_id: int | None, actor: str,
    word: str | None = None,
) -> tuple[Target | None, bool]:
    """Where ``签收 N`` lands and whether it is new: the named period, else the oldest open one (begun, or the next
    one due) this person has not signed yet. (None, False) for a task that does not recur."""
    tracked = await _tracked(session, task)
    if not tracked:
        if word is not None:
            raise PeriodError("conv.period_not_recurring", no=task.no)
        return None, False
    signed = await _signed(session, task, person_id, actor)
    if word is not None:
        target = _named(task, tracked, word, cal, today)
        return target, target.slot.key not in signed
    f = tracked[0]
    upcoming = next_open(f, today, cal)
    candidates = [s for s in period_slots(f, cal) if s.key not in f.closed and (s.start <= today or s == upcoming)]
    for slot in candidates:
        if slot.key not in signed:
            return Target(_milestone(task, f), slot, f), True
    fallback = candidates[-1] if candidates else (upcoming or period_slots(f, cal)[-1])
    return Target(_milestone(task, f), fallback, f), False


# ---- writing state ---------------------------------------------------------------------------------------


async def _row(session: AsyncSession, task: Task, target: Target, now: datetime) -> Occurrence:
    row = await session.scalar(
        select(Occurrence).where(Occurrence.task_id == task.id, Occurrence.period_key == target.slot.key)
    )
    if row is not None:
        row.milestone_id = target.milestone.id  # the milestone it is asked by now (a revision re-creates them)
    else:
        row = Occurrence(task_id=task.id, milestone_id=target.milestone.id, period_key=target.slot.key,
                         due=target.slot.due, state="acknowledged", created_at=now)
        session.add(row)
    return row


async def mark_acknowledged(session: AsyncSession, task: Task, target: Target, person_id: int | None, now: datetime) -> None:
    """签收 of one period: the first signer is kept on the row (every signer is in task_events)."""
    row = await _row(session, task, target, now)
    if row.acked_at is None:
        row.acked_by, row.acked_at = person_id, now
    await session.flush()


async def mark_reported(session: AsyncSession, task: Task, target: Target, event: TaskEvent, now: datetime) -> None:
    """A progress report filed for one period: the period is closed and points at the report."""
    row = await _row(session, task, target, now)
    if row.state != "waived":
        row.state = "reported"
    row.report_event_id, row.reported_at = event.id, now
    await session.flush()


async def mark_waived(session: AsyncSession, task: Task, target: Target, actor: str, reason: str, now: datetime) -> Occurrence:
    """An admin's waiver of one period: closed, with who and why."""
    row = await _row(session, task, target, now)
    if row.state in CLOSED_STATES:
        raise PeriodError(f"conv.waive_already_{row.state}", no=task.no, period=label(target.slot.key))
    row.state, row.waiver_reason, row.waived_by, row.waived_at = "waived", reason, actor, now
    await session.flush()
    return row
