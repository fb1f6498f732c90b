"""WeCom template cards (buttons), files both ways and 绑定 CODE, end to end through the callback and a faithful fake.

A card's press comes back as a signed ``template_card_event`` and is routed through the same action codes as a
Telegram button; the card is then greyed once with its response code. An admin's file message is previewed as an
import at once; /export and /stats come back as a file and a picture uploaded with media/upload.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
import pytest_asyncio
import uvicorn
from sqlalchemy import func, select

from bot.channels.wecom import WeComNotifier, build_wecom_app, build_wecom_delivery
from bot.channels.wecom.cards import button_card, button_data, card_key
from bot.core import Core
from bot.db.models import Task, TaskEvent, TaskTable
from config import Settings
from config.settings import WeComSettings
from handlers.app import handle
from bot.contracts import Button
from bot.contracts import Target
from tests.channels.test_wecom import load_2023 as load_table_and_bind
from tests.fakes.wecom_api import MEDIA_LIFETIME, FakeWeCom, WeComPlayer

NOW = datetime(2023, 10, 27, 1, 0, tzinfo=UTC)  # Friday 09:00 in Asia/Shanghai
WANG = "wangwj"  # bound to 王卫健, lead leader of #11
ADMIN = "admin1"
XLSX_NAME = "沅江2023任务表.xlsx"


class Clock:
    """The fake's clock, moved by hand (media lifetimes are days)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A hand-moved clock for the fake."""
    return Clock()


@pytest_asyncio.fixture
async def fake(clock: Clock) -> AsyncIterator[FakeWeCom]:
    """A fake WeCom with Duban's members."""
    async with FakeWeCom(users=("zhangsan", WANG, ADMIN), clock=clock) as server:
        yield server


@pytest.fixture
def settings(fake: FakeWeCom) -> Settings:
    """WeCom pointed at the fake, cards on (the default)."""
    wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id, secret=fake.secret,
                          token=fake.token, encoding_aes_key=fake.encoding_aes_key)
    return Settings(_env_file=None, admins=["console:admin", f"wecom:{ADMIN}"], wecom=wecom)  # type: ignore[call-arg]


@pytest_asyncio.fixture
async def served(core: Core, fake: FakeWeCom) -> AsyncIterator[tuple[WeComPlayer, Callable[[], Awaitable[None]]]]:
    """The real callback app under uvicorn on 127.0.0.1; a player calling it and a way to wait for its work."""
    app = build_wecom_app(core, handle, clock=lambda: NOW)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    player = fake.player(f"http://127.0.0.1:{sock.getsockname()[1]}/wecom/callback")
    try:
        yield player, app.state.inbox.drain
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        await build_wecom_delivery(core).aclose()


async def load_2023(core: Core, fixtures_dir) -> int:  # type: ignore[no-untyped-def]
    """The real 2023 table, WANG bound to 王卫健; the id of task #11."""
    await load_table_and_bind(core, fixtures_dir)
    async with core.db.session() as session:
        task_id = await session.scalar(select(Task.id).where(Task.no == "11"))
    assert task_id is not None
    return task_id


# ---- keys ----------------------------------------------------------------------------------------------------


def test_card_keys_carry_the_action_codes_and_refuse_anything_else() -> None:
    assert card_key("ack:42") == "ack@42" and button_data("ack@42") == "ack:42"
    assert card_key("io:Zx_9-a") == "io@Zx_9-a" and button_data("io@Zx_9-a") == "io:Zx_9-a"
    assert card_key("pg:my:2") is None and card_key("t:42") is None  # pages and details stay typed
    assert button_data(card_key("iy:Zx_9-a:2023") or "") == "iy:Zx_9-a:2023"  # an import's year
    assert button_data("pg@my@2") is None and button_data("ack@42 ") is None and button_data("x" * 200) is None
    card = button_card("<b>提醒</b>\n#11 推进", [[Button("签收", "ack:42"), Button("明天再提醒", "snooze:42")],
                                               [Button("查看", "t:42")]], "zh", task_id="duban-1")
    assert card == {"card_type": "button_interaction", "main_title": {"title": "快捷操作", "desc": "提醒"},
                    "task_id": "duban-1", "button_list": [{"text": "签收", "style": 1, "key": "ack@42"},
                                                          {"text": "明天再提醒", "style": 2, "key": "snooze@42"}]}
    assert button_card("无按钮", [[Button("查看", "t:42")]], "zh", task_id="duban-2") is None


# ---- cards ---------------------------------------------------------------------------------------------------


