"""send_replies through HTTP against the fake Bot API: parts, captions, keyboards, edits and their fallbacks."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from telegram import Bot

from bot.channels.telegram_send import send_replies
from bot.contracts import Button, OutFile, Reply
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture

USER = 5001
BUTTONS = [[Button("签收", "ack:1"), Button("办结", "dn:1")]]


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:  # noqa: F811
    """A PTB bot talking to the fake, with one user who has started it."""
    fake_telegram.add_user(USER, "测试")
    app = fake_telegram.application_builder().build()
    async with app:
        yield app.bot


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "PNG")
    return out.getvalue()


def _keyboard(fake: FakeTelegram, index: int) -> list[str]:
    markup = fake.messages(USER)[index].reply_markup or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_a_short_text_becomes_the_caption_and_the_keyboard_goes_on_the_file(
    bot: Bot, fake_telegram: FakeTelegram  # noqa: F811
) -> None:
    await send_replies(bot, USER, [Reply("台账 <b>2023</b>", buttons=BUTTONS,
                                         file=OutFile("台账.xlsx", b"PK\x03\x04data", "application/zip"))])
    [sent] = fake_telegram.messages(USER)
    assert sent.caption == "台账 2023" and sent.document is not None and sent.document.filename == "台账.xlsx"
    assert _keyboard(fake_telegram, 0) == ["ack:1", "dn:1"]


async def test_a_text_too_long_for_a_caption_goes_first_and_the_photo_after(
    bot: Bot, fake_telegram: FakeTelegram  # noqa: F811
) -> None:
    text = "\n".join(f"第{i}股室：完成 {i} 项" for i in range(120))  # > 1024, < 4096
    await send_replies(bot, USER, [Reply(text, buttons=BUTTONS, photo=OutFile("stats.png", _png(), "image/png"))])
    first, second = fake_telegram.messages(USER)
    assert first.text == text and not first.reply_markup
    assert second.photo is not None and second.caption is None
    assert _keyboard(fake_telegram, 1) == ["ack:1", "dn:1"]


async def test_an_edit_replaces_the_pressed_message_and_extra_parts_follow_with_the_keyboard(
    bot: Bot, fake_telegram: FakeTelegram  # noqa: F811
) -> None:
    [pressed] = await send_replies(bot, USER, [Reply("请确认", buttons=BUTTONS)])
    long = "\n".join("行" * 100 for _ in range(60))  # two parts
    await send_replies(bot, USER, [Reply(long, buttons=[[Button("查看", "t:1")]], edit=True)], pressed=pressed)
    first, second = fake_telegram.messages(USER)
    assert first.message_id == pressed.message_id and len(first.edits) == 1
    assert not _keyboard(fake_telegram, 0)  # the edit removed the old buttons
    assert (first.text or "") + "\n" + (second.text or "") == long
    assert _keyboard(fake_telegram, 1) == ["t:1"]


async def test_an_unchanged_edit_sends_nothing_new(bot: Bot, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    [pressed] = await send_replies(bot, USER, [Reply("已取消。")])
    await send_replies(bot, USER, [Reply("已取消。", edit=True)], pressed=pressed)
    assert len(fake_telegram.messages(USER)) == 1


async def test_an_edit_of_a_file_message_falls_back_to_a_new_message(
    bot: Bot, fake_telegram: FakeTelegram  # noqa: F811
) -> None:
    [pressed] = await send_replies(bot, USER, [Reply("图", photo=OutFile("s.png", _png(), "image/png"))])
    await send_replies(bot, USER, [Reply("已更新", edit=True)], pressed=pressed)
    assert [m.text for m in fake_telegram.messages(USER)] == [None, "已更新"]


async def test_toast_only_and_empty_replies_send_nothing(bot: Bot, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    assert await send_replies(bot, USER, [Reply(toast="好"), Reply(""), Reply("\n \n")]) == []
    assert fake_telegram.messages(USER) == []
