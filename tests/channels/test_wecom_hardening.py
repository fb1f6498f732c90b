"""WeCom callbacks cannot be replayed or smuggled in (issue 10, finding 14), over HTTP against the real app."""

from __future__ import annotations

import time
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select

from bot.channels.wecom.messages import envelope_xml
from bot.db.models import HandledMessage
from scheduler.jobs import run_pass
from tests.channels.test_wecom import NOW, Recorder, fake, serve, settings  # noqa: F401 - fixtures
from tests.fakes.wecom_api import FakeWeCom

DAY = 24 * 3600


async def test_a_correctly_signed_callback_with_an_old_timestamp_is_refused(fake: FakeWeCom, serve) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url, attempts=1)
    for at in (time.time() - 30 * DAY, time.time() - 600, time.time() + 600):
        deliveries = await player.post(player.text_xml("zhangsan", "进度 11 10% 回退"), at=at)
        assert [d.status for d in deliveries] == [403]
    assert [d.status for d in await player.send_text("zhangsan", "我的任务")] == [200]
    await server.inbox.drain()
    assert [r.text for r in recorder.requests] == ["我的任务"]


async def test_a_utf16_body_with_a_doctype_is_refused(fake: FakeWeCom, serve) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url, attempts=1)
    encrypt = player.crypto.encrypt(player.text_xml("zhangsan", "我的任务"))
    plain = envelope_xml(fake.corp_id, str(fake.agent_id), encrypt)
    evil = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xml [<!ENTITY e "x">]>' + plain.replace(
        "<AgentID>", "<Note>&e;</Note><AgentID>")).encode("utf-16")
    async with aiohttp.ClientSession() as session, session.post(server.url, params=player._signed(encrypt),
                                                                data=evil) as response:
        assert response.status == 400
    await server.inbox.drain()
    assert recorder.requests == []


async def test_a_callback_replayed_after_a_restart_is_ignored(fake: FakeWeCom, serve, core) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    before = Recorder()
    player = fake.player((await serve(before)).url, attempts=1)
    await player.send_text("zhangsan", "进度 11 10%", msg_id="7000000000000000001")
    after = Recorder()
    restarted = await serve(after)  # as after a restart: a new inbox remembers nothing in memory
    replayer = fake.player(restarted.url, attempts=1)
    assert [d.status for d in await replayer.send_text("zhangsan", "进度 11 10%", msg_id="7000000000000000001")] == [200]
    await replayer.send_text("zhangsan", "我的任务", msg_id="7000000000000000002")
    await restarted.inbox.drain()
    assert [r.text for r in before.requests] == ["进度 11 10%"]
    assert [r.text for r in after.requests] == ["我的任务"] and restarted.inbox.duplicates == 1


async def test_handled_message_ids_are_pruned_by_the_daily_pass_after_three_days(fake: FakeWeCom, serve, core) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    server = await serve(Recorder())
    await fake.player(server.url, attempts=1).send_text("zhangsan", "我的任务", msg_id="7000000000000000003")
    await server.inbox.drain()

    async def kept() -> int:
        async with core.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(HandledMessage)) or 0)

    assert await kept() == 1
    await run_pass(core, NOW + timedelta(days=3))
    assert await kept() == 1
    await run_pass(core, NOW + timedelta(days=3, seconds=1))
    assert await kept() == 0
