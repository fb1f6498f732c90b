"""/prefer: one bound on Telegram, WeCom, DingTalk and the console gets each notice once, on the preferred channel.

Reminders are planned by the real scheduler pass and the WeCom ones delivered to a fake WeCom; notices between
people (办结, decisions) go through ``recipients()``. Without a choice, the most recently bound account wins.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.wecom import build_wecom_notifier
from bot.core import Core
from bot.db.models import Account, OutboxMessage
from bot.services import notices
from config import Settings
from config.settings import WeComSettings
from handlers.app import handle
from bot.contracts import Chat, Request, Sender
from scheduler.outbox import drain
from tests.fakes.wecom_api import FakeWeCom
from tests.scheduler.conftest import at, pass_at
from tests.scheduler.seed import T0, seed_bureau
from tests.scheduler.test_reports import seed_colours

WECOM_ID = "zhangsan"


@pytest.fixture
async def fake() -> FakeWeCom:  # type: ignore[misc]
    """A fake WeCom where 张三 is a member."""
    async with FakeWeCom(users=(WECOM_ID,)) as server:
        yield server


@pytest.fixture
def settings(fake: FakeWeCom) -> Settings:
    """WeCom pointed at the fake."""
    wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id, secret=fake.secret)
    return Settings(_env_file=None, admins=["console:admin"], wecom=wecom)  # type: ignore[call-arg]


async def zhang_everywhere(core: Core) -> int:
    """The bureau with 张三 bound on Telegram (T0), DingTalk (12 h later), WeCom (a day later), the console (two days)."""
    bureau = await seed_bureau(core)
    await seed_colours(core, bureau)
    zhang = bureau.people["张三"]
    async with core.db.session() as s:
        s.add(Account(channel="wecom", external_id=WECOM_ID, person_id=zhang, bound_at=T0 + timedelta(days=1),
                      created_at=T0))
        s.add(Account(channel="dingtalk", external_id="dtzhang", person_id=zhang, bound_at=T0 + timedelta(hours=12),
                      created_at=T0))
        s.add(Account(channel="console", external_id="zhang", person_id=zhang, bound_at=T0 + timedelta(days=2),
                      created_at=T0))
    return zhang


async def say(core: Core, channel: str, who: str, text: str) -> str:
    """One private message through the real conversation; the reply texts joined."""
    request = Request(sender=Sender(channel, who, who), chat=Chat(channel, who, "private"), now=at("2025-10-09T12:00"),
                      text=text)
    return "\n".join(r.text for r in await handle(core, request))


async def zhang_rows(core: Core, after: int = 0) -> list[tuple[int, str]]:
    """The outbox rows (id, ``channel:target``) after id ``after`` addressed to any of 张三's accounts."""
    async with core.db.session() as s:
        rows = (await s.execute(select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.target)
                                .where(OutboxMessage.target.in_(["101", WECOM_ID, "dtzhang", "zhang"]), OutboxMessage.id > after)
                                .order_by(OutboxMessage.id))).all()
    return [(row_id, f"{channel}:{target}") for row_id, channel, target in rows]


async def test_one_reminder_on_the_latest_bound_channel_then_on_the_preferred_one(core: Core, fake: FakeWeCom) -> None:
    await zhang_everywhere(core)
    await pass_at(core, "2025-10-09T09:00")
    first = await zhang_rows(core)
    assert first and {key for _, key in first} == {f"wecom:{WECOM_ID}"}  # bound on WeCom after Telegram; the console never
    notifier = build_wecom_notifier(core)
    try:
        await drain(core, {"wecom": notifier}, lambda: at("2025-10-09T09:00"), timeout=20)
    finally:
        await notifier.delivery.aclose()
    assert len(fake.texts_to(WECOM_ID)) == len(first)  # one text per reminder (each with its card of buttons)

    assert "dingtalk" in await say(core, "wecom", WECOM_ID, "/prefer dingtalk")  # not bound there: refused
    assert "telegram" in await say(core, "wecom", WECOM_ID, "/prefer telegram")
    assert "telegram" in await say(core, "telegram", "101", "/prefer")
    await pass_at(core, "2025-10-10T09:00")
    second = await zhang_rows(core, first[-1][0])
    assert second and {key for _, key in second} == {"telegram:101"}

    assert "dingtalk" in await say(core, "dingtalk", "dtzhang", "/prefer dingtalk")
    await pass_at(core, "2025-10-13T09:00")
    third = await zhang_rows(core, second[-1][0])
    assert third and {key for _, key in third} == {"dingtalk:dtzhang"}

    assert await say(core, "wecom", WECOM_ID, "/prefer auto")
    await pass_at(core, "2025-10-14T09:00")
    fourth = await zhang_rows(core, third[-1][0])
    assert fourth and {key for _, key in fourth} == {f"wecom:{WECOM_ID}"}


async def test_notices_between_people_reach_one_account_per_person(core: Core) -> None:
    zhang = await zhang_everywhere(core)
    async with core.db.session() as s:
        silent = core.silent_channels
        assert silent == {"console"}  # by its capabilities
        assert await notices.recipients(s, people=[zhang], default_lang="zh", silent=silent) == {f"wecom:{WECOM_ID}": "zh"}
        assert await notices.set_preferred_channel(s, zhang, "telegram", silent=silent)
        assert await notices.recipients(s, people=[zhang], default_lang="zh", silent=silent) == {"telegram:101": "zh"}
        assert not await notices.set_preferred_channel(s, zhang, "console", silent=silent)  # cannot reach anyone unasked
        assert await notices.channel_choice(s, zhang, silent=silent) == ("telegram", ["dingtalk", "telegram", "wecom"])


async def test_an_admin_listed_by_account_and_bound_as_a_person_gets_one_copy(core: Core) -> None:
    zhang = await zhang_everywhere(core)
    async with core.db.session() as s:
        silent = core.silent_channels
        await notices.set_preferred_channel(s, zhang, "telegram", silent=silent)
        # 张三 is one of the people told and an admin by two of their accounts: one copy, on the preferred channel.
        both = await notices.recipients(s, people=[zhang], accounts=[f"wecom:{WECOM_ID}", "dingtalk:dtzhang"],
                                        default_lang="zh", silent=silent)
        assert both == {"telegram:101": "zh"}
        # Told only as an admin, by both accounts: still one copy, on the account the person would get.
        admins = await notices.recipients(s, accounts=[f"wecom:{WECOM_ID}", "telegram:101"], default_lang="zh",
                                          silent=silent)
        assert admins == {"telegram:101": "zh"}
        # An admin account bound to no one is kept as listed.
        assert await notices.recipients(s, accounts=["telegram:999"], default_lang="zh", silent=silent) == {
            "telegram:999": "zh"}
