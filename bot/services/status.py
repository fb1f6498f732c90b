"""A task's standing at a given day: its next milestone, working days left, and its colour mark.

Pure functions over plain values, so the conversation, the exports and the scheduler's planner all colour a
task the same way, and the planner can run them over 100,000 tasks without touching the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from bot.db.clock import local_date
from bot.timenodes.recurrence import period_spans
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
    # A recurring node's period keys already reported or waived (bot.services.occurrences): they ask nothing more.
    closed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence of a recurring node: its period key and span, and the working day it is due."""

    key: str
    start: date
    end: date
    due: date


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


def tracks_periods(m: MilestoneFacts) -> bool:
    """Whether each period of this node is its own deadline (每月, 每季度…; 每天 is too fine to track one by one)."""
    return m.kind == "recurring" and m.due is not None and m.period not in (None, "day")


@lru_cache(maxsize=4096)
def _slots(period: str, year: int, start: date | None, cal: WorkCalendar) -> tuple[Slot, ...]:
    return tuple(
        Slot(span.key, span.start, span.end, cal.previous_working_day(span.end, include=True).value)
        for span in period_spans(period, year)  # type: ignore[arg-type]
        if start is None or span.end >= start
    )


def period_slots(m: MilestoneFacts, cal: WorkCalendar) -> tuple[Slot, ...]:
    """The tracked occurrences of a recurring node: its year's periods ending on or after its window start."""
    if not tracks_periods(m):
        return ()
    assert m.due is not None and m.period is not None
    return _slots(m.period, m.due.year, m.window_start, cal)


def first_open(m: MilestoneFacts, cal: WorkCalendar) -> Slot | None:
    """The oldest occurrence neither reported nor waived: overdue if its due date has passed."""
    return next((slot for slot in period_slots(m, cal) if slot.key not in m.closed), None)


def next_open(m: MilestoneFacts, today: date, cal: WorkCalendar) -> Slot | None:
    """The first occurrence still open that is due today or later (the one reminders are about)."""
    return next((slot for slot in period_slots(m, cal) if slot.key not in m.closed and slot.due >= today), None)


def current_due(m: MilestoneFacts, today: date, cal: WorkCalendar) -> date | None:
    """The date this milestone asks for next: its due date, or for a recurring one the oldest open period's last working day."""
    if m.kind == "ongoing" or m.due is None:
        return None
    if not tracks_periods(m):
        return m.due
    slot = first_open(m, cal)
    return slot.due if slot is not None else None


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
    milestones = tuple(milestones)
    found = next_milestone(milestones, today, cal)
    if found is None:
        if not done and any(m.kind == "ongoing" and _prompts_unanswered(m, today, cal, last_report) for m in milestones):
            return Standing("yellow", None, None, None, False)
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


def _prompts_unanswered(m: MilestoneFacts, today: date, cal: WorkCalendar, last_report: date | None) -> bool:
    """An ongoing task's monthly progress prompts (first working day of each month): the last two got no report."""
    quiet_since = last_report or m.window_start
    if quiet_since is None:
        return False
    year, month = today.year, today.month
    prompts: list[date] = []
    while len(prompts) < 2:
        prompt = cal.first_working_day_of_month(year, month).value
        if prompt <= today:
            prompts.append(prompt)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    # Yellow, not red: a standing task has no deadline to miss, only reports that went quiet.
    return quiet_since < prompts[1]
