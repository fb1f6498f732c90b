"""``绑定 CODE`` on Telegram through the real PTB application polling a fake Bot API (WeCom's: test_wecom_cards)."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.db.models import Person
from bot.services.accounts import create_invite
from tests.channels.telegram_harness import Clock, running_duban
from tests.channels.test_telegram_e2e import NOW, STRANGER, settings, world  # noqa: F401 - fixtures
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")


async def test_the_binding_phrase_binds_a_telegram_account(core: Core, world: FakeTelegram) -> None:  # noqa: F811
    from sqlalchemy import select

    async with core.db.session() as session:
        person = await session.scalar(select(Person).where(Person.name == "李康民"))
        assert person is not None
        code = (await create_invite(session, person, created_by="cli", now=NOW)).code
    async with running_duban(core, world, Clock(NOW)) as duban:
        turn = await duban.send(STRANGER, f"绑定 {code}")
        assert "绑定成功：你是 李康民" in turn.text
        assert "李康民" in (await duban.send(STRANGER, "/whoami")).text
