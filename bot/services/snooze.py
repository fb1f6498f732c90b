"""明天再提醒: hold a person's reminders for a task until the next working day, then remind them once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Snooze, TaskEvent
from bot.workcal import WorkCalendar


async def snooze(
    session: AsyncSession,
    task_id: int,
    person_id: int,
    today: date,
    cal: WorkCalendar,
    now: datetime,
    *,
    actor: str | None = None,
    channel: str = "system",
) -> date:
    """Snooze ``task_id`` for ``person_id`` until the next working day after ``today``; returns that day.

    The scheduler holds this person's reminders and overdue notices for the task until then, re-reminds once
    on that day, and shows the snooze as an answer (not as ignoring) when it escalates.
    """
    until = cal.next_working_day(today).value
    found = (await session.execute(select(Snooze).where(Snooze.task_id == task_id, Snooze.person_id == person_id))).scalar_one_or_none()
    if found is None:
        session.add(Snooze(task_id=task_id, person_id=person_id, until=until, created_at=now))
    else:
        found.until, found.created_at = until, now
    session.add(
        TaskEvent(task_id=task_id, person_id=person_id, actor=actor or f"person:{person_id}", channel=channel,
                  kind="snooze", data={"until": until.isoformat()}, created_at=now)
    )
    await session.flush()
    return until
