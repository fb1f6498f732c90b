"""Drives the real Duban Telegram application, polling the fake Bot API, as users would.

``Duban.send`` and ``Duban.press`` act as a user and return once the bot has finished with that update
(a group-1 handler marks each update done after the adapter and any error handler ran), with what the bot
sent to the chat meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.telegram import build_telegram_application, poll_until
from bot.channels.telegram_send import send_replies
from bot.core import Core
from bot.db.models import OutboxMessage, Person
from bot.services.accounts import bind
from bot.services.notices import decode_buttons
from bot.services.people import add_person
from handlers.app import handle
from bot.contracts import Button, Reply
from tests.fakes.telegram_api import FakeTelegram, SentMessage

STARTUP_TIMEOUT = 5.0
STEP_TIMEOUT = 10.0


@dataclass
class Clock:
    """The bot's clock, set by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Turn:
    """What the bot did in one chat for one user action."""

    sent: list[SentMessage]
    answer: dict[str, Any] | None = None  # the answerCallbackQuery parameters, for a press
    said: dict[str, Any] | None = None  # the user's Message, for a message

    @property
    def text(self) -> str:
        """Every new message's visible text (or caption), joined."""
        return "\n".join((m.text or m.caption or "") for m in self.sent)

    def buttons(self) -> dict[str, str]:
        """Label → callback data over the new messages."""
        return {b["text"]: b["callback_data"] for m in self.sent
                for row in (m.reply_markup or {}).get("inline_keyboard", []) for b in row}


@dataclass
class Duban:
    """The running application, the fake, the core and the clock, with helpers to act as users."""

    fake: FakeTelegram
    core: Core
    clock: Clock
    app: Application
    processed: int = 0
    expected: int = 0
    _done: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def _mark_done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._done:
            self.processed += 1
            self._done.notify_all()

    async def settle(self) -> None:
        """Wait until every update the test caused has been handled."""
        async with self._done:
            await asyncio.wait_for(self._done.wait_for(lambda: self.processed >= self.expected), STEP_TIMEOUT)

    async def send(self, user: int, text: str | None = None, chat: int | None = None, *,
                   delivered: bool = True, **kw: Any) -> Turn:
        """``user`` writes in ``chat`` (default: their private chat); ``delivered=False`` when privacy hides it."""
        target = user if chat is None else chat
        before = len(self.fake.messages(target))
        said = await self.fake.user_sends(user, text, chat, **kw)
        self.expected += int(delivered)
        await self.settle()
        return Turn(self.fake.messages(target)[before:], said=said)

    async def press(self, user: int, message: SentMessage, data: str) -> Turn:
        """``user`` presses the button ``data`` on ``message``; the query must have been answered."""
        before = len(self.fake.messages(message.chat_id))
        query_id = await self.fake.press_button(user, message, data, chat_id=message.chat_id)
        self.expected += 1
        await self.settle()
        answers = [a for a in self.fake.answered_callbacks if a["callback_query_id"] == query_id]
        assert len(answers) == 1, f"callback query {query_id} answered {len(answers)} times"
        return Turn(self.fake.messages(message.chat_id)[before:], answers[0])

    def current(self, message: SentMessage) -> SentMessage:
        """The message as it stands now (after edits)."""
        return next(m for m in self.fake.messages(message.chat_id) if m.message_id == message.message_id)

    async def bind(self, user: int, name: str, section: str | None = None) -> None:
        """Bind ``telegram:<user>`` to the person ``name`` (made, in ``section``, when new)."""
        async with self.core.db.session() as session:
            person = await session.scalar(select(Person).where(Person.name == name))
            if person is None:
                person, _ = await add_person(session, name, now=self.clock.now, section=section)
            await bind(session, "telegram", str(user), person, now=self.clock.now)

    async def deliver_outbox(self) -> int:
        """Send queued notices through the adapter's sender, as the scheduler's notifier would."""
        async with self.core.db.session() as session:
            rows = (await session.scalars(select(OutboxMessage).where(
                OutboxMessage.status == "pending", OutboxMessage.channel == "telegram").order_by(OutboxMessage.id))).all()
            for row in rows:
                buttons = decode_buttons(row.buttons or [])
                await send_replies(self.app.bot, int(row.target), [Reply(row.text, buttons=buttons)])
                row.status, row.sent_at = "sent", self.clock.now
        return len(rows)


@asynccontextmanager
async def running_duban(core: Core, fake: FakeTelegram, clock: Clock) -> AsyncIterator[Duban]:
    """Build Duban's application from the settings, poll the fake until the block ends."""
    app = build_telegram_application(core, handle, clock=clock)
    duban = Duban(fake, core, clock, app)
    app.add_handler(TypeHandler(Update, duban._mark_done), group=1)
    stop = asyncio.Event()
    polling = asyncio.create_task(poll_until(app, stop))
    started = asyncio.create_task(fake.wait_until(lambda: bool(fake.calls("getUpdates")), STARTUP_TIMEOUT, "polling"))
    await asyncio.wait({polling, started}, return_when=asyncio.FIRST_COMPLETED)
    if polling.done():
        started.cancel()
        polling.result()  # raises the start-up failure
    started.result()
    try:
        yield duban
    finally:
        stop.set()
        await asyncio.wait_for(polling, STEP_TIMEOUT)