async def test_a_reminder_card_is_pressed_to_sign_and_greyed_once(core: Core, fake: FakeWeCom, served,  # type: ignore[no-untyped-def]
                                                                  fixtures_dir) -> None:
    player, drain = served
    task_id = await load_2023(core, fixtures_dir)
    notifier = WeComNotifier(build_wecom_delivery(core), clock=lambda: NOW)
    buttons = [[Button("签收", f"ack:{task_id}"), Button("明天再提醒", f"snooze:{task_id}")]]
    await notifier.send(Target("wecom", WANG, "private"), "<b>任务提醒</b>\n#11 即将到期", buttons)
    text, card_message = fake.messages_to(WANG)
    assert text.msgtype == "text" and "签收 11" in text.content  # typing still works
    assert card_message.msgtype == "template_card"
    card = fake.card_sent_to(WANG)
    assert card.keys == (f"ack@{task_id}", f"snooze@{task_id}")

    await player.press_card(WANG, card.task_id, f"ack@{task_id}", card.response_code)
    await drain()
    assert "已签收" in fake.texts_to(WANG)[-1]
    assert card.replaced_with == "已处理"
    async with core.db.session() as session:
        acks = await session.scalar(select(func.count()).select_from(TaskEvent)
                                    .where(TaskEvent.task_id == task_id, TaskEvent.kind == "ack"))
    assert acks == 1
    # A second press of the greyed card (WeCom would not send one; a replay is refused by its signature window).
    before = len(fake.messages_to(WANG))
    await player.press_card(WANG, card.task_id, f"snooze@{task_id}", card.response_code)
    await drain()
    assert len(fake.messages_to(WANG)) > before and card.replaced_with == "已处理"  # answered; update refused quietly


async def test_a_refused_card_leaves_the_notice_sent_once(core: Core, fake: FakeWeCom, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    task_id = await load_2023(core, fixtures_dir)
    fake.refuse_cards = True
    notifier = WeComNotifier(build_wecom_delivery(core), clock=lambda: NOW)
    try:
        await notifier.send(Target("wecom", WANG, "private"), "任务提醒", [[Button("签收", f"ack:{task_id}")]])
    finally:
        await notifier.delivery.aclose()
    assert fake.texts_to(WANG) == ["任务提醒\n\n可回复：\n▸ 签收：回复 签收 11"] and fake.cards == {}
    assert ("/cgi-bin/message/send", 40008) in fake.calls


async def test_a_card_key_duban_never_made_is_ignored(core: Core, fake: FakeWeCom, served) -> None:  # type: ignore[no-untyped-def]
    player, drain = served
    await player.press_card(ADMIN, "duban-forged", "reopen@1", "rc-forged")
    await drain()
    assert fake.messages_to(ADMIN) == []


# ---- files -----------------------------------------------------------------------------------------------------


async def test_an_admins_file_is_previewed_and_confirmed_with_the_card(core: Core, fake: FakeWeCom, served,  # type: ignore[no-untyped-def]
                                                                        fixtures_dir) -> None:
    player, drain = served
    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    media_id = fake.add_media(data, XLSX_NAME, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    await player.send_file(ADMIN, media_id, XLSX_NAME)
    await drain()
    preview = fake.texts_to(ADMIN)
    assert any("45" in text and "/import_confirm" in text for text in preview)  # the preview, with its command
    card = fake.card_sent_to(ADMIN)
    confirm = next(key for key in card.keys if key.startswith("io@"))
    await player.press_card(ADMIN, card.task_id, confirm, card.response_code)
    await drain()
    async with core.db.session() as session:
        tables = await session.scalar(select(func.count()).select_from(TaskTable))
        tasks = await session.scalar(select(func.count()).select_from(Task))
    assert (tables, tasks) == (1, 45) and card.replaced_with == "已处理"


async def test_a_members_file_is_kept_for_an_admin_only_and_media_expire_after_three_days(
        core: Core, fake: FakeWeCom, clock: Clock, served) -> None:  # type: ignore[no-untyped-def]
    player, drain = served
    media_id = fake.add_media(b"a,b\n1,2\n", "note.csv", "text/csv")
    await player.send_file("zhangsan", media_id, "note.csv")
    await drain()
    assert "收到文件 note.csv" in fake.texts_to("zhangsan")[-1]  # a member's file is not imported
    clock.now += MEDIA_LIFETIME + 1
    await player.send_file(ADMIN, media_id, "note.csv")  # WeCom's copy is gone: media/get answers 40007
    await drain()
    assert fake.calls[-2:] and ("/cgi-bin/media/get", 40007) in fake.calls


async def test_export_and_stats_come_back_as_a_file_and_a_picture(core: Core, fake: FakeWeCom, served,  # type: ignore[no-untyped-def]
                                                                   fixtures_dir) -> None:
    player, drain = served
    await load_2023(core, fixtures_dir)
    await player.send_text(ADMIN, "/export")
    await drain()
    file = next(m for m in fake.messages_to(ADMIN) if m.msgtype == "file")
    stored = fake.media[file.content]
    assert stored.kind == "file" and stored.name.endswith(".xlsx") and stored.data.startswith(b"PK")
    await player.send_text(ADMIN, "/stats")
    await drain()
    image = next(m for m in fake.messages_to(ADMIN) if m.msgtype == "image")
    picture = fake.media[image.content]
    assert picture.kind == "image" and picture.data.startswith(b"\x89PNG")


# ---- binding -----------------------------------------------------------------------------------------------------


async def test_the_binding_phrase_binds_through_the_callback(core: Core, fake: FakeWeCom, served,  # type: ignore[no-untyped-def]
                                                             fixtures_dir) -> None:
    from bot.db.models import Person
    from bot.services.accounts import create_invite

    player, drain = served
    await load_2023(core, fixtures_dir)
    async with core.db.session() as session:
        person = await session.scalar(select(Person).where(Person.name == "李康民"))
        assert person is not None
        code = (await create_invite(session, person, created_by="cli", now=NOW)).code
    await player.send_text("zhangsan", f"绑定 {code}")
    await drain()
    assert "绑定成功：你是 李康民" in fake.texts_to("zhangsan")[-1]
