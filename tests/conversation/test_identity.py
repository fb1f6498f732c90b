"""Invites and binding, /whoami, /unbind, /lang, and what unbound users are told (and not shown)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Account
from tests.conversation.conftest import ADMIN, GROUP, LI, NOW, STRANGER, WANG, Talk, at, texts


def _code(text: str) -> str:
    found = re.search(r"<code>([A-Za-z0-9_-]+)</code>", text)
    assert found, text
    return found.group(1)


async def test_invite_then_start_binds_the_account(talk: Talk) -> None:
    reply = await talk.text(ADMIN, "/invite 李康民")
    code = _code(reply)
    assert f"https://t.me/DubanBot?start={code}" in reply
    assert "2023-11-03 09:00" in reply  # valid for 7 days, shown in local time
    assert "绑定成功：你是 李康民" in await talk.text(STRANGER, f"/start {code}", now=NOW + timedelta(hours=1))
    whoami = await talk.text(STRANGER, "/whoami")
    assert "已绑定：李康民" in whoami and "telegram:4040" in whoami
    assert "#1" in await talk.text(STRANGER, "我的任务")


async def test_an_invite_works_once(talk: Talk) -> None:
    code = _code(await talk.text(ADMIN, "/invite 李康民"))
    assert "绑定成功" in await talk.text(STRANGER, f"/start {code}")
    assert "已经用过了" in await talk.text("telegram:5050", f"/start {code}")
    assert "还没有绑定" in await talk.text("telegram:5050", "我的任务")


@pytest.mark.parametrize(
    ("later", "bound"), [(timedelta(days=6, hours=23), True), (timedelta(days=7, minutes=1), False)]
)
async def test_an_invite_expires_after_seven_days(talk: Talk, later: timedelta, bound: bool) -> None:
    code = _code(await talk.text(ADMIN, "/invite 李康民"))
    reply = await talk.text(STRANGER, f"/start {code}", now=NOW + later)
    assert ("绑定成功" in reply) is bound
    assert ("已过期" in reply) is not bound


async def test_unknown_code_and_bare_start(talk: Talk) -> None:
    assert "邀请码无效" in await talk.text(STRANGER, "/start nosuchcode")
    greeting = await talk.text(STRANGER, "/start")
    assert "/invite" in greeting and "telegram:4040" in greeting
    assert "你好，李康民" in await talk.text(LI, "/start")


async def test_invite_needs_a_known_person_and_a_private_chat(talk: Talk) -> None:
    assert "没有找到人员「赵六」" in await talk.text(ADMIN, "/invite 赵六")
    assert "已新增人员 赵六" in await talk.text(ADMIN, "/person add 赵六 疾控股")
    assert "<code>" in await talk.text(ADMIN, "/invite 赵六")
    assert "私聊" in await talk.text(ADMIN, "/invite 赵六", group=GROUP)
    assert "私聊" in await talk.text(STRANGER, "/start abc", group=GROUP)


async def test_deep_link_only_where_the_channel_has_one(seeded) -> None:  # type: ignore[no-untyped-def]
    talk = Talk(seeded, bot_username=None)
    reply = await talk.text(ADMIN, "/invite 李康民")
    assert "t.me" not in reply and "/start " in reply
    assert "t.me" not in await talk.text("console:admin", "/invite 李康民")


async def test_unbind_removes_access(talk: Talk) -> None:
    assert "已解除与 李康民 的绑定" in await talk.text(LI, "/unbind")
    assert "还没有绑定" in await talk.text(LI, "我的任务")
    assert "无需解除" in await talk.text(LI, "/unbind")
    assert "尚未绑定人员" in await talk.text(LI, "/whoami")


UNBOUND_PHRASES = [
    "我的任务",
    "逾期",
    "本周到期",
    "三天内到期",
    "#11",
    "/task 11",
    "/section 医政医管股",
    "/leader 王卫健",
    "/search 胸痛中心",
    "签收 11",
    "进度 11 50% 开始",
    "完成 11",
    "延期 11 2023-12-15 理由",
    "/people",
    "/export",
]


async def test_unbound_users_get_an_explanation_and_no_data(talk: Talk) -> None:
    for phrase in UNBOUND_PHRASES:
        # On 2023-10-30 #11 would be in every list, were the caller allowed to see it.
        replies = await talk(STRANGER, phrase, now=at("2023-10-30"))
        text = texts(replies)
        assert "还没有绑定到人员" in text and "/invite" in text, phrase
        assert "#11" not in text and "胸痛" not in text, phrase
        assert not any(r.buttons or r.file or r.photo for r in replies), phrase
    async with talk.core.db.session() as session:
        assert await session.scalar(select(Account).where(Account.external_id == "4040")) is None


async def test_unbound_users_get_nothing_from_buttons_either(talk: Talk, task_id) -> None:  # type: ignore[no-untyped-def]
    ident = await task_id("11")
    for data in (f"t:{ident}", f"ack:{ident}", f"dk:{ident}", "pg:my:0", "pg:od:0"):
        replies = await talk(STRANGER, press=data)
        assert "还没有绑定到人员" in texts(replies)
        assert "胸痛" not in texts(replies)


async def test_admin_without_binding_is_told_how_to_get_my_tasks(talk: Talk) -> None:
    assert "还没有绑定到具体人员" in await talk.text(ADMIN, "我的任务")
    assert "#11" in await talk.text(ADMIN, "逾期", now=NOW + timedelta(days=7))


async def test_language_per_account(talk: Talk) -> None:
    assert "Language set to English" in await talk.text(WANG, "/lang en")
    text = await talk.text(WANG, "my tasks")
    assert text.startswith("<b>My tasks</b>")
    assert "2023-10-31, 2 working days left" in text
    assert "Bound to: 王卫健" in await talk.text(WANG, "/whoami")
    assert "<b>我的任务</b>" in await talk.text(LI, "我的任务")  # others keep Chinese
    assert "已切换为中文" in await talk.text(WANG, "/lang 中文")
    assert "当前语言：中文" in await talk.text(WANG, "/lang")
    async with talk.core.db.session() as session:
        account = await session.scalar(select(Account).where(Account.external_id == "2001"))
        assert account is not None and account.lang == "zh"


async def test_unbound_users_can_still_choose_a_language(talk: Talk) -> None:
    await talk(STRANGER, "/lang en")
    text = await talk.text(STRANGER, "my tasks")
    assert "is not bound to a person yet" in text


async def test_default_language_comes_from_settings(seeded) -> None:  # type: ignore[no-untyped-def]
    seeded.settings.language = "en"
    talk = Talk(seeded)
    assert (await talk.text(WANG, "my tasks")).startswith("<b>My tasks</b>")
