"""Recurring time nodes (issue 9): each period is its own deadline, and a missed one stays red until reported or waived.

The bureau of tests/scheduler/seed.py on a 2026 table; people talk to Duban through the real conversation
(handlers.app.handle) at exact instants, and the scheduler's pass runs at 09:00 as the daily job would.
张三 and 李四 are members of 疾控股 (the task's section), 王五 its head, 李康民 the lead leader; telegram:1000 is an admin.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Milestone, Occurrence, Task, TaskEvent
from tests.conversation.conftest import Talk, at as local_at
from tests.scheduler.conftest import GROUP, pass_at
from tests.scheduler.seed import Bureau, add_task, seed_bureau

import pytest

ADMIN = "telegram:1000"
ZHANG, LI = "telegram:101", "telegram:102"
PERSONAL = {"reminder", "overdue", "escalation_head", "escalation_leader", "snoozed", "progress"}


@pytest.fixture
async def bureau(core: Core) -> Bureau:
    """The seeded bureau on a 2026 table, with a group subscribed to 疾控股."""
    return await seed_bureau(core, year=2026, groups={GROUP: "疾控股"})


def quarterly(start: date = date(2026, 4, 1)) -> dict:
    """每季度 from the second quarter on (the table's window starts in April)."""
    return {"due": date(2026, 12, 31), "kind": "recurring", "period": "quarter", "window_start": start, "text": "每季度报送"}


async def series(core: Core, b: Bureau, first: date, last: date) -> dict[str, set[tuple[str, str, str | None, int | None]]]:
    """Day → {(recipient, kind, period, days)} of personal notices to people with accounts, at 09:00 every day."""
    names = {pid: name for name, pid in b.people.items()}
    out: dict[str, set[tuple[str, str, str | None, int | None]]] = {}
    day = first
    while day <= last:
        result = await pass_at(core, f"{day.isoformat()}T09:00")
        got = {(names[n.recipient.person_id], n.kind, n.period, n.days) for n in result.notices
               if n.kind in PERSONAL and names.get(n.recipient.person_id or 0) in b.telegram}
        if got:
            out[day.isoformat()] = got
        day += timedelta(days=1)
    return out


def line(text: str, ref: str) -> str:
    """The list line of task ``ref`` (``#2``) in a reply."""
    return next(ln for ln in text.splitlines() if f"<b>{ref}</b>" in ln)


def members(kind: str, period: str, days: int) -> set[tuple[str, str, str, int]]:
    """What both 疾控股 members with accounts (张三, 李四) are sent."""
    return {(name, kind, period, days) for name in ("张三", "李四")}


async def test_a_quarter_reported_in_time_stays_green_and_nothing_goes_overdue(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    talk = Talk(core)
    reply = await talk.text(ZHANG, "进度 2 已完成第二季度督导", now=local_at("2026-06-15"))
    assert "已记录 #2 第二季度进展" in reply
    got = await series(core, bureau, date(2026, 6, 29), date(2026, 7, 10))
    assert got == {}  # Q2 reported; Q3's reminders start in late September
    result = await pass_at(core, "2026-07-01T09:00")
    assert not [n for n in result.notices if n.kind in ("overdue", "escalation_head", "escalation_leader")]
    listing = await talk.text(ZHANG, "我的任务", now=local_at("2026-07-01"))
    assert line(listing, "#2").startswith("🟢")


async def test_a_missed_quarter_turns_red_after_06_30_and_climbs_the_ladder(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    got = await series(core, bureau, date(2026, 6, 22), date(2026, 7, 8))
    # Q2 is due Tue 06-30; reminders 5/3/1/0 working days before; overdue from Wed 07-01, the first working day after.
    assert got == {
        "2026-06-23": members("reminder", "2026-Q2", 5),
        "2026-06-25": members("reminder", "2026-Q2", 3),
        "2026-06-29": members("reminder", "2026-Q2", 1),
        "2026-06-30": members("reminder", "2026-Q2", 0),
        "2026-07-01": members("overdue", "2026-Q2", 1),
        "2026-07-02": members("overdue", "2026-Q2", 2),
        "2026-07-03": members("overdue", "2026-Q2", 3) | {("王五", "escalation_head", "2026-Q2", 3)},
        "2026-07-06": members("overdue", "2026-Q2", 4),
        "2026-07-07": members("overdue", "2026-Q2", 5) | {("李康民", "escalation_leader", "2026-Q2", 5)},
        "2026-07-08": members("overdue", "2026-Q2", 6),
    }
    # Red in the group digest, in 我的任务 and in 逾期, naming the missed quarter and the next one.
    result = await pass_at(core, "2026-07-09T09:00")
    digest = next(m for m in result.messages if m.recipient.startswith("疾控股群"))
    assert "🔴" in digest.texts[0] and "任务2" in digest.texts[0] and "第二季度：截止 6月30日，已逾期 7 个工作日" in digest.texts[0]
    talk = Talk(core)
    mine = await talk.text(ZHANG, "我的任务", now=local_at("2026-07-03"))
    assert line(mine, "#2").startswith("🔴") and "第二季度 逾期 3 个工作日；第三季度 09-30" in line(mine, "#2")
    overdue = await talk.text(ZHANG, "逾期", now=local_at("2026-07-03"))
    assert "#2" in overdue
    # Still not reported in late September: Q2 stays overdue while Q3 gets its own reminder, in one message.
    result = await pass_at(core, "2026-09-22T09:00")
    zhang = {(n.kind, n.period) for n in result.notices if n.recipient.person_id == bureau.people["张三"]}
    assert zhang == {("overdue", "2026-Q2"), ("reminder", "2026-Q3")}
    text = next(m for m in result.messages if m.recipient.startswith("张三")).texts[0]
    assert "任务2（第二季度）" in text and "任务2（第三季度）" in text


async def test_reporting_in_july_for_q2_clears_q2_without_touching_q3(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    await series(core, bureau, date(2026, 7, 1), date(2026, 7, 2))
    talk = Talk(core)
    reply = await talk.text(ZHANG, "进度 2 二季度督导已于6月底完成", now=local_at("2026-07-02", 15))
    assert "第二季度进展" in reply
    assert await series(core, bureau, date(2026, 7, 3), date(2026, 7, 10)) == {}  # no more overdue, no escalation
    # Q3 is still open: its own reminders come in September, and a report in August lands on Q3 only once asked.
    got = await series(core, bureau, date(2026, 9, 22), date(2026, 10, 9))
    assert got["2026-09-22"] == members("reminder", "2026-Q3", 5)
    assert got["2026-10-08"] == members("overdue", "2026-Q3", 1)  # the first working day after the National Day break
    async with core.db.session() as s:
        rows = {o.period_key: o.state for o in await s.scalars(select(Occurrence))}
    assert rows == {"2026-Q2": "reported"}


async def test_a_report_can_name_its_period_and_a_period_not_begun_is_refused(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    talk = Talk(core)
    assert "第三季度进展" in await talk.text(ZHANG, "进度 2 Q3 七月已开展督导", now=local_at("2026-07-20"))
    assert "尚未开始" in await talk.text(ZHANG, "进度 2 Q4 提前报", now=local_at("2026-07-20"))
    # Q2 (missed) is still the oldest open one: a plain report files against it.
    assert "第二季度进展" in await talk.text(ZHANG, "进度 2 补报二季度", now=local_at("2026-07-21"))
    detail = await talk.text(ZHANG, "#2", now=local_at("2026-07-21"))
    assert "各期情况" in detail and "第二季度（2026-06-30 截止）：✅ 已报送" in detail
    assert "第三季度（2026-09-30 截止）：✅ 已报送" in detail
    # Q9 is no period: it is plain text, and with both begun quarters reported it lands on the current one again.
    assert "第三季度进展：—，Q9 x" in await talk.text(ZHANG, "进度 2 Q9 x", now=local_at("2026-07-22"))


async def test_two_acks_for_two_periods_both_count_and_escalations_show_who_signed_that_period(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    talk = Talk(core)
    assert "已签收 #2 第二季度" in await talk.text(ZHANG, "签收 2", now=local_at("2026-06-23"))
    assert "已签收过 #2 第二季度" in await talk.text(ZHANG, "签收 2", now=local_at("2026-06-24"))
    # Q2 is missed; in July 张三 signs again: that is the next period (Q3), and it counts.
    assert "已签收 #2 第三季度" in await talk.text(ZHANG, "签收 2", now=local_at("2026-07-02"))
    async with core.db.session() as s:
        acks = [e.data for e in await s.scalars(select(TaskEvent).where(TaskEvent.kind == "ack").order_by(TaskEvent.id))]
    assert [a["period"] for a in acks] == ["2026-Q2", "2026-Q3"]
    got = await series(core, bureau, date(2026, 7, 1), date(2026, 7, 3))
    assert ("王五", "escalation_head", "2026-Q2", 3) in got["2026-07-03"]
    result = await pass_at(core, "2026-07-03T09:00")  # already planned: render from a fresh pass at the next step
    result = await pass_at(core, "2026-07-07T09:00")
    leader = next(m for m in result.messages if m.recipient.startswith("李康民"))
    assert "第二季度签收情况" in leader.texts[0]
    assert "张三已签收" in leader.texts[0] and "李四未签收" in leader.texts[0]


async def test_an_admin_waives_a_missed_period_and_it_stops_being_overdue(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    await series(core, bureau, date(2026, 7, 1), date(2026, 7, 1))
    talk = Talk(core)
    assert "已免报" not in await talk.text(ZHANG, "/waive 2 Q2 不报了", now=local_at("2026-07-02"))  # admins only
    reply = await talk.text(ADMIN, "/waive 2 Q2 机构调整，二季度不再报送", now=local_at("2026-07-02"))
    assert "已免报 #2 第二季度" in reply
    assert "已免报" in await talk.text(ADMIN, "/waive 2 Q2 再来一次", now=local_at("2026-07-02"))
    assert await series(core, bureau, date(2026, 7, 2), date(2026, 7, 8)) == {}
    async with core.db.session() as s:
        occurrence = await s.scalar(select(Occurrence))
        event = await s.scalar(select(TaskEvent).where(TaskEvent.kind == "waive"))
    assert occurrence is not None and occurrence.state == "waived" and occurrence.waived_by == ADMIN
    assert event is not None and event.data["period"] == "2026-Q2" and "机构调整" in (event.text or "")
    detail = await talk.text(ADMIN, "#2", now=local_at("2026-07-02"))
    assert "免报（telegram:1000：机构调整" in detail


async def test_a_monthly_task_across_the_2026_spring_festival(core: Core, bureau: Bureau) -> None:
    # 2026: 02-15…02-23 off; Sat 02-14 and Sat 02-28 are make-up working days. January's report is in.
    await add_task(core, bureau, "3", milestones=[{"due": date(2026, 12, 31), "kind": "recurring", "period": "month",
                                                   "window_start": date(2026, 1, 2)}])
    talk = Talk(core)
    assert "1月进展" in await talk.text(ZHANG, "进度 3 1月 已报送", now=local_at("2026-01-30"))
    got = await series(core, bureau, date(2026, 2, 9), date(2026, 3, 6))
    # February is due Sat 02-28 (a make-up working day); none of the nine days off sends anything.
    assert got == {
        "2026-02-14": members("reminder", "2026-02", 5),  # the make-up Saturday: 5 working days before 02-28
        "2026-02-25": members("reminder", "2026-02", 3),
        "2026-02-27": members("reminder", "2026-02", 1),
        "2026-02-28": members("reminder", "2026-02", 0),
        "2026-03-02": members("overdue", "2026-02", 1),
        "2026-03-03": members("overdue", "2026-02", 2),
        "2026-03-04": members("overdue", "2026-02", 3) | {("王五", "escalation_head", "2026-02", 3)},
        "2026-03-05": members("overdue", "2026-02", 4),
        "2026-03-06": members("overdue", "2026-02", 5) | {("李康民", "escalation_leader", "2026-02", 5)},
    }
    assert not any(day[5:7] == "02" and "15" <= day[8:] <= "23" for day in got)


async def test_an_ongoing_task_turns_yellow_after_two_unanswered_prompts_never_red(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "4", milestones=[{"due": None, "kind": "ongoing", "window_start": date(2026, 1, 2)}])
    talk = Talk(core)
    await talk.text(ZHANG, "进度 4 常态化推进中", now=local_at("2026-03-10"))
    # Prompts: 04-01 unanswered (one), still not yellow; 05-06 (after 劳动节) unanswered too: yellow.
    assert line(await talk.text(ZHANG, "我的任务", now=local_at("2026-04-20")), "#4").startswith("🟢")
    assert line(await talk.text(ZHANG, "我的任务", now=local_at("2026-05-07")), "#4").startswith("🟡")
    await talk.text(ZHANG, "进度 4 五月已推进", now=local_at("2026-05-08"))
    assert line(await talk.text(ZHANG, "我的任务", now=local_at("2026-05-08", 10)), "#4").startswith("🟢")


async def test_every_missed_period_climbs_the_ladder_and_the_overdue_item_names_the_oldest(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "5", milestones=[{"due": date(2026, 12, 31), "kind": "recurring", "period": "month",
                                                   "window_start": date(2026, 1, 2)}])
    names = {pid: name for name, pid in bureau.people.items()}
    result = await pass_at(core, "2026-03-06T09:00")  # January (due 01-30) and February (due Sat 02-28) both missed
    got = {(names[n.recipient.person_id], n.kind, n.period) for n in result.notices if n.recipient.person_id}
    assert {("王五", "escalation_head", "2026-01"), ("王五", "escalation_head", "2026-02"),
            ("李康民", "escalation_leader", "2026-01"), ("李康民", "escalation_leader", "2026-02")} <= got
    assert {(who, period) for who, kind, period in got if kind == "overdue"} == {("张三", "2026-01"), ("李四", "2026-01"), ("周七", "2026-01")}
    # January reported late: February is now the oldest, and nothing is escalated twice.
    await Talk(core).text(ZHANG, "进度 5 1月 补报", now=local_at("2026-03-06", 15))
    result = await pass_at(core, "2026-03-09T09:00")
    got = {(names[n.recipient.person_id], n.kind, n.period) for n in result.notices if n.recipient.person_id}
    assert {(who, period) for who, kind, period in got if kind == "overdue"} == {("张三", "2026-02"), ("李四", "2026-02"), ("周七", "2026-02")}
    assert not [k for _, k, _ in got if k.startswith("escalation")]


async def test_a_revised_table_that_recreates_the_milestones_keeps_each_periods_trail(core: Core, bureau: Bureau) -> None:
    task_id = await add_task(core, bureau, "2", milestones=[quarterly()])
    talk = Talk(core)
    await talk.text(ZHANG, "进度 2 二季度已督导", now=local_at("2026-06-15"))
    async with core.db.session() as s:  # what an import revision does: the task's milestones are replaced
        task = await s.get(Task, task_id)
        assert task is not None
        task.milestones = [Milestone(position=0, text="每季度报送", original_due=date(2026, 12, 31), **{k: v for k, v in quarterly().items() if k != "text"})]
    assert await series(core, bureau, date(2026, 7, 1), date(2026, 7, 3)) == {}  # Q2 still reported
    assert "第二季度（2026-06-30 截止）：✅ 已报送" in await talk.text(ZHANG, "#2", now=local_at("2026-07-01"))


async def test_periods_in_english(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[quarterly()])
    talk = Talk(core)
    await talk.text(ZHANG, "/lang en", now=local_at("2026-07-02"))
    assert "Recorded #2's report for Q2" in await talk.text(ZHANG, "progress 2 done in June", now=local_at("2026-07-02"))
    assert "Acknowledged #2 for Q3" in await talk.text(ZHANG, "ack 2", now=local_at("2026-07-02"))
    detail = await talk.text(ZHANG, "#2", now=local_at("2026-07-02"))
    assert "• Q2 (due 2026-06-30): ✅ reported" in detail and "• Q3 (due 2026-09-30): acknowledged by 张三" in detail
