"""Group robots per section: registered in chat and the CLI, each posting its own sections' digests to its group.

The digests are planned by the real scheduler pass and delivered by the real outbox through the WeCom notifier
to a fake WeCom that knows several robots (each its own key and its own 20 a minute).
"""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.channels.wecom import build_wecom_app, build_wecom_notifier
from bot.channels.wecom.delivery import robot_bucket
from bot.core import Core
from bot.db.models import ChatSubscription, GroupRobot, OutboxMessage
from bot.services import robots
from bot.services.robots import RobotError
from config import Settings
from config.settings import WeComSettings
from handlers.app import handle
from bot.contracts import Chat, Request, Sender
from scheduler.outbox import drain
from tests.fakes.wecom_api import FakeWeCom
from tests.scheduler.conftest import at, pass_at
from tests.scheduler.seed import T0, seed_bureau
from tests.scheduler.test_reports import seed_colours

KEY_A = "6a3e1c2f-0000-4bc4-97a0-0ec2aaaaaaaa"
KEY_B = "7b4f2d30-1111-4bc4-97a0-0ec2bbbbbbbb"
URL_A = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY_A}"
ADMIN = "admin1"


@pytest.fixture
async def fake() -> FakeWeCom:  # type: ignore[misc]
    """A fake WeCom with two extra robots (two groups)."""
    async with FakeWeCom(users=(ADMIN, "zhangsan")) as server:
        server.add_robot(KEY_A)
        server.add_robot(KEY_B)
        yield server


@pytest.fixture
def settings(fake: FakeWeCom) -> Settings:
    """WeCom pointed at the fake; no DUBAN_WECOM__ROBOT_KEY (robots are registered)."""
    wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id, secret=fake.secret,
                          token=fake.token, encoding_aes_key=fake.encoding_aes_key)
    return Settings(_env_file=None, admins=["console:admin", f"wecom:{ADMIN}"], wecom=wecom)  # type: ignore[call-arg]


async def say(core: Core, who: str, text: str, now: datetime = T0) -> str:
    """One WeCom app message through the real conversation; the reply texts joined."""
    request = Request(sender=Sender("wecom", who, who), chat=Chat("wecom", who, "private"), now=now, text=text)
    return "\n".join(r.text for r in await handle(core, request))


async def test_the_registry_masks_keys_suggests_sections_and_cleans_up(core: Core) -> None:
    await seed_bureau(core)
    async with core.db.session() as s:
        view = await robots.add_robot(s, "wecom", URL_A, ["疾控股,医政股"], created_by="cli", now=T0)
        assert (view.channel, view.sections, view.masked, view.everything) == (
            "wecom", ("医政股", "疾控股"), "6a3e…aaaa", False)
        line = robots.robot_line(view, "zh")
        assert line.startswith(f"{view.id}  wecom  6a3e…aaaa") and KEY_A not in line
        with pytest.raises(RobotError) as typo:
            await robots.add_robot(s, "wecom", KEY_B, ["疾控"], created_by="cli", now=T0)
        assert (typo.value.key, typo.value.params["hint"]) == ("robots.unknown_section_hint", "疾控股")
        with pytest.raises(RobotError) as again:
            await robots.add_robot(s, "wecom", KEY_A, ["全部"], created_by="cli", now=T0)
        assert again.value.key == "robots.exists"
        with pytest.raises(RobotError, match="robots.bad_target_wecom"):
            await robots.add_robot(s, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", ["全部"],
                                   created_by="cli", now=T0)
        with pytest.raises(RobotError, match="robots.secret_wecom"):
            await robots.add_robot(s, "wecom", KEY_B, ["全部"], secret="SECabc12345", created_by="cli", now=T0)
        ding = await robots.add_robot(s, "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=" + "ab" * 32,
                                      ["all"], secret="SEC0123456789abcdef", created_by="cli", now=T0)
        assert ding.everything and ding.signed
        stored = await s.get(GroupRobot, ding.id)
        assert stored is not None and stored.target == "ab" * 32  # the token alone, the URL's host is the channel's
        assert await robots.remove_robot(s, view.id, now=T0) is not None
        removed = await s.get(GroupRobot, view.id)
        assert removed is not None and KEY_A not in removed.target and removed.removed_at == T0  # the key is forgotten
        assert [v.id for v in await robots.list_robots(s)] == [ding.id]
        assert await robots.find_robot(s, "wecom", f"robot:{view.id}") is None
        left = await s.scalar(select(func.count()).select_from(ChatSubscription).where(ChatSubscription.chat_id == f"robot:{view.id}"))
        assert left == 0 and await robots.remove_robot(s, view.id, now=T0) is None
        again = await robots.add_robot(s, "wecom", KEY_A, ["疾控股"], created_by="cli", now=T0)  # re-registered
        assert again.id not in (view.id, ding.id)


