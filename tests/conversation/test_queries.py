"""Queries in private chats and groups: 我的任务, 逾期, N天内到期, 本周到期, #N, section, leader, search, paging."""

from __future__ import annotations

import re
from datetime import date

from tests.conversation.conftest import ADMIN, GROUP, LI, WANG, ZHANG, Talk, at, button_datas, texts
from tests.conversation.seed import insert_many


async def test_my_tasks_lists_led_tasks_first_with_days_left_and_colour(talk: Talk) -> None:
    replies = await talk(WANG, "我的任务")
    text = texts(replies)
    lines = text.splitlines()
    assert lines[0].startswith("<b>我的任务</b>")
    assert lines[1] == "<b>牵头领导</b>"
    # #11 is the only one of 王卫健's tasks due before the year end, so it comes first. Nothing has been
    # reported for more than 10 working days past half its window: yellow (behind 序时进度), not blue.
    assert lines[2].startswith("🟡 <b>#11</b>")
    assert "2023-10-31 剩 2 个工作日" in lines[2]
    assert "牵头股室" not in text  # 王卫健 belongs to no section


async def test_my_tasks_of_a_section_member_come_under_the_section_heading(talk: Talk) -> None:
    text = await talk.text(ZHANG, "my tasks")
    assert "<b>牵头股室</b>" in text and "<b>牵头领导</b>" not in text
    assert "#11" in text
    assert "(共 5 项)" in text.replace("（", "(").replace("）", ")")  # 医政医管股 leads 5 rows


async def test_overdue_shows_task_past_its_milestone_in_working_days(talk: Talk) -> None:
    for phrase in ("逾期", "/overdue", "overdue", "超期"):
        text = await talk.text(WANG, phrase, now=at("2023-11-03"))
        assert "🔴 <b>#11</b>" in text, phrase
        assert "2023-10-31 逾期 3 个工作日" in text, phrase


async def test_overdue_is_limited_to_the_callers_tasks(talk: Talk) -> None:
    assert "#11" not in await talk.text(LI, "逾期", now=at("2023-11-03"))
    assert "#11" in await talk.text(ADMIN, "逾期", now=at("2023-11-03"))
    assert "没有逾期任务" in await talk.text(WANG, "逾期", now=at("2023-10-31"))


async def test_due_within_n_working_days(talk: Talk) -> None:
    # On Friday 10-27, #11 (due Tuesday 10-31) is 2 working days away.
    cases = [
        ("三天内到期", True),
        ("3天内到期", True),
        ("/due 3", True),
        ("due within 3 days", True),
        ("两天内到期", True),
        ("/due 1", False),
        ("一天内到期", False),
        ("/due", True),  # default: the blue threshold, 5 working days
    ]
    for phrase, listed in cases:
        assert ("#11" in await talk.text(WANG, phrase)) is listed, phrase
    assert "用法：/due N" in await talk.text(WANG, "/due soon")


async def test_due_this_week_runs_to_sunday(talk: Talk) -> None:
    for day, listed in (("2023-10-27", False), ("2023-10-30", True), ("2023-11-01", False)):
        assert ("#11" in await talk.text(ZHANG, "本周到期", now=at(day))) is listed, day


async def test_detail_shows_content_roles_milestone_phrase_and_action_buttons(talk: Talk) -> None:
    replies = await talk(WANG, "#11")
    text = texts(replies)
    assert "胸痛中心" in text
    assert "牵头领导：王卫健" in text and "牵头股室：医政医管股" in text
    assert "2023-10-31〔限期〕原文：「10月底前」" in text
    assert "暂无记录" in text
    labels = button_datas(replies)
    assert set(labels) == {"签收", "更新进度", "办结", "申请延期"}
    assert all(len(data.encode()) <= 64 for data in labels.values())


async def test_detail_phrases(talk: Talk) -> None:
    for phrase in ("#11", "/task 11", "任务 11", "task #11", "＃11", "#1/11", "＃１１", "#１／１１", "任务１１"):
        assert "胸痛中心" in await talk.text(ZHANG, phrase), phrase


async def test_detail_of_a_task_one_may_not_see_looks_like_a_missing_one(talk: Talk) -> None:
    assert "没有找到你可查看的任务 #11" in await talk.text(LI, "#11")
    assert "没有找到你可查看的任务 #999" in await talk.text(LI, "#999")


