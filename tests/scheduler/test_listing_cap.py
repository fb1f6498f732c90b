"""One message run lists at most reminders.max_listed tasks; a closing line counts the rest and the ledger keeps them all."""

from __future__ import annotations

import re
from datetime import date


from bot.core import Core
from scheduler.ledger import every_key
from tests.scheduler.conftest import GROUP, pass_at
from tests.scheduler.seed import Bureau, add_task, dated


async def seed_many(core: Core, b: Bureau) -> None:
    """35 tasks overdue since 9-30 and 10 due on 10-14, all 疾控股's and led by 李康民."""
    for i in range(1, 36):
        await add_task(core, b, str(i), milestones=[dated(date(2025, 9, 30))])
    for i in range(36, 46):
        await add_task(core, b, str(i), milestones=[dated(date(2025, 10, 14))])


def listed(texts: tuple[str, ...]) -> list[str]:
    """The task numbers a message run lists, in order."""
    return [no for text in texts for no in re.findall(r"<b>(\d+)</b>", text)]


async def test_a_busy_member_gets_the_30_most_urgent_and_a_line_counting_the_rest(core: Core, bureau: Bureau) -> None:
    await seed_many(core, bureau)
    result = await pass_at(core, "2025-10-09T09:00")
    zhang = next(m for m in result.messages if m.recipient.startswith("张三"))
    assert len(zhang.notice_keys) == 45  # all of them were told: listed or counted
    assert listed(zhang.texts) == [str(i) for i in range(1, 31)]  # overdue first, in table order
    assert len(zhang.texts) == 4  # 30 items with a keyboard row each, 8 per message
    assert "<b>已逾期（35 项）</b>" in zhang.texts[0] and "即将到期" not in "".join(zhang.texts[:3])
    assert zhang.texts[-1].splitlines()[-2:] == [
        "……另有 15 项未列出（已逾期 5 项、即将到期 10 项）。发送「逾期」查看全部逾期任务，「我的任务」查看你的全部任务。",
        "可点按钮签收、明天再提醒或办结；回复「进度 序号 50% 说明」填报进度。",
    ]
    digest = next(m for m in result.messages if m.kind == "digest" and m.target and m.target.chat_id == str(GROUP))
    assert len(digest.texts) == 1 and listed(digest.texts) == [str(i) for i in range(1, 31)]
    assert digest.texts[0].splitlines()[1] == "🔴 <b>已逾期（35 项）</b>"
    assert digest.texts[0].splitlines()[-1] == (
        "……另有 15 项未列出（🔴 已逾期 5 项、🔵 5 个工作日内到期 10 项）。在本群发送「逾期」查看全部逾期任务，或私聊机器人发送 /export 导出台账。")
    leader = next(m for m in result.messages if m.kind == "weekly_leader")  # 10-09 opens week 41 (National Day)
    assert listed(leader.texts) == [str(i) for i in range(1, 31)]
    assert "……另有 15 项未列出（🔴 已逾期 5 项、🔵 5 个工作日内到期 10 项）。发送「我的任务」查看全部，或 /export 导出台账。" in leader.texts[-1]
    admin = next(m for m in result.messages if m.kind == "weekly_admin")
    assert "发送 /export 导出完整台账" in admin.texts[-1] and "各股室按时完成率" in admin.texts[-1]
    # The counted ones are in the ledger too: the afternoon's pass has nothing new for 张三.
    async with core.db.session() as s:
        told = sum(person == bureau.people["张三"] for _, _, person, _ in await every_key(s))
    assert told == 45
    assert [m for m in (await pass_at(core, "2025-10-09T16:00")).messages if m.recipient.startswith("张三")] == []
    # The next working day the overdue ones come again (keyed by day) and the reminders reach their next step
    # (3 working days left, counting Saturday 10-11's make-up day): the same 30 listed, the same 15 counted.
    friday = next(m for m in (await pass_at(core, "2025-10-10T09:00")).messages if m.recipient.startswith("张三"))
    assert listed(friday.texts) == [str(i) for i in range(1, 31)] and "另有 15 项未列出（已逾期 5 项、即将到期 10 项）" in friday.texts[-1]


async def test_a_higher_max_listed_lists_everything_without_a_closing_line(core: Core, bureau: Bureau) -> None:
    await seed_many(core, bureau)
    core.settings.reminders.max_listed = 45
    result = await pass_at(core, "2025-10-09T09:00")
    zhang = next(m for m in result.messages if m.recipient.startswith("张三"))
    assert listed(zhang.texts) == [str(i) for i in range(1, 46)]
    assert len(zhang.texts) == 6 and not any("未列出" in text for m in result.messages for text in m.texts)


async def test_english_recipients_get_the_closing_line_in_english(core: Core, bureau: Bureau) -> None:
    await seed_many(core, bureau)
    core.settings.language = "en"
    core.settings.reminders.max_listed = 40
    result = await pass_at(core, "2025-10-09T09:00")
    zhang = next(m for m in result.messages if m.recipient.startswith("张三"))
    assert ("…and 5 more not listed (5 due soon). Send \"overdue\" to see every overdue task, \"my tasks\" to see all of yours."
            in zhang.texts[-1].splitlines())
