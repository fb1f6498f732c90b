"""Changes to a task by the people responsible for it: 签收, 进度, 办结, 延期 (request and decision), reopen.

Only the task's lead leaders, members of its lead sections and admins may change it; a decision on an
extension belongs to a lead leader or an admin. Every change is written to ``TaskEvent`` with the actor's
account, person and channel: the audit trail 考评 relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ExtensionRequest, Milestone, Snooze, Task, TaskEvent, TaskTable
from bot.services import occurrences
from bot.services.occurrences import PeriodError
from bot.services.status import next_milestone
from bot.services.visibility import is_responsible, leads
from bot.workcal import WorkCalendar


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: their chat account, channel, bound person and whether they are an admin."""

    key: str
    channel: str
    person_id: int | None
    admin: bool


# What a person writes is stored whole and shown to others: a progress note is a paragraph, a reason or an
# evidence line a sentence or two. Longer texts belong in a document, not in the audit trail.
NOTE_MAX = 2000
REASON_MAX = 500
# A new date must fall in this window around the table's year: a table is a year's plan, and a date in
# 9999 is a slip of the keyboard (or a probe), not a plan.
YEARS_BEFORE, YEARS_AFTER = 1, 10


class ProgressError(Exception):
    """A refused change, with a text key (``conv.*``) and its parameters for the user."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


async def _require_responsible(session: AsyncSession, actor: Actor, task: Task) -> None:
    if actor.admin:
        return
    if not await is_responsible(session, actor.person_id, task.id):
        raise ProgressError("conv.not_responsible", no=task.no)


def _require_open(task: Task) -> None:
    if task.status == "removed":
        raise ProgressError("conv.task_removed", no=task.no)
    if task.status == "done":
        raise ProgressError("conv.task_already_done", no=task.no)


def _require_short(text: str | None, limit: int) -> None:
    if text is not None and len(text.strip()) > limit:
        raise ProgressError("conv.text_too_long", limit=limit, length=len(text.strip()))


def _event(task: Task, actor: Actor, kind: str, now: datetime, **fields: object) -> TaskEvent:
    return TaskEvent(
        task_id=task.id,
        person_id=actor.person_id,
        actor=actor.key,
        channel=actor.channel,
        kind=kind,
        created_at=now,
        **fields,
    )


def _period_error(error: PeriodError) -> ProgressError:
    return ProgressError(error.key, **error.params)


@dataclass(frozen=True, slots=True)
class Filed:
    """What a 签收 or a report landed on: the period key of a recurring task (None otherwise)."""

    fresh: bool
    period: str | None = None
    event: TaskEvent | None = None


async def acknowledge(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, today: date | None = None,
    cal: WorkCalendar | None = None, period: str | None = None,
) -> Filed:
    """签收: the actor takes the task on; a recurring task is signed per period (the oldest open one not yet
    signed by them, or the one named), so signing for Q3 after Q2 counts. ``fresh`` False when already signed."""
    await _require_responsible(session, actor, task)
    _require_open(task)
    if today is not None and cal is not None:
        try:
            target, fresh = await occurrences.ack_target(session, task, today, cal, actor.person_id, actor.key, period)
        except PeriodError as error:
            raise _period_error(error) from None
        if target is not None:
            if fresh:
                data = {"milestone": target.milestone.id, "period": target.slot.key}
                session.add(_event(task, actor, "ack", now, data=data))
                await occurrences.mark_acknowledged(session, task, target, actor.person_id, now)
            return Filed(fresh, target.slot.key)
    same = TaskEvent.person_id == actor.person_id if actor.person_id is not None else TaskEvent.actor == actor.key
    already = await session.scalar(select(exists().where(TaskEvent.task_id == task.id, TaskEvent.kind == "ack", same)))
    if already:
        return Filed(False)
    session.add(_event(task, actor, "ack", now))
    await session.flush()
    return Filed(True)


async def report_progress(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, text: str, percent: int | None = None,
    today: date | None = None, cal: WorkCalendar | None = None, period: str | None = None,
) -> Filed:
    """进度填报: the latest progress text, and a percent that feeds 序时进度 when given; on a recurring task it is
    that period's report (the oldest open period already begun, or the one named)."""
    await _require_responsible(session, actor, task)
    _require_open(task)
    if percent is not None and not 0 <= percent <= 100:
        raise ProgressError("conv.progress_bad_percent", percent=percent)
    if not text.strip() and percent is None:
        raise ProgressError("conv.progress_empty")
    _require_short(text, NOTE_MAX)
    target = None
    if today is not None and cal is not None:
        try:
            target = await occurrences.report_target(session, task, today, cal, period)
        except PeriodError as error:
            raise _period_error(error) from None
    if percent is not None:
        task.progress_percent = percent
    task.progress_text = text.strip() or task.progress_text
    task.progress_at = now
    task.updated_at = now
    data = {"milestone": target.milestone.id, "period": target.slot.key} if target is not None else {}
    event = _event(task, actor, "progress", now, percent=percent, text=text.strip() or None, data=data)
    session.add(event)
    await session.flush()
    if target is not None:
        await occurrences.mark_reported(session, task, target, event, now)
    return Filed(True, target.slot.key if target is not None else None, event)


