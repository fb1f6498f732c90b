"""WeCom callbacks cannot be replayed or smuggled in (issue 10, finding 14), over HTTP against the real app."""

from __future__ import annotations

import time

import aiohttp

from bot.channels.wecom.messages import envelope_xml
from tests.channels.test_wecom import Recorder, fake, serve, settings  # noqa: F401 - fixtures
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
