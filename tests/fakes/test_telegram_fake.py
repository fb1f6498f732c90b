"""The Telegram fake driven by a real python-telegram-bot Application running a tiny test bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image
from telegram import (BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from .telegram_api import FakeTelegram, FloodLimits, fake_telegram, running  # noqa: F401 - fixture
from .telegram_html import EntityParseError, parse_html

# PTB itself reads RetryAfter.retry_after while building the error message.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

USER, OTHER, STRANGER, GROUP = 1001, 1002, 1003, -100500

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="pick:a"),
                                  InlineKeyboardButton("B", callback_data="pick:b")]])


def build_bot(fake: FakeTelegram) -> Application:
    """A tiny bot: /start greets, /menu shows buttons, documents are downloaded, text is echoed."""
    app = fake.application_builder().build()
    app.bot_data["seen"] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.bot_data["seen"].append(update.update_id)
        await update.effective_message.reply_text(f"hello {update.effective_user.first_name}")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("pick one", reply_markup=KEYBOARD)

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.effective_message.document.get_file()
        context.bot_data["downloaded"] = bytes(await file.download_as_bytearray())
        await update.effective_message.reply_text(f"got {len(context.bot_data['downloaded'])} bytes")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"you chose {query.data}")
        await query.edit_message_text(f"chosen {query.data}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.bot_data["seen"].append(update.update_id)
        await update.effective_message.reply_text(update.effective_message.text)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


def seconds(value: Any) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB_TIMEDELTA."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def retry_after(exc: RetryAfter) -> float:
    """The retry_after of a RetryAfter in seconds."""
    return seconds(exc.retry_after)


@pytest.fixture
async def fake(fake_telegram: FakeTelegram) -> FakeTelegram:  # noqa: F811 - the imported fixture
    """The fake with a started user, another user who never started the bot, and a supergroup."""
    fake_telegram.add_user(USER, "Ann", "ann")
    fake_telegram.add_user(STRANGER, "Sam", started=False)
    fake_telegram.add_group(GROUP, "Bureau", "supergroup")
    return fake_telegram


@pytest.fixture
async def bot_app(fake: FakeTelegram) -> AsyncIterator[Application]:
    """The test bot, polling the fake."""
    app = build_bot(fake)
    async with running(app):
        yield app


async def api(fake: FakeTelegram, method: str, **data: Any) -> httpx.Response:
    """A raw form-encoded call, as PTB makes them."""
    async with httpx.AsyncClient(timeout=15) as client:
        return await client.post(f"{fake.base_url}{fake.token}/{method}", data=data)


# ---- through a running Application -----------------------------------------------------------
async def test_start_command_replies(fake: FakeTelegram, bot_app: Application) -> None:
    await fake.user_sends(USER, "/start")
    [reply] = await fake.wait_for_messages(USER, 1)
    assert reply.text == "hello Ann"
    assert "reply_to_message" not in reply.json  # PTB quotes only in groups by default
    assert [m for m, _ in fake.requests][:2] == ["getMe", "deleteWebhook"]


async def test_document_is_downloaded_through_get_file(fake: FakeTelegram, bot_app: Application) -> None:
    payload = bytes(range(256)) * 40
    await fake.user_sends(USER, document=("表.xlsx", payload), caption="please import")
    [reply] = await fake.wait_for_messages(USER, 1)
    assert reply.text == f"got {len(payload)} bytes"
    assert bot_app.bot_data["downloaded"] == payload
    assert fake.downloads == ["documents/file_1.xlsx"]


async def test_button_press_is_answered_and_edits(fake: FakeTelegram, bot_app: Application) -> None:
    await fake.user_sends(USER, "/menu")
    [menu] = await fake.wait_for_messages(USER, 1)
    assert menu.json["reply_markup"] == KEYBOARD.to_dict()
    query_id = await fake.press_button(USER, menu, "pick:b")
    await fake.wait_until(lambda: bool(menu.edits), what="edit")
    assert fake.answered_callbacks == [{"callback_query_id": query_id, "text": "you chose pick:b",
                                        "show_alert": False, "url": None, "cache_time": None}]
    assert menu.text == "chosen pick:b"
    assert "reply_markup" not in menu.json  # editing text without reply_markup drops the keyboard
    with pytest.raises(ValueError, match="no button"):
        await fake.press_button(USER, menu, "pick:a")  # the keyboard is gone


async def test_offset_never_redelivers(fake: FakeTelegram) -> None:
    app = build_bot(fake)
    async with running(app):
        for text in ("one", "two", "three"):
            await fake.user_sends(USER, text)
        await fake.wait_for_messages(USER, 3)
    assert fake.pending_updates(0, 100) == []  # PTB's last getUpdates confirmed everything
    app2 = build_bot(fake)
    async with running(app2):
        await fake.user_sends(USER, "four")
        replies = await fake.wait_for_messages(USER, 4)
        await asyncio.sleep(0.2)  # room for a wrongful redelivery to show up
    assert [m.text for m in fake.messages(USER)] == ["one", "two", "three", "four"] == [m.text for m in replies]
    assert len(app.bot_data["seen"]) == 3 and len(app2.bot_data["seen"]) == 1


# ---- direct Bot calls -------------------------------------------------------------------------
SEND_ERRORS = [
    ("unsupported tag", dict(chat_id=USER, text="a <x> b", parse_mode="HTML"), BadRequest,
     "Can't parse entities: unsupported start tag \"x\" at byte offset 2"),
    ("bare <", dict(chat_id=USER, text="1 < 2", parse_mode="HTML"), BadRequest, 'unsupported start tag ""'),
    ("unclosed", dict(chat_id=USER, text="<b>bold", parse_mode="HTML"), BadRequest, "can't find end tag"),
    ("mismatched", dict(chat_id=USER, text="<b><i>x</b></i>", parse_mode="HTML"), BadRequest, "unmatched end tag"),
    ("bare &", dict(chat_id=USER, text="R&D", parse_mode="HTML"), BadRequest, "can't parse entities"),
    ("span without class", dict(chat_id=USER, text="<span>x</span>", parse_mode="HTML"), BadRequest,
     'must have class "tg-spoiler"'),
    ("too long", dict(chat_id=USER, text="a" * 4097), BadRequest, "Message is too long"),
    ("too long after tags", dict(chat_id=USER, text="<b>" + "a" * 4097 + "</b>", parse_mode="HTML"), BadRequest,
     "Message is too long"),
    ("empty", dict(chat_id=USER, text="  \n "), BadRequest, "Message text is empty"),
    ("empty after tags", dict(chat_id=USER, text="<b> </b>", parse_mode="HTML"), BadRequest, "Message text is empty"),
    ("unknown chat", dict(chat_id=424242, text="hi"), BadRequest, "Chat not found"),
    ("never started", dict(chat_id=STRANGER, text="hi"), Forbidden, "bot can't initiate conversation with a user"),
    ("reply target missing", dict(chat_id=USER, text="hi", reply_to_message_id=999), BadRequest,
     "Message to be replied not found"),
    ("callback data too long", dict(chat_id=USER, text="hi", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("x", callback_data="x" * 65)]])), BadRequest, "Button_data_invalid"),
]


@pytest.mark.parametrize(("case", "kwargs", "error", "message"), SEND_ERRORS, ids=[c[0] for c in SEND_ERRORS])
async def test_send_message_errors(fake: FakeTelegram, case: str, kwargs: dict[str, Any], error: type,
                                   message: str) -> None:
    async with build_bot(fake) as app:
        with pytest.raises(error) as info:
            await app.bot.send_message(**kwargs)
    assert type(info.value) is error
    assert message.lower() in info.value.message.lower()
    assert fake.messages(kwargs["chat_id"]) == []


SEND_OK = [
    ("4096 visible characters", "<b>" + "a" * 4096 + "</b>", "HTML", "a" * 4096),
    ("4096 astral characters (code points, not UTF-16 units)", "😀" * 4096, None, "😀" * 4096),
    ("escaped entities", "1 &lt; 2 &amp;&amp; 3 &gt; 2 &#20013;", "HTML", "1 < 2 && 3 > 2 中"),
    ("trimmed", "  hi  ", None, "hi"),
]


@pytest.mark.parametrize(("case", "text", "mode", "shown"), SEND_OK, ids=[c[0] for c in SEND_OK])
async def test_send_message_accepted(fake: FakeTelegram, case: str, text: str, mode: str | None, shown: str) -> None:
    async with build_bot(fake) as app:
        message = await app.bot.send_message(USER, text, parse_mode=mode)
    assert message.text == shown and message.from_user.username == "duban_test_bot"
    [sent] = fake.messages(USER)
    assert (sent.text, sent.raw_text, sent.parse_mode) == (shown, text, mode)


async def test_blocked_user_gives_forbidden(fake: FakeTelegram) -> None:
    fake.block(USER)
    async with build_bot(fake) as app:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(USER, "hi")
        await fake.user_sends(USER, "/start")  # writing again means restarting the bot
        await app.bot.send_message(USER, "welcome back")
    kinds = [next(k for k in u if k != "update_id") for u in fake.pending_updates(0, 10)]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]
    assert fake.pending_updates(0, 10)[0]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert [m.text for m in fake.messages(USER)] == ["welcome back"]


async def test_message_ids_increase_per_chat_and_edits(fake: FakeTelegram) -> None:
    async with build_bot(fake) as app:
        first = await app.bot.send_message(USER, "first", reply_markup=KEYBOARD)
        second = await app.bot.send_message(USER, "second")
        in_group = await app.bot.send_message(GROUP, "group")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await app.bot.edit_message_text("first", USER, first.message_id, reply_markup=KEYBOARD)
        edited = await app.bot.edit_message_reply_markup(USER, first.message_id)
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await app.bot.edit_message_text("x", USER, 99)
    assert (first.message_id, second.message_id, in_group.message_id) == (1, 2, 1)
    assert isinstance(first.date, dtm.datetime) and edited.reply_markup is None
    assert fake.messages(USER)[0].reply_markup is None and len(fake.messages(USER)[0].edits) == 1


async def test_set_my_commands_per_language_and_scope(fake: FakeTelegram) -> None:
    async with build_bot(fake) as app:
        await app.bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")], language_code="zh")
        await app.bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
        await app.bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(USER))
        zh = await app.bot.get_my_commands(language_code="zh")
        default = await app.bot.get_my_commands()
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await app.bot.set_my_commands([BotCommand("Start", "uppercase is refused")])
        await app.bot.delete_my_commands(language_code="en")
    assert [c.command for c in zh] == ["start", "help"] and default == ()
    assert fake.commands_for("zh") == [{"command": "start", "description": "开始"},
                                       {"command": "help", "description": "帮助"}]
    assert fake.commands_for("en") == [] and ("default", "en") not in fake.commands
    assert fake.commands[("chat:1001", "")] == [{"command": "admin", "description": "Admin"}]


async def test_photo_upload_is_stored(fake: FakeTelegram) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2)).save(buffer, "PNG")
    async with build_bot(fake) as app:
        message = await app.bot.send_photo(USER, buffer.getvalue(), caption="<b>chart</b>", parse_mode="HTML",
                                           filename="chart.png")
        with pytest.raises(BadRequest, match="Image_process_failed"):
            await app.bot.send_photo(USER, b"not an image")
        document = await app.bot.send_document(USER, b"a,b\n1,2\n", filename="out.csv")
    assert (message.photo[-1].width, message.photo[-1].height, message.caption) == (3, 2, "chart")
    photo_msg, doc_msg = fake.messages(USER)
    assert photo_msg.photo.data == buffer.getvalue() and photo_msg.photo.filename == "chart.png"
    assert (doc_msg.document.data, doc_msg.document.filename) == (b"a,b\n1,2\n", "out.csv")
    assert document.document.file_name == "out.csv" and document.document.mime_type == "text/csv"


async def test_unknown_token_is_invalid(fake: FakeTelegram) -> None:
    app = Application.builder().token("1:wrong").base_url(fake.base_url).build()
    with pytest.raises(InvalidToken):
        await app.initialize()


# ---- flood limits and fault injection ---------------------------------------------------------
FLOODS = [  # (target chats, sends that pass, retry_after of the next one)
    ("private chat: 1 per second", [USER], 1, 1),
    ("group: 20 per minute", [GROUP], 20, 3),
    ("overall: 30 per second", list(range(2000, 2031)), 30, 1),
]


@pytest.mark.parametrize(("case", "chats", "allowed", "wait"), FLOODS, ids=[f[0] for f in FLOODS])
async def test_flood_limits_raise_retry_after(case: str, chats: list[int], allowed: int, wait: int) -> None:
    now = [1000.0]
    async with FakeTelegram(enforce_limits=True, clock=lambda: now[0]) as fake:
        fake.add_user(USER, "Ann")
        fake.add_group(GROUP, "Bureau")
        for chat in chats:
            if chat >= 2000:
                fake.add_user(chat, f"u{chat}")
        targets = [chats[i % len(chats)] for i in range(allowed + 1)]
        async with build_bot(fake) as app:
            for chat in targets[:-1]:
                await app.bot.send_message(chat, "ok")
            with pytest.raises(RetryAfter) as info:
                await app.bot.send_message(targets[-1], "too many")
            now[0] += wait
            await app.bot.send_message(targets[-1], "after waiting")
        assert retry_after(info.value) == wait
        assert fake.stats.too_many == 1 and fake.stats.by_status[429] == 1


async def test_private_burst_is_configurable() -> None:
    async with FakeTelegram(enforce_limits=True, limits=FloodLimits(private_capacity=3)) as fake:
        fake.add_user(USER, "Ann")
        async with build_bot(fake) as app:
            for _ in range(3):
                await app.bot.send_message(USER, "burst")
            with pytest.raises(RetryAfter):
                await app.bot.send_message(USER, "one too many")


INJECTIONS = [
    ("500", dict(status=500), NetworkError, "Internal Server Error"),
    ("502", dict(status=502), NetworkError, "Bad Gateway"),
    ("429", dict(status=429, retry_after=7), RetryAfter, "Retry in 7"),
    ("403", dict(status=403), Forbidden, "bot was blocked by the user"),
    ("409", dict(status=409), Conflict, "terminated by other getUpdates request"),
]


@pytest.mark.parametrize(("case", "how", "error", "message"), INJECTIONS, ids=[i[0] for i in INJECTIONS])
async def test_injected_failures(fake: FakeTelegram, case: str, how: dict[str, Any], error: type,
                                 message: str) -> None:
    fake.add_user(OTHER, "Bob")
    fake.inject("sendMessage", chat_id=USER, **how)
    async with build_bot(fake) as app:
        await app.bot.send_message(OTHER, "other chats are unaffected")
        with pytest.raises(error) as info:
            await app.bot.send_message(USER, "hi")
        await app.bot.send_message(USER, "the next call succeeds")
    assert type(info.value) is error and message in str(info.value)
    assert [m.text for m in fake.messages(USER)] == ["the next call succeeds"]


@pytest.mark.parametrize(("mode", "delivered"), [("hang", 0), ("hang_before", 0), ("hang_after", 1)])
async def test_hang_gives_timed_out(fake: FakeTelegram, mode: str, delivered: int) -> None:
    fake.inject("sendMessage", mode)
    async with build_bot(fake) as app:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TimedOut):
            await app.bot.send_message(USER, "lost?", read_timeout=0.3)
        assert loop.time() - started < 2
    assert len(fake.messages(USER)) == delivered


# ---- raw protocol -----------------------------------------------------------------------------
async def test_long_poll_returns_as_soon_as_an_update_arrives(fake: FakeTelegram) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(api(fake, "getUpdates", offset="0", timeout="8"))
    await asyncio.sleep(0.2)
    await fake.user_sends(USER, "wake up")
    response = await poll
    assert loop.time() - started < 1.5
    [update] = response.json()["result"]
    assert update["message"]["text"] == "wake up"
    started = loop.time()
    empty = await api(fake, "getUpdates", offset=str(update["update_id"] + 1), timeout="1")
    assert empty.json() == {"ok": True, "result": []} and 0.9 < loop.time() - started < 2


async def test_newer_get_updates_terminates_the_older_with_conflict(fake: FakeTelegram) -> None:
    older = asyncio.create_task(api(fake, "getUpdates", timeout="5"))
    await asyncio.sleep(0.2)
    newer = await api(fake, "getUpdates", timeout="0")
    conflict = await older
    assert newer.json() == {"ok": True, "result": []}
    assert conflict.status_code == 409 and "terminated by other getUpdates" in conflict.json()["description"]


async def test_offset_confirms_and_negative_offset_keeps_the_tail(fake: FakeTelegram) -> None:
    for text in ("a", "b", "c"):
        await fake.user_sends(USER, text)
    ids = [u["update_id"] for u in (await api(fake, "getUpdates")).json()["result"]]
    assert len(ids) == 3 and ids == sorted(ids)
    second = (await api(fake, "getUpdates", offset=str(ids[1]), limit="1")).json()["result"]
    assert [u["update_id"] for u in second] == [ids[1]]
    assert [u["update_id"] for u in (await api(fake, "getUpdates")).json()["result"]] == ids[1:]
    tail = (await api(fake, "getUpdates", offset="-1")).json()["result"]
    assert [u["update_id"] for u in tail] == [ids[2]]


PRIVACY = [  # (text, reply to the bot?, delivered in a group with privacy mode)
    ("just chatting", False, False),
    ("/start", False, True),
    ("/start@duban_test_bot now", False, True),
    ("/start@other_bot", False, False),
    ("a reply", True, True),
]


@pytest.mark.parametrize(("text", "reply", "delivered"), PRIVACY)
async def test_group_privacy_mode(fake: FakeTelegram, text: str, reply: bool, delivered: bool) -> None:
    response = await api(fake, "sendMessage", chat_id=str(GROUP), text="bot speaking")
    bot_message = response.json()["result"]
    await fake.user_sends(USER, text, chat_id=GROUP, reply_to=bot_message if reply else None)
    updates = fake.pending_updates(0, 10)
    assert len(updates) == int(delivered)
    if delivered and text.startswith("/start"):
        word = text.split()[0]
        assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": len(word)}]


async def test_json_bodies_and_unknown_methods(fake: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "go", "callback_data": "go"}]]}
    async with httpx.AsyncClient() as client:
        ok = await client.post(f"{fake.base_url}{fake.token}/sendMessage",
                               json={"chat_id": USER, "text": "json", "reply_markup": markup})
        unknown = await client.post(f"{fake.base_url}{fake.token}/noSuchMethod")
    assert ok.json()["result"]["reply_markup"] == markup
    assert unknown.status_code == 404 and unknown.json()["description"] == "Not Found"


HTML_CASES = [
    ("<b>bold</b> <i>it</i>", "bold it", [("bold", 0, 4), ("italic", 5, 2)]),
    ("😀<u>x</u>", "😀x", [("underline", 2, 1)]),  # offsets count UTF-16 code units
    ('<a href="https://e.x/?a=1&amp;b=2">link</a>', "link", [("text_link", 0, 4)]),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
    ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [("spoiler", 0, 1), ("spoiler", 1, 1)]),
    ("a > b", "a > b", []),
]


@pytest.mark.parametrize(("html", "plain", "entities"), HTML_CASES)
def test_html_parser(html: str, plain: str, entities: list[tuple[str, int, int]]) -> None:
    text, parsed = parse_html(html)
    assert text == plain
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_html_parser_lenient_ampersand_matches_tdlib() -> None:
    assert parse_html("R&D", strict_ampersand=False) == ("R&D", [])
    with pytest.raises(EntityParseError):
        parse_html("R&D")
