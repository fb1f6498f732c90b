"""One adapter per channel for the shared conversation table: speak as a member, read what they were shown.

Each adapter drives the real channel over its real transport on 127.0.0.1 (the console through its line reader,
Telegram polling the fake Bot API, WeCom's encrypted callback and DingTalk's signed callback with their fake
APIs) and returns the reply as the member sees it: Telegram's parsed message texts, WeCom's delivered app texts,
DingTalk's session-webhook texts, the console's printed lines. ``press`` presses a button by its label the way
that channel offers it: an inline button, a template card, a numbered choice, or the command a choice says to type.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import socket
import tempfile
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr
from starlette.applications import Starlette

from bot.channels.console import Console
from bot.channels.registry import PLATFORMS, Platform
from bot.channels.wecom import build_wecom_delivery
from bot.core import Core
from bot.http import serve as serve_http
from config import Settings
from config.settings import DingTalkSettings, TelegramSettings, WeComSettings
from handlers.app import handle
from tests.channels.telegram_harness import Clock, Duban, Turn, running_duban
from tests.fakes.dingtalk_api import FakeDingTalk
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.wecom_api import FakeWeCom

# A typed choice as WeCom and DingTalk list it under a message: "▸ 签收：回复 签收 11".
_TYPED_CHOICE = re.compile(r"^▸ (?P<label>[^：]+)：回复 (?P<typed>.+)$", re.M)
# A numbered choice as the console prints it: "[1] 签收".
_NUMBERED_CHOICE = re.compile(r"\[(?P<n>\d+)\] (?P<label>\S+)")
ROLES = ("wang", "li", "stranger", "admin")  # 王卫健 (bound), 李康民 (bound by the case), an unknown, an admin


def _typed_choice(text: str, labels: Iterable[str]) -> str:
    """What the last message says to type for the first of ``labels`` it offers."""
    offered = {m["label"]: m["typed"].strip() for m in _TYPED_CHOICE.finditer(text)}
    for label in labels:
        if label in offered:
            return offered[label]
    raise AssertionError(f"none of {list(labels)} offered; choices: {offered}")


@contextlib.asynccontextmanager
async def serve_app(app: Starlette) -> AsyncIterator[str]:
    """``app`` served by Duban's own HTTP server (as ``duban run`` serves it) on a free 127.0.0.1 port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.get_running_loop().create_task(
        serve_http(app, host="127.0.0.1", port=0, stop=stop, sock=sock, ready=ready))
    waiting = asyncio.ensure_future(ready.wait())
    await asyncio.wait({task, waiting}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()  # raises why it could not start
    assert ready.is_set(), "the HTTP server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def platform(name: str) -> Platform:
    """The registry's entry for channel ``name``."""
    return next(entry for entry in PLATFORMS if entry.name == name)


class Adapter:
    """A channel as a member uses it; subclasses set ``name``, ``accounts``, ``buttons`` and the transport."""

    name: ClassVar[str]
    accounts: ClassVar[dict[str, str]]
    # Whether ``press`` works: inline buttons, template cards, numbered or typed choices all count (every channel so
    # far offers one); a channel with none sets False and the cases that press are skipped there.
    buttons: ClassVar[bool] = True
    fake_platform: ClassVar[type[Any] | None] = None  # started with the accounts as its members

    @classmethod
    @contextlib.asynccontextmanager
    async def transport(cls) -> AsyncIterator[Any]:
        """The platform's fake servers with the accounts as members (none for the console)."""
        if cls.fake_platform is None:
            yield None
            return
        async with cls.fake_platform(users=tuple(cls.accounts.values())) as fake:
            yield fake

    @classmethod
    def settings(cls, fake: Any) -> Settings:
        """Settings pointing this channel at ``fake``, with its admin account listed."""
        admins = list(dict.fromkeys(["console:admin", f"{cls.name}:{cls.accounts['admin']}"]))
        return Settings(_env_file=None, admins=admins)  # type: ignore[call-arg]

    def __init__(self, core: Core, fake: Any, clock: Clock) -> None:
        self.core, self.fake, self.clock = core, fake, clock

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Adapter]:
        """The channel running against its fake for the block."""
        yield self

    def account(self, role: str) -> str:
        """The external id of ``role`` on this channel."""
        return self.accounts[role]

    async def say(self, role: str, text: str) -> str:
        """``role`` sends ``text``; the reply as they see it."""
        raise NotImplementedError

    async def press(self, role: str, labels: tuple[str, ...]) -> str:
        """``role`` presses the button labelled one of ``labels`` on the last reply; what they see then."""
        raise NotImplementedError


