"""A task's standing at a given day: its next milestone, working days left, and its colour mark.

Pure functions over plain values, so the conversation, the exports and the scheduler's planner all colour a
task the same way, and the planner can run them over 100,000 tasks without touching the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.db.clock import local_date
from bot.timenodes.recurrence import occurrences
from bot.workcal import WorkCalendar
from config import ReminderSettings

Colour = Literal["red", "yellow", "blue", "green", "done"]
COLOUR_MARKS: dict[str, str] = {"red": "🔴", "yellow": "🟡", "blue": "🔵", "green": "🟢", "done": "✅"}


@dataclass(frozen=True, slots=True)
class MilestoneFacts:
    """What the colouring needs of a milestone."""

    id: int
    due: date | None
    kind: str
    period: str | None
    window_start: date | None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a task stands on ``today``."""

    colour: Colour
    milestone_id: int | None
    due: date | None
    # Working days from today to the due date: positive = left, negative = overdue, None = no date.
    days_left: int | None
    estimated: bool


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds behind the colours (from the reminder settings)."""

    blue_within: int = 5
    stale_days: int = 10

    @classmethod
    def from_settings(cls, reminders: ReminderSettings) -> Rules:
        """The thresholds configured in ``settings.reminders``."""
        return cls(blue_within=reminders.blue_within, stale_days=reminders.stale_progress_days)


def current_due(m: MilestoneFacts, today: date, cal: WorkCalendar) -> date | None:
    """The date this milestone asks for next: its due date, or for a recurring one the current period's last working day."""
    if m.kind == "ongoing" or m.due is None:
        return None
    if m.kind != "recurring" or m.period in (None, "day"):
        return m.due
    for end in occurrences(m.period, m.due.year):  # type: ignore[arg-type]
        shifted = cal.previous_working_day(end, include=True).value
        if shifted >= today:
            return shifted
    return cal.previous_working_day(m.due, include=True).value


def next_milestone(milestones: Iterable[MilestoneFacts], today: date, cal: WorkCalendar) -> tuple[MilestoneFacts, date] | None:
    """The milestone that matters now: the earliest date still open, overdue ones first."""
    best: tuple[MilestoneFacts, date] | None = None
    for m in milestones:
        due = current_due(m, today, cal)
        if due is not None and (best is None or due < best[1]):
            best = (m, due)
    return best


def standing(
    milestones: Iterable[MilestoneFacts],
    today: date,
    cal: WorkCalendar,
    *,
    done: bool = False,
    percent: int | None = None,
    last_report: date | None = None,
    rules: Rules = Rules(),
) -> Standing:
    """Colour a task: red overdue, yellow behind 序时进度, blue due within ``blue_within`` working days, else green."""
    found = next_milestone(milestones, today, cal)
    if found is None:
        return Standing("done" if done else "green", None, None, None, False)
    m, due = found
    if done:
        return Standing("done", m.id, due, None, False)
    left = cal.working_days_between(today, due)
    estimated = left.estimated
    if left.value < 0:
        return Standing("red", m.id, due, left.value, estimated)
    if _behind(m, due, today, cal, percent, last_report, rules):
        return Standing("yellow", m.id, due, left.value, estimated)
    colour: Colour = "blue" if left.value <= rules.blue_within else "green"
    return Standing(colour, m.id, due, left.value, estimated)


def stored_standing(
    milestones: Iterable[MilestoneFacts],
    today: date,
    cal: WorkCalendar,
    rules: Rules,
    tz: str,
    *,
    status: str,
    percent: int | None,
    progress_at: datetime | None,
) -> Standing:
    """A stored task's standing: its status and last report (a UTC instant) read in the bureau's time zone."""
    last = local_date(progress_at, tz) if progress_at else None
    return standing(milestones, today, cal, done=status == "done", percent=percent, last_report=last, rules=rules)


def _behind(
    m: MilestoneFacts,
    due: date,
    today: date,
    cal: WorkCalendar,
    percent: int | None,
    last_report: date | None,
    rules: Rules,
) -> bool:
    start = m.window_start
    if start is None or start >= due or today <= start:
        return False
    span = cal.working_days_between(start, due).value
    if span <= 0:
        return False
    elapsed = cal.working_days_between(start, today).value / span
    if percent is not None and percent / 100 < elapsed:
        return True
    quiet_since = last_report or start
    return elapsed > 0.5 and cal.working_days_between(quiet_since, today).value >= rules.stale_days