async def waive(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, today: date, cal: WorkCalendar,
    period: str | None, reason: str,
) -> str:
    """An admin waives one period of a recurring task (the oldest open one when none is named), with a reason; the
    waiver is audited in task_events. Returns the period key."""
    if not actor.admin:
        raise ProgressError("conv.admin_only")
    _require_open(task)
    if not reason.strip():
        raise ProgressError("conv.waive_no_reason")
    _require_short(reason, REASON_MAX)
    try:
        target = await occurrences.report_target(session, task, today, cal, period)
        if target is None:
            raise PeriodError("conv.period_not_recurring", no=task.no)
        await occurrences.mark_waived(session, task, target, actor.key, reason.strip(), now)
    except PeriodError as error:
        raise _period_error(error) from None
    data = {"milestone": target.milestone.id, "period": target.slot.key}
    session.add(_event(task, actor, "waive", now, text=reason.strip(), data=data))
    task.updated_at = now
    await session.flush()
    return target.slot.key


async def finish(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, evidence: str | None = None
) -> TaskEvent:
    """办结: the task is done, with optional evidence (a document number, a link, a sentence)."""
    await _require_responsible(session, actor, task)
    _require_open(task)
    _require_short(evidence, REASON_MAX)
    task.status = "done"
    task.done_at = now
    task.updated_at = now
    # The latest progress is the finish itself: 100% now, with its evidence (an older report's words would
    # otherwise stand beside the 100% as if said today; the history keeps them).
    note = (evidence or "").strip() or None
    task.progress_percent = 100
    task.progress_at = now
    task.progress_text = note
    # A pending extension has nothing left to extend: it is withdrawn, and an approver's button says so.
    withdrawn = (await session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.task_id == task.id, ExtensionRequest.status == "pending")
        .values(status="withdrawn", decided_by=actor.key, decided_at=now)
        .returning(ExtensionRequest.id)
    )).scalars().all()
    data = {"withdrawn": sorted(withdrawn)} if withdrawn else None
    event = _event(task, actor, "done", now, percent=100, text=note, data=data)
    session.add(event)
    await session.flush()
    return event


async def snooze(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, today: date, cal: WorkCalendar
) -> date:
    """明天再提醒: hold the actor's reminders for this task until the next working day; returns that day."""
    await _require_responsible(session, actor, task)
    _require_open(task)
    if actor.person_id is None:
        raise ProgressError("conv.snooze_needs_person")
    until = cal.next_working_day(today).value
    held = await session.get(Snooze, (task.id, actor.person_id))
    if held is None:
        session.add(Snooze(task_id=task.id, person_id=actor.person_id, until=until, created_at=now))
    else:
        held.until, held.created_at = until, now
    session.add(_event(task, actor, "snooze", now, data={"until": until.isoformat()}))
    await session.flush()
    return until