class ConsoleAdapter(Adapter):
    """``duban console``: each line through Console.line, the printed output read back."""

    name = "console"
    accounts = {"wang": "王卫健", "li": "李康民的终端", "stranger": "路人", "admin": "admin"}

    def __init__(self, core: Core, fake: Any, clock: Clock) -> None:
        super().__init__(core, fake, clock)
        self.out = io.StringIO()
        self.consoles: dict[str, Console] = {}

    def _console(self, role: str) -> Console:
        if role not in self.consoles:
            self.consoles[role] = Console(self.core, self.out, self.clock, demo=False, identity=self.account(role),
                                          out_dir=Path(tempfile.gettempdir()) / "duban-every-channel",
                                          handle=handle)
        return self.consoles[role]

    async def _line(self, role: str, raw: str) -> str:
        start = len(self.out.getvalue())
        await self._console(role).line(raw)
        self.last = self.out.getvalue()[start:]
        return self.last

    async def say(self, role: str, text: str) -> str:
        """The line typed at the prompt; everything printed for it."""
        return await self._line(role, text)

    async def press(self, role: str, labels: tuple[str, ...]) -> str:
        """Type the number the console printed beside the label."""
        offered = {m["label"]: m["n"] for m in _NUMBERED_CHOICE.finditer(self.last)}
        number = next((offered[label] for label in labels if label in offered), None)
        assert number is not None, f"none of {labels} offered; choices: {offered}"
        return await self._line(role, number)


class TelegramAdapter(Adapter):
    """The real PTB application polling the fake Bot API; the texts of the messages the fake recorded."""

    name = "telegram"
    accounts = {"wang": "2001", "li": "2002", "stranger": "4040", "admin": "1000"}

    @classmethod
    @contextlib.asynccontextmanager
    async def transport(cls) -> AsyncIterator[FakeTelegram]:
        """The fake Bot API with the four users."""
        async with FakeTelegram() as fake:
            for role, user in cls.accounts.items():
                fake.add_user(int(user), role)
            yield fake

    @classmethod
    def settings(cls, fake: FakeTelegram) -> Settings:
        """Telegram pointed at the fake."""
        settings = super().settings(fake)
        settings.telegram = TelegramSettings(token=SecretStr(fake.token), base_url=fake.base_url,
                                             base_file_url=fake.base_file_url)
        return settings

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Adapter]:
        """Duban polling the fake."""
        async with running_duban(self.core, self.fake, self.clock) as duban:
            self.duban: Duban = duban
            self.last: dict[str, Turn] = {}
            yield self

    async def say(self, role: str, text: str) -> str:
        """The user's message; the visible text of every message sent back."""
        turn = await self.duban.send(int(self.account(role)), text)
        self.last[role] = turn
        return turn.text

    async def press(self, role: str, labels: tuple[str, ...]) -> str:
        """Press the inline button with that label on the last reply's messages."""
        for message in self.last[role].sent:
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            for button in (b for row in rows for b in row if b["text"] in labels):
                turn = await self.duban.press(int(self.account(role)), message, button["callback_data"])
                edited = self.duban.current(message).text or ""
                self.last[role] = turn
                return "\n".join(filter(None, [turn.answer.get("text") if turn.answer else None, turn.text, edited]))
        raise AssertionError(f"none of {labels} on the last reply: {self.last[role].buttons()}")


