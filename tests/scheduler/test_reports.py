"""Group digests and the Monday weekly report: content, colours, scope, and the empty digest not sent."""

from __future__ import annotations

from datetime import date

from bot.core import Core
from bot.db.models import ChatSubscription
from tests.scheduler.conftest import GROUP, at, pass_at, seen
from tests.scheduler.seed import T0, Bureau, add_task, dated

WINDOW = date(2025, 1, 2)


async def seed_colours(core: Core, b: Bureau) -> None:
    """One task of each colour in 疾控股, and an overdue one in 医政股 (as of 2025-10-09)."""
    await add_task(core, b, "1", milestones=[dated(date(2025, 9, 30))], title="红色任务")
    await add_task(core, b, "2", milestones=[dated(date(2025, 12, 31), window_start=WINDOW)], title="黄色任务",
                   progress_percent=10, progress_at=at("2025-10-08T10:00"))
    await add_task(core, b, "3", milestones=[dated(date(2025, 10, 14))], title="蓝色任务")
    await add_task(core, b, "4", milestones=[dated(date(2025, 12, 31))], title="绿色任务")
    await add_task(core, b, "5", milestones=[dated(date(2025, 9, 30))], sections=("医政股",), title="医政逾期")
    await add_task(core, b, "6", milestones=[dated(date(2025, 9, 26))], title="按时办结", status="done", done_at=at("2025-09-25T10:00"))
    await add_task(core, b, "7", milestones=[dated(date(2025, 9, 26))], title="逾期办结", status="done", done_at=at("2025-09-29T10:00"))


async def test_a_group_digest_lists_red_yellow_and_due_soon_tasks_of_its_sections_only(core: Core, bureau: Bureau) -> None:
    await seed_colours(core, bureau)
    async with core.db.session() as s:
        s.add(ChatSubscription(channel="telegram", chat_id="-600", section_id=bureau.sections["办公室"], title="办公室群", created_at=T0))
        s.add(ChatSubscription(channel="telegram", chat_id="-700", section_id=None, title="全局群", created_at=T0))
    result = await pass_at(core, "2025-10-09T09:00")
    digests = {m.target.chat_id: m.texts for m in result.messages if m.kind == "digest" and m.target}
    assert set(digests) == {str(GROUP), "-700"}  # 办公室 has nothing red, yellow or due soon: no empty digest
    text = digests[str(GROUP)][0]
    assert text.splitlines() == [
        "<b>今日督办</b> · 10月9日 · 疾控股",
        "🔴 <b>已逾期（1 项）</b>",
        "<b>1</b> 红色任务 · 疾控股 · 截止 9月30日，已逾期 1 个工作日",
        "🟡 <b>落后于序时进度（1 项）</b>",
        "<b>2</b> 黄色任务 · 疾控股 · 截止 12月31日，还有 60 个工作日",
        "🔵 <b>5 个工作日内到期（1 项）</b>",
        "<b>3</b> 蓝色任务 · 疾控股 · 截止 10月14日，还有 4 个工作日",
    ]
    assert "医政逾期" in digests["-700"][0] and "绿色任务" not in digests["-700"][0]
    # Once a day; the next working day brings a new one.
    assert [m for m in (await pass_at(core, "2025-10-09T16:00")).messages if m.kind == "digest"] == []
    assert {m.target.chat_id for m in (await pass_at(core, "2025-10-10T09:00")).messages if m.kind == "digest" and m.target} == {str(GROUP), "-700"}


async def test_no_digest_on_a_non_working_day(core: Core, bureau: Bureau) -> None:
    await seed_colours(core, bureau)
    assert (await pass_at(core, "2025-10-12T09:00")).messages == []  # a Sunday


async def test_the_weekly_report_goes_to_each_lead_leader_and_the_admins_with_a_ranking(core: Core, bureau: Bureau) -> None:
    await seed_colours(core, bureau)
    monday = await pass_at(core, "2025-10-13T09:00")
    weekly = {m.kind: m for m in monday.messages if m.kind.startswith("weekly")}
    leader = weekly["weekly_leader"]
    assert leader.recipient == "李康民 (telegram:105)"
    assert leader.texts[0].splitlines()[:2] == ["<b>督办周报</b> · 2025 年第 42 周 · 李康民", "您牵头的 5 项任务："]
    for line in ("🔴 <b>已逾期（2 项）</b>", "🟡 <b>落后于序时进度（1 项）</b>", "🔵 <b>5 个工作日内到期（1 项）</b>", "🟢 <b>正常推进（1 项）</b>"):
        assert line in leader.texts[0]
    admin = weekly["weekly_admin"]
    assert admin.target is not None and admin.target.key == "telegram:1000"  # console:admin cannot be written to
    text = admin.texts[0]
    assert "共 5 项未办结：🔴 2　🟡 1　🔵 1　🟢 1" in text
    # 疾控股: 6 on time, 7 done late, 1 overdue → 1/3; 医政股: 5 overdue → 0/1; 办公室 has nothing to judge.
    assert text.splitlines()[-4:] == [
        "<b>各股室按时完成率</b>（已办结及已逾期任务）",
        "1. 疾控股 33%（1/3）",
        "2. 医政股 0%（0/1）",
        "3. 办公室 —（暂无到期任务）",
    ]
    tuesday = await pass_at(core, "2025-10-14T09:00")
    assert [m for m in tuesday.messages if m.kind.startswith("weekly")] == []


async def test_the_weekly_report_waits_for_the_first_working_day_when_monday_is_a_holiday(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 12, 31))])
    # Week 41 of 2025: Mon 10-06 to Wed 10-08 are National Day holidays; Thu 10-09 is its first working day.
    assert (await pass_at(core, "2025-10-06T09:00")).messages == []
    thursday = await pass_at(core, "2025-10-09T09:00")
    assert {(who, kind) for who, kind, _ in seen(thursday, bureau) if kind.startswith("weekly")} == {
        ("李康民", "weekly_leader"), ("account:1000", "weekly_admin")}


async def test_a_long_report_is_split_into_numbered_parts_under_the_chat_limit(core: Core, bureau: Bureau) -> None:
    core.settings.reminders.max_listed = 200  # list everything (the default lists 30, see test_listing_cap)
    for i in range(1, 121):
        await add_task(core, bureau, str(i), milestones=[dated(date(2025, 10, 14))], title=f"很长的任务标题{i}" + "加强基层卫生服务能力建设" * 5)
    result = await pass_at(core, "2025-10-13T09:00")
    admin = next(m for m in result.messages if m.kind == "weekly_admin")
    assert len(admin.texts) > 2
    assert all(len(text) <= 4096 for m in result.messages for text in m.texts)
    assert f"（续 1/{len(admin.texts)}）" in admin.texts[0] and "各股室按时完成率" in admin.texts[-1]
    zhang = [m for m in result.messages if m.recipient.startswith("张三")]
    assert len(zhang) == 1 and len(zhang[0].texts) == 15  # 120 tasks, 8 per message (a keyboard row each)