async def test_an_admin_registers_lists_and_removes_robots_in_the_app_chat(core: Core) -> None:
    await seed_bureau(core)
    added = await say(core, ADMIN, f"/group add wecom 疾控股,医政股 {URL_A}")
    assert "已登记群机器人 1" in added and "6a3e…aaaa" in added and KEY_A not in added
    assert "是不是「医政股」" in await say(core, ADMIN, f"/group add wecom 医政 {KEY_B}")
    listed = await say(core, ADMIN, "/group list")
    assert listed.startswith("1  wecom  6a3e…aaaa  医政股、疾控股") and KEY_A not in listed
    assert "管理员" in await say(core, "zhangsan", f"/group add wecom 疾控股 {KEY_B}")  # not an admin
    assert "已删除群机器人 1" in await say(core, ADMIN, "/group remove 1")
    assert "还没有登记群机器人" in await say(core, ADMIN, "/group list")


async def test_each_robot_posts_the_digest_of_its_own_sections(core: Core, fake: FakeWeCom,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    for name in ("httpx", "duban"):  # the request URLs carry ?key=…; aiosqlite is kept at WARNING by duban run
        caplog.set_level(logging.DEBUG, logger=name)
    bureau = await seed_bureau(core)
    await seed_colours(core, bureau)
    async with core.db.session() as s:
        await robots.add_robot(s, "wecom", KEY_A, ["疾控股"], created_by="cli", now=T0)
        await robots.add_robot(s, "wecom", URL_A.replace(KEY_A, KEY_B), ["医政股"], created_by="cli", now=T0)
    await pass_at(core, "2025-10-09T09:00")
    notifier = build_wecom_notifier(core)
    try:
        result = await drain(core, {"wecom": notifier}, lambda: at("2025-10-09T09:00"), timeout=20)
    finally:
        await notifier.delivery.aclose()
    assert result.dead == 0 and not result.errors
    (a,), (b,) = fake.robot_messages_of(KEY_A), fake.robot_messages_of(KEY_B)
    assert a.msgtype == "markdown" and "疾控股" in a.content and "红色任务" in a.content and "医政逾期" not in a.content
    assert "医政逾期" in b.content and "红色任务" not in b.content
    # Nobody else's key was used; no key reached the outbox, the logs or a rate bucket's name.
    assert fake.robot_messages_of(fake.robot_key) == []
    async with core.db.session() as s:
        targets = set((await s.scalars(select(OutboxMessage.target))).all())
    assert {"robot:1", "robot:2"} <= targets and not {KEY_A, KEY_B} & targets
    assert "webhook/send" in caplog.text and KEY_A not in caplog.text and KEY_B not in caplog.text
    assert KEY_A not in robot_bucket(KEY_A) and robot_bucket(KEY_A) != robot_bucket(KEY_B)


async def test_the_robot_key_setting_becomes_an_every_section_robot_when_the_callback_starts(
        core: Core, fake: FakeWeCom) -> None:
    bureau = await seed_bureau(core)
    await seed_colours(core, bureau)
    core.settings.wecom.robot_key = SecretStr(fake.robot_key)
    app = build_wecom_app(core, handle, clock=lambda: T0)
    for _ in range(2):  # every start; registered once
        async with app.router.lifespan_context(app):
            pass
    async with core.db.session() as s:
        (view,) = await robots.list_robots(s)
    assert view.everything and view.title == robots.SETTING_TITLE
    assert robots.robot_line(view, "zh") == f"{view.id}  wecom  fake…0001  全部股室"
    await pass_at(core, "2025-10-09T09:00")
    notifier = build_wecom_notifier(core)
    try:
        await drain(core, {"wecom": notifier}, lambda: at("2025-10-09T09:00"), timeout=20)
    finally:
        await notifier.delivery.aclose()
    (digest,) = fake.robot_messages_of(fake.robot_key)
    assert "红色任务" in digest.content and "医政逾期" in digest.content
    # Removed by an admin, the setting's robot stays removed however often the callback starts again.
    async with core.db.session() as s:
        await robots.remove_robot(s, view.id, now=T0)
    async with app.router.lifespan_context(app):
        pass
    async with core.db.session() as s:
        assert await robots.list_robots(s) == []


async def test_a_removed_robot_is_not_written_to(core: Core, fake: FakeWeCom) -> None:
    bureau = await seed_bureau(core)
    await seed_colours(core, bureau)
    async with core.db.session() as s:
        view = await robots.add_robot(s, "wecom", KEY_A, ["疾控股"], created_by="cli", now=T0)
    await pass_at(core, "2025-10-09T09:00")
    async with core.db.session() as s:
        await robots.remove_robot(s, view.id, now=T0)
    notifier = build_wecom_notifier(core)
    try:
        await drain(core, {"wecom": notifier}, lambda: at("2025-10-09T09:00"), timeout=20)
    finally:
        await notifier.delivery.aclose()
    assert fake.robot_messages == []
