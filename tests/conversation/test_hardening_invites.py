"""Invites an attacker or a careless user might abuse (issue 10: 10): re-binding, two codes at once, guessing."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Account, Invite, InviteFailure
from scheduler.jobs import run_pass
from tests.conversation.conftest import ADMIN, LI, NOW, STRANGER, Talk, texts


def _code(text: str) -> str:
    found = re.search(r"<code>([A-Za-z0-9_-]+)</code>", text)
    assert found, text
    return found.group(1)


@pytest.mark.parametrize("known", [False, True], ids=["new account", "known account"])
async def test_one_account_redeeming_two_codes_at_once_binds_once(talk: Talk, known: bool) -> None:
    if known:
        await talk(STRANGER, "/lang zh")  # the account exists before both requests start
    first = _code(await talk.text(ADMIN, "/invite 李康民"))
    second = _code(await talk.text(ADMIN, "/invite 王卫健"))
    answers = await asyncio.gather(talk(STRANGER, f"/start {first}"), talk(STRANGER, f"/start {second}"))
    said = [texts(a) for a in answers]
    assert sum("绑定成功" in s for s in said) == 1
    async with talk.core.db.session() as session:
        account = await session.scalar(select(Account).where(Account.external_id == "4040"))
        used = (await session.scalars(select(Invite.code).where(Invite.used_at.is_not(None)))).all()
    assert account is not None and len(used) == 1


async def test_an_account_bound_to_one_person_cannot_take_anothers_code(talk: Talk) -> None:
    code = _code(await talk.text(ADMIN, "/invite 王卫健"))
    said = await talk.text(LI, f"/start {code}")
    assert "已绑定为 李康民" in said and "/unbind" in said and "绑定成功" not in said
    assert "已绑定：李康民" in await talk.text(LI, "/whoami")
    assert "绑定成功：你是 王卫健" in await talk.text(STRANGER, f"/start {code}")  # the code was not used up


async def test_wrong_codes_slow_an_account_down_for_ten_minutes(talk: Talk) -> None:
    code = _code(await talk.text(ADMIN, "/invite 李康民"))
    for minute in range(5):
        assert "邀请码无效" in await talk.text(STRANGER, f"/start wrong{minute}", now=NOW + timedelta(minutes=minute))
    last = NOW + timedelta(minutes=4)
    refused = await talk.text(STRANGER, f"/start {code}", now=last + timedelta(seconds=1))
    assert "错误次数过多" in refused and "10 分钟后" in refused
    assert "错误次数过多" in await talk.text(STRANGER, f"/start {code}", now=last + timedelta(minutes=10, seconds=-1))
    assert "邀请码无效" in await talk.text("telegram:5050", "/start wrong", now=last)  # other accounts are not held up
    assert "绑定成功：你是 李康民" in await talk.text(STRANGER, f"/start {code}", now=last + timedelta(minutes=10))


async def test_wrong_codes_spread_over_more_than_ten_minutes_do_not_lock(talk: Talk) -> None:
    for minute in (0, 3, 6, 9, 12):
        await talk.text(STRANGER, "/start wrong", now=NOW + timedelta(minutes=minute))
    assert "邀请码无效" in await talk.text(STRANGER, "/start wrong", now=NOW + timedelta(minutes=12, seconds=1))


async def test_wrong_codes_are_forgotten_by_the_daily_pass_after_a_day(talk: Talk) -> None:
    await talk.text(STRANGER, "/start wrong")
    await run_pass(talk.core, NOW + timedelta(days=1))
    async with talk.core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InviteFailure)) == 1
    await run_pass(talk.core, NOW + timedelta(days=1, seconds=1))
    async with talk.core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InviteFailure)) == 0
