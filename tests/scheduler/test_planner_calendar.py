"""Deadline reminders and overdue notices at exact instants across 调休, holidays, estimated years and Sundays.

Each test runs the scheduler's pass at 09:00 on every day of a span, as the daily job would, and compares
what 张三 (a member of the task's lead section) and the escalation recipients got with a hand-made table.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core import Core
from tests.scheduler.conftest import pass_at, seen
from tests.scheduler.seed import Bureau, add_task, dated

PERSONAL = {"reminder", "overdue", "escalation_head", "escalation_leader", "snoozed", "progress"}


async def daily_series(core: Core, b: Bureau, first: date, last: date) -> dict[str, set[tuple[str, str, int | None]]]:
    """Day → {(recipient, kind, days)} of personal notices, running the pass at 09:00 every day."""
    out: dict[str, set[tuple[str, str, int | None]]] = {}
    day = first
    while day <= last:
        result = await pass_at(core, f"{day.isoformat()}T09:00")
        # 周七 has no account: his notices stay due (and unsent) until he binds one; leave him out here.
        got = {(who, n.kind, n.days) for n in result.notices if n.kind in PERSONAL
               for who, kind, _ in seen(_only(result, n), b) if who in b.telegram}
        if got:
            out[day.isoformat()] = got
        day += timedelta(days=1)
    return out


def _only(result, notice):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(result, notices=[notice])


def z(kind: str, days: int) -> set[tuple[str, str, int]]:
    """What both 疾控股 members with accounts (张三, 李四) are sent."""
    return {(name, kind, days) for name in ("张三", "李四")}


async def test_national_day_2025_reminds_on_the_make_up_sunday_and_never_in_the_break(core: Core, bureau: Bureau) -> None:
    # Due Thu 2025-10-09, the first working day after the 8-day break; Sun 09-28 and Sat 10-11 are make-up workdays.
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    series = await daily_series(core, bureau, date(2025, 9, 24), date(2025, 10, 15))
    assert series == {
        "2025-09-25": z("reminder", 5),
        "2025-09-28": z("reminder", 3),  # the make-up Sunday counts as a working day
        "2025-09-30": z("reminder", 1),
        "2025-10-09": z("reminder", 0),
        "2025-10-10": z("overdue", 1),
        "2025-10-11": z("overdue", 2),  # make-up Saturday
        "2025-10-13": z("overdue", 3) | {("王五", "escalation_head", 3)},
        "2025-10-14": z("overdue", 4),
        "2025-10-15": z("overdue", 5) | {("李康民", "escalation_leader", 5)},
    }


async def test_spring_festival_2026_counts_the_make_up_saturday_and_skips_nine_days_off(core: Core, bureau: Bureau) -> None:
    # Due Thu 2026-02-26; 02-15…02-23 off, Sat 02-14 and Sat 02-28 are make-up workdays.
    await add_task(core, bureau, "1", milestones=[dated(date(2026, 2, 26))])
    series = await daily_series(core, bureau, date(2026, 2, 11), date(2026, 3, 2))
    assert series == {
        "2026-02-12": z("reminder", 5),
        "2026-02-14": z("reminder", 3),
        "2026-02-25": z("reminder", 1),
        "2026-02-26": z("reminder", 0),
        "2026-02-27": z("overdue", 1),
        "2026-02-28": z("overdue", 2),
        "2026-03-02": z("overdue", 3) | {("王五", "escalation_head", 3)},
    }


async def test_2027_runs_on_the_estimated_calendar_and_says_so(core: Core, bureau: Bureau) -> None:
    assert not core.calendar.has_official_data(2027)
    # Due Thu 2027-02-11, after the estimated Spring Festival (02-05…02-10 off).
    await add_task(core, bureau, "1", milestones=[dated(date(2027, 2, 11))])
    series = await daily_series(core, bureau, date(2027, 1, 28), date(2027, 2, 12))
    assert series == {
        "2027-01-29": z("reminder", 5),
        "2027-02-02": z("reminder", 3),
        "2027-02-04": z("reminder", 1),
        "2027-02-11": z("reminder", 0),
        "2027-02-12": z("overdue", 1),
    }
    result = await pass_at(core, "2027-02-16T09:00")
    zhang = next(m for m in result.messages if m.recipient.startswith("张三"))
    assert "按估算日历" in zhang.texts[0]
    assert all(n.estimated for n in result.notices if n.kind == "overdue")


async def test_a_milestone_on_a_sunday_is_due_on_the_friday_before_and_overdue_on_monday(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 6, 15))])
    series = await daily_series(core, bureau, date(2025, 6, 5), date(2025, 6, 16))
    assert series == {
        "2025-06-06": z("reminder", 5),
        "2025-06-10": z("reminder", 3),
        "2025-06-12": z("reminder", 1),
        "2025-06-13": z("reminder", 0),
        "2025-06-16": z("overdue", 1),
    }


@pytest.mark.parametrize(
    ("period", "first", "last", "expected"),
    [
        # 每月: the last working day of each month: Fri Oct 31, then Fri Nov 28 (Nov 30 is a Sunday).
        ("month", date(2025, 10, 22), date(2025, 10, 31), {"2025-10-24": 5, "2025-10-28": 3, "2025-10-30": 1, "2025-10-31": 0}),
        ("month", date(2025, 11, 19), date(2025, 11, 28), {"2025-11-21": 5, "2025-11-25": 3, "2025-11-27": 1, "2025-11-28": 0}),
        # 每季度: no occurrence at the end of October or November, the quarter's end on Wed Dec 31.
        ("quarter", date(2025, 10, 27), date(2025, 11, 3), {}),
        ("quarter", date(2025, 12, 22), date(2025, 12, 31), {"2025-12-24": 5, "2025-12-26": 3, "2025-12-30": 1, "2025-12-31": 0}),
    ],
)
async def test_recurring_milestones_remind_before_every_occurrence(
    core: Core, bureau: Bureau, period: str, first: date, last: date, expected: dict[str, int]
) -> None:
    # Tracked from the month the table starts in (window_start); a missed period is overdue (tests/scheduler/test_occurrences.py).
    start = first.replace(day=1)
    await add_task(core, bureau, "1", milestones=[{"due": date(2025, 12, 31), "kind": "recurring", "period": period, "window_start": start}])
    series = await daily_series(core, bureau, first, last)
    assert series == {day: z("reminder", days) for day, days in expected.items()}


async def test_ongoing_tasks_get_one_progress_prompt_on_the_first_working_day_of_each_month(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[{"due": None, "kind": "ongoing"}])
    series = await daily_series(core, bureau, date(2025, 9, 29), date(2025, 11, 4))
    # October's first working day is the 9th (after the National Day break); November's is Monday the 3rd.
    assert series == {"2025-09-29": z("progress", None), "2025-10-09": z("progress", None), "2025-11-03": z("progress", None)}  # type: ignore[arg-type]
