"""Telegram webhooks end to end over HTTP on 127.0.0.1: the fake Bot API pushes updates to the real server that
``duban run`` builds (``bot.app.build_http``), with the secret token; forged requests are refused and nothing
runs; an update delivered twice (a lost answer, or two replicas behind one URL) is answered once."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.channels.telegram_webhook import SECRET_HEADER, webhook_settings
from bot.core import Core
from bot.db.models import HandledMessage
from tests.channels.webhook_harness import NOW, SECRET, USER, make_update, post, replica, second_database
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture


async def _handled_ids(core: Core) -> int:
    async with core.db.session() as session:
        return await session.scalar(select(func.count()).select_from(HandledMessage)) or 0


async def test_set_webhook_registers_url_secret_and_the_update_types_we_handle(
        core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    async with replica(core, fake_telegram) as running:
        await fake_telegram.wait_until(lambda: bool(fake_telegram.calls("setWebhook")), 5, "setWebhook")
        call = fake_telegram.calls("setWebhook")[0]
        assert call["url"] == running.webhook
        assert call["secret_token"] == SECRET
        assert json.loads(call["allowed_updates"]) == ["message", "callback_query"]
        info = fake_telegram.webhook.info()
        assert info["url"] == running.webhook and info["allowed_updates"] == ["message", "callback_query"]
    assert not fake_telegram.calls("getUpdates"), "webhook mode must not poll"
    assert not fake_telegram.calls("deleteWebhook"), "a stopping replica leaves the webhook to the others"


async def test_an_update_pushed_with_the_secret_is_answered(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    fake_telegram.add_user(USER, "Webhook")
    async with replica(core, fake_telegram):
        await fake_telegram.wait_until(lambda: bool(fake_telegram.webhook.url), 5, "webhook set")
        await fake_telegram.user_sends(USER, "/help")
        sent = await fake_telegram.wait_for_messages(USER, 1)
    assert sent[0].text
    assert [status for _, status in fake_telegram.webhook.deliveries] == [200]
    assert core.metrics.updates.labels("telegram", "handled")._value.get() == 1


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("duban-webhook_secret-0123456788", 403), ("", 403)])
async def test_a_forged_or_missing_secret_is_refused_and_nothing_runs(
        core: Core, fake_telegram: FakeTelegram, secret: str | None, status: int) -> None:  # noqa: F811
    fake_telegram.add_user(USER, "Webhook")
    async with replica(core, fake_telegram) as running:
        assert await post(running.webhook, make_update(900_000_001), secret) == status
        # A genuine update afterwards is handled in order: once its answer is there, the forged one had its chance.
        assert await post(running.webhook, make_update(900_000_002)) == 200
        await fake_telegram.wait_for_messages(USER, 1)
        await asyncio.sleep(0.2)
        assert len(fake_telegram.messages(USER)) == 1
        assert await _handled_ids(core) == 1
    assert core.metrics.updates.labels("telegram", "refused")._value.get() == 1


async def test_a_redelivered_update_after_a_lost_answer_is_answered_once(
        core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    fake_telegram.add_user(USER, "Webhook")
    fake_telegram.webhook.lose_answers = 1  # Telegram saw no answer, so it delivers the update again
    async with replica(core, fake_telegram):
        await fake_telegram.wait_until(lambda: bool(fake_telegram.webhook.url), 5, "webhook set")
        said = await fake_telegram.user_sends(USER, "/help")
        await fake_telegram.wait_until(lambda: len(fake_telegram.webhook.deliveries) >= 2, 5, "redelivery")
        await fake_telegram.user_sends(USER, "/help")  # a later update: its answer comes after any duplicate's
        await fake_telegram.wait_for_messages(USER, 2)
        await asyncio.sleep(0.2)
    first = fake_telegram.webhook.deliveries[0][0]
    assert [u for u, _ in fake_telegram.webhook.deliveries].count(first) == 2
    assert fake_telegram.webhook.info()["last_error_message"]
    assert len(fake_telegram.messages(USER)) == 2, [m.text for m in fake_telegram.messages(USER)]
    assert core.metrics.updates.labels("telegram", "duplicate")._value.get() == 1
    assert said["message_id"]


async def test_the_same_update_posted_to_two_replicas_is_answered_once(
        core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    fake_telegram.add_user(USER, "Webhook")
    other_db = await second_database(core.db)  # a second engine on the same database, as another process has
    other = Core(settings=core.settings.model_copy(deep=True), db=other_db)
    try:
        async with replica(core, fake_telegram) as one, replica(other, fake_telegram, webhook_url=one.webhook) as two:
            update = make_update(900_000_101)
            statuses = await asyncio.gather(post(one.webhook, update), post(two.webhook, update))
            assert statuses == [200, 200]
            assert await post(one.webhook, make_update(900_000_102)) == 200
            assert await post(two.webhook, make_update(900_000_103)) == 200
            await fake_telegram.wait_for_messages(USER, 3)
            await asyncio.sleep(0.3)
            assert len(fake_telegram.messages(USER)) == 3
        duplicates = sum(c.metrics.updates.labels("telegram", "duplicate")._value.get() for c in (core, other))
        assert duplicates == 1
    finally:
        await other_db.dispose()


async def test_an_unreadable_body_with_the_right_secret_is_a_bad_request(
        core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    async with replica(core, fake_telegram) as running, httpx.AsyncClient() as client:
        bad = await client.post(running.webhook, content=b"{not json", headers={SECRET_HEADER: SECRET})
        big = await client.post(running.webhook, content=b"x" * (1024 * 1024 + 1), headers={SECRET_HEADER: SECRET})
        get = await client.get(running.webhook)
    assert (bad.status_code, big.status_code, get.status_code) == (400, 413, 405)
    assert await _handled_ids(core) == 0


def test_webhook_mode_needs_a_well_formed_secret(core: Core) -> None:
    core.settings.telegram.webhook_url = "https://duban.example.org/telegram/webhook"
    with pytest.raises(ValueError, match="WEBHOOK_SECRET must be set"):
        webhook_settings(core)
    core.settings.telegram.webhook_secret = SecretStr("has spaces")
    with pytest.raises(ValueError, match="1-256 characters"):
        webhook_settings(core)
    core.settings.telegram.webhook_url = None
    assert webhook_settings(core) is None


async def test_with_the_database_away_an_update_gets_one_answer(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    if not core.db.is_sqlite:
        pytest.skip("the file is taken away on SQLite; PostgreSQL's outage is drilled in test_webhook_service")
    import shutil
    from pathlib import Path

    fake_telegram.add_user(USER, "Webhook")
    path = Path(core.db.engine.url.database or "")
    async with replica(core, fake_telegram) as running:
        await core.db.engine.dispose()
        shutil.move(path, path.with_suffix(".away"))
        path.mkdir()
        try:
            assert await post(running.webhook, make_update(900_000_201)) == 200
            await fake_telegram.wait_for_messages(USER, 1)
            await asyncio.sleep(0.3)
        finally:
            path.rmdir()
            shutil.move(path.with_suffix(".away"), path)
    assert len(fake_telegram.messages(USER)) == 1, [m.text for m in fake_telegram.messages(USER)]


async def test_the_fake_checks_set_webhook_as_telegram_does() -> None:
    from telegram.error import BadRequest

    async with FakeTelegram(local_webhooks=False) as fake:
        bot = fake.application_builder().build().bot
        async with bot:
            with pytest.raises(BadRequest, match="(?i)https url must be provided"):
                await bot.set_webhook("http://duban.example.org/telegram/webhook")
            with pytest.raises(BadRequest, match="(?i)ports 80, 88, 443 or 8443"):
                await bot.set_webhook("https://duban.example.org:8080/telegram/webhook")
            with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
                await bot.set_webhook("https://duban.example.org/telegram/webhook", secret_token="a:b")
            assert await bot.set_webhook("https://duban.example.org/telegram/webhook", secret_token=SECRET,
                                         allowed_updates=["message"])
            info = await bot.get_webhook_info()
            assert (info.url, info.allowed_updates, info.max_connections) == (
                "https://duban.example.org/telegram/webhook", ("message",), 40)
            assert await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""


async def test_polling_too_answers_an_update_delivered_again_once(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    """As after a crash between handling an update and confirming it: the next process gets it again."""
    from bot.channels.telegram import build_telegram_application, poll_until
    from handlers.app import handle

    fake_telegram.add_user(USER, "Webhook")
    t = core.settings.telegram
    t.token, t.base_url, t.base_file_url = SecretStr(fake_telegram.token), fake_telegram.base_url, fake_telegram.base_file_url

    async def polled(body) -> None:  # type: ignore[no-untyped-def]
        stop = asyncio.Event()
        polling = asyncio.create_task(poll_until(build_telegram_application(core, handle, clock=lambda: NOW), stop,
                                                 poll_timeout=1))
        try:
            await body()
        finally:
            stop.set()
            await asyncio.wait_for(polling, 10)

    async def first() -> None:
        await fake_telegram.user_sends(USER, "/help")
        first.update = dict(fake_telegram._updates[-1])  # type: ignore[attr-defined]
        await fake_telegram.wait_for_messages(USER, 1)

    async def second() -> None:
        await fake_telegram.wait_until(lambda: not fake_telegram._updates, 5, "the old update taken again")
        await fake_telegram.user_sends(USER, "/help")  # a later update: its answer comes after any duplicate's
        await fake_telegram.wait_for_messages(USER, 2)
        await asyncio.sleep(0.2)

    await polled(first)
    fake_telegram._updates.insert(0, first.update)  # type: ignore[attr-defined]  # never confirmed
    await polled(second)
    assert len(fake_telegram.messages(USER)) == 2, [m.text for m in fake_telegram.messages(USER)]
    assert core.metrics.updates.labels("telegram", "duplicate")._value.get() == 1