async def test_section_leader_and_search_stay_within_what_the_caller_sees(talk: Talk) -> None:
    assert "#11" in await talk.text(ZHANG, "/section 医政医管股")
    assert "#11" not in await talk.text(LI, "/section 医政医管股")
    assert "#11" in await talk.text(WANG, "/leader 王卫健")
    assert "没有你可查看" in await talk.text(LI, "/leader 王卫健")
    assert "#11" in await talk.text(ADMIN, "/search 胸痛中心")
    assert "#11" in await talk.text(WANG, "搜索 胸痛中心")
    assert "没有找到包含「胸痛中心」的任务" in await talk.text(LI, "/search 胸痛中心")
    assert "没有找到股室「不存在股」" in await talk.text(ADMIN, "/section 不存在股")


async def test_search_treats_percent_and_underscore_literally(talk: Talk) -> None:
    assert "#11" in await talk.text(ADMIN, "/search 胸痛中心")
    for term in ("胸%中心", "胸_中心"):
        assert f"没有找到包含「{term}」的任务" in await talk.text(ADMIN, f"/search {term}")


async def test_group_answers_for_its_subscribed_sections_only(talk: Talk) -> None:
    when = at("2023-11-03")
    assert "还没有订阅任何股室" in await talk.text(WANG, "逾期", group=GROUP, now=when)
    assert "已订阅：疾控股" in await talk.text(ADMIN, "/subscribe 疾控股", group=GROUP)
    assert "#11" not in await talk.text(WANG, "逾期", group=GROUP, now=when)
    assert "#11" not in await talk.text(ADMIN, "/search 胸痛中心", group=GROUP)
    await talk(ADMIN, "/subscribe 医政医管股", group=GROUP)
    text = await talk.text(LI, "逾期", group=GROUP, now=when)
    assert "🔴 <b>#11</b>" in text
    assert "#11" in await talk.text(ZHANG, "本周到期", group=GROUP, now=at("2023-10-30"))
    assert "#11" in await talk.text(LI, "#11", group=GROUP)
    assert "本群没有订阅任何股室" in await talk.text(ADMIN, "/unsubscribe", group=GROUP)
    assert "还没有订阅任何股室" in await talk.text(WANG, "逾期", group=GROUP, now=when)


async def test_subscribe_all_and_partial_unsubscribe(talk: Talk) -> None:
    assert "全部股室" in await talk.text(ADMIN, "/subscribe all", group=GROUP)
    assert "#11" in await talk.text(WANG, "逾期", group=GROUP, now=at("2023-11-03"))
    await talk(ADMIN, "/unsubscribe", group=GROUP)
    await talk(ADMIN, "/subscribe 疾控股、医政医管股", group=GROUP)
    assert "已订阅：医政医管股、疾控股" in await talk.text(ADMIN, "/subscribe", group=GROUP)
    assert "已订阅：疾控股" in await talk.text(ADMIN, "/unsubscribe 医政医管股", group=GROUP)
    assert "没有找到股室「火星股」" in await talk.text(ADMIN, "/subscribe 火星股", group=GROUP)
    assert "请在群聊中使用" in await talk.text(ADMIN, "/subscribe all")


async def test_my_tasks_in_a_group_keep_to_the_groups_sections(talk: Talk) -> None:
    await talk(ADMIN, "/subscribe 疾控股", group=GROUP)
    assert "#11" not in await talk.text(WANG, "我的任务", group=GROUP)
    assert "#11" in await talk.text(WANG, "我的任务")


async def test_long_lists_are_paged_with_buttons_that_edit_in_place(talk: Talk) -> None:
    await insert_many(
        talk.core,
        title="批量表",
        leader="王卫健",
        section="医政医管股",
        count=23,
        due=date(2023, 11, 30),
        now=at("2023-10-01"),
    )
    first = await talk(WANG, "我的任务")  # 11 rows of the 2023 table and 23 of the newer one: 4 pages
    assert "第 1/4 页" in first[0].text
    assert len(re.findall(r"^\S+ <b>#", first[0].text, re.MULTILINE)) == 10
    buttons = button_datas(first)
    assert "◀" not in buttons and "▶" in buttons
    second = await talk(WANG, press=buttons["▶"])
    assert second[0].edit
    assert "第 2/4 页" in second[0].text
    assert set(button_datas(second)) >= {"◀", "▶"}
    last = await talk(WANG, press="pg:my:3")
    assert "第 4/4 页" in last[0].text and "▶" not in button_datas(last)
    # The newer table's tasks are #N; the older table's are written #table/N.
    assert "🟡 <b>#1/11</b>" in first[0].text
    assert "<b>#1</b> 批量任务1" in first[0].text


async def test_paging_past_the_end_shows_the_last_page(talk: Talk) -> None:
    replies = await talk(ADMIN, press="pg:od:99", now=at("2024-01-05"))
    assert "第 5/5 页" in replies[0].text  # 43 dated tasks overdue after the year end
    assert replies[0].edit