class WeComAdapter(Adapter):
    """The encrypted, signed callback under uvicorn; the decrypted texts the fake WeCom delivered."""

    name = "wecom"
    accounts = {"wang": "wangwj", "li": "likm", "stranger": "passerby", "admin": "admin1"}
    fake_platform = FakeWeCom

    @classmethod
    def settings(cls, fake: FakeWeCom) -> Settings:
        """WeCom pointed at the fake."""
        settings = super().settings(fake)
        settings.wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id,
                                       secret=fake.secret, token=fake.token, encoding_aes_key=fake.encoding_aes_key)
        return settings

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Adapter]:
        """The callback as ``duban run`` builds it (the registry's builder) and serves it; its delivery closed after."""
        app = platform(self.name).build(self.core, handle, self.clock, notifier=False, http=True).http
        try:
            async with serve_app(app) as base:
                self.player = self.fake.player(f"{base}/wecom/callback")
                self.drain = app.state.inbox.drain
                yield self
        finally:
            await build_wecom_delivery(self.core).aclose()

    async def _after(self, user: str, act: Any) -> str:
        before = len(self.fake.messages_to(user))
        deliveries = await act
        assert [d.status for d in deliveries] == [200], deliveries
        await self.drain()
        self.new = self.fake.messages_to(user)[before:]
        return "\n".join(m.content for m in self.new if m.msgtype in ("text", "markdown"))

    async def say(self, role: str, text: str) -> str:
        """An encrypted text message; the texts delivered by message/send."""
        return await self._after(self.account(role), self.player.send_text(self.account(role), text))

    async def press(self, role: str, labels: tuple[str, ...]) -> str:
        """Press a template card's button when one carries the label, else type what the message says to."""
        user = self.account(role)
        for message in self.new:
            if message.msgtype != "template_card":
                continue
            card = message.raw["template_card"]
            for button in (b for b in card["button_list"] if b["text"] in labels):
                code = self._response_code(card["task_id"])
                return await self._after(user, self.player.press_card(user, card["task_id"], button["key"], code))
        texts = "\n".join(m.content for m in self.new if m.msgtype in ("text", "markdown"))
        return await self.say(role, _typed_choice(texts, labels))

    def _response_code(self, task_id: str) -> str:
        return next(code for code, card in self.fake.cards.items() if card.task_id == task_id)


class DingTalkAdapter(Adapter):
    """The signed callback under uvicorn; the texts posted back by session webhook (or batchSend)."""

    name = "dingtalk"
    accounts = {"wang": "wangwj", "li": "likm", "stranger": "passerby", "admin": "admin1"}
    fake_platform = FakeDingTalk

    @classmethod
    def settings(cls, fake: FakeDingTalk) -> Settings:
        """DingTalk pointed at the fake."""
        settings = super().settings(fake)
        settings.dingtalk = DingTalkSettings(app_key=fake.app_key, app_secret=fake.app_secret,
                                             api_base=fake.base_url, oapi_base=fake.base_url)
        return settings

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Adapter]:
        """The callback as ``duban run`` builds it (the registry's builder, which words requests for DingTalk)."""
        app = platform(self.name).build(self.core, handle, self.clock, notifier=False, http=True).http
        async with serve_app(app) as base:
            self.player = self.fake.player(f"{base}/dingtalk/callback")
            self.drain = app.state.inbox.drain
            yield self

    async def say(self, role: str, text: str) -> str:
        """A signed text in the member's single chat; what came back to them or to that chat."""
        user = self.account(role)
        before = len(self.fake.sent)
        assert await self.player.say(user, text) == 200
        await self.drain()
        mine = (user, f"cidSingle{user}==")
        self.last = "\n".join(s.text for s in self.fake.sent[before:] if s.to in mine)
        return self.last

    async def press(self, role: str, labels: tuple[str, ...]) -> str:
        """DingTalk text has no buttons: type what the message lists for the label."""
        return await self.say(role, _typed_choice(self.last, labels))


ADAPTERS: tuple[type[Adapter], ...] = (ConsoleAdapter, TelegramAdapter, WeComAdapter, DingTalkAdapter)


def local(day: str, hour: int = 9) -> datetime:
    """A wall-clock time in Asia/Shanghai as an aware UTC instant."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)