async def reopen(
    session: AsyncSession, actor: Actor, task: Task, *, now: datetime, reason: str | None = None
) -> TaskEvent:
    """Reopen a done task (admins only)."""
    if not actor.admin:
        raise ProgressError("conv.admin_only")
    if task.status != "done":
        raise ProgressError("conv.reopen_not_done", no=task.no)
    _require_short(reason, REASON_MAX)
    task.status = "open"
    task.done_at = None
    task.updated_at = now
    event = _event(task, actor, "reopen", now, text=(reason or "").strip() or None)
    session.add(event)
    await session.flush()
    return event


async def request_extension(
    session: AsyncSession,
    actor: Actor,
    task: Task,
    *,
    now: datetime,
    today: date,
    cal: WorkCalendar,
    new_due: date,
    reason: str,
) -> ExtensionRequest:
    """延期申请 for the task's next milestone; it moves only when a lead leader or an admin approves."""
    await _require_responsible(session, actor, task)
    _require_open(task)
    if not reason.strip():
        raise ProgressError("conv.extend_no_reason")
    _require_short(reason, REASON_MAX)
    pending = await session.scalar(
        select(exists().where(ExtensionRequest.task_id == task.id, ExtensionRequest.status == "pending"))
    )
    if pending:
        raise ProgressError("conv.extend_pending", no=task.no)
    found = next_milestone(await occurrences.task_facts(session, task), today, cal)
    if found is None:
        raise ProgressError("conv.extend_no_milestone", no=task.no)
    target, current = found
    if target.kind == "recurring":
        raise ProgressError("conv.extend_recurring", no=task.no)
    if new_due <= current or new_due < today:
        raise ProgressError("conv.extend_not_later", no=task.no, due=current.isoformat())
    year = await session.scalar(select(TaskTable.year).where(TaskTable.id == task.table_id)) or today.year
    first, last = date(year - YEARS_BEFORE, 1, 1), date(year + YEARS_AFTER, 12, 31)
    if not first <= new_due <= last:
        raise ProgressError("conv.date_out_of_range", first=first.isoformat(), last=last.isoformat())
    request = ExtensionRequest(
        task_id=task.id,
        milestone_id=target.id,
        requested_by=actor.person_id,
        requester_account=actor.key,
        new_due=new_due,
        reason=reason.strip(),
        created_at=now,
    )
    session.add(request)
    await session.flush()
    data = {"request": request.id, "milestone": target.id, "from": current.isoformat(), "to": new_due.isoformat()}
    session.add(_event(task, actor, "extend_request", now, text=reason.strip(), data=data))
    await session.flush()
    return request


@dataclass(frozen=True, slots=True)
class Decision:
    """A decided extension request, with the task and the milestone's dates before and after."""

    request: ExtensionRequest
    task: Task
    old_due: date | None
    new_due: date


async def decide_extension(
    session: AsyncSession, actor: Actor, request_id: int, *, approve: bool, now: datetime
) -> Decision:
    """Approve (the milestone moves; its original date is kept) or reject a pending extension request."""
    request = await session.get(ExtensionRequest, request_id)
    if request is None:
        raise ProgressError("conv.extend_unknown")
    task = await session.get_one(Task, request.task_id)
    if not actor.admin:
        if not await leads(session, actor.person_id, task.id):
            raise ProgressError("conv.extend_not_approver", no=task.no)
        if actor.person_id is not None and actor.person_id == request.requested_by:
            raise ProgressError("conv.extend_own_request", no=task.no)
    if request.status != "pending":
        raise ProgressError(f"conv.extend_already_{request.status}", no=task.no)
    milestone = await session.get(Milestone, request.milestone_id)
    old_due = milestone.due if milestone is not None else None
    request.status = "approved" if approve else "rejected"
    request.decided_by = actor.key
    request.decided_at = now
    if approve and milestone is not None:
        if milestone.original_due is None:
            milestone.original_due = milestone.due
        milestone.due = request.new_due
        task.updated_at = now
    data = {
        "request": request.id,
        "milestone": request.milestone_id,
        "from": old_due.isoformat() if old_due else None,
        "to": request.new_due.isoformat(),
    }
    session.add(_event(task, actor, "extend_approved" if approve else "extend_rejected", now, data=data))
    await session.flush()
    return Decision(request, task, old_due, request.new_due)
