"""What a handler gets besides its arguments: the core, the request, a session, who is asking, their language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.clock import local_date
from bot.services.accounts import Caller
from bot.services.progress import Actor
from bot.services.queries import Day
from bot.services.status import Rules
from bot.services.subscriptions import chat_sections
from bot.services.visibility import Viewer
from bot.texts import t
from bot.contracts import Request

if TYPE_CHECKING:
    from handlers.router import Route

PAGE_SIZE = 10


@dataclass
class Ctx:
    """One request being handled."""

    core: Core
    request: Request
    session: AsyncSession
    route: Route
    caller: Caller | None
    admin: bool
    lang: str
    _viewer: Viewer | None = field(default=None, repr=False)

    @property
    def person_id(self) -> int | None:
        """The id of the person the sender's account is bound to."""
        return self.caller.person_id if self.caller is not None else None

    @property
    def person_name(self) -> str | None:
        """The name of the person the sender's account is bound to."""
        return self.caller.person_name if self.caller is not None else None

    @property
    def bound(self) -> bool:
        """Whether the sender's account is bound to a person."""
        return self.person_id is not None

    @property
    def in_group(self) -> bool:
        """Whether the words were said in a group chat."""
        return self.request.chat.kind == "group"

    @property
    def today(self) -> date:
        """The bureau's local date at the request's instant."""
        return local_date(self.request.now, self.core.tz)

    def t(self, key: str, **params: object) -> str:
        """A text in the sender's language."""
        return t(key, self.lang, **params)

    def actor(self) -> Actor:
        """The sender as the audit trail records them."""
        sender = self.request.sender
        return Actor(key=sender.key, channel=sender.channel, person_id=self.person_id, admin=self.admin)

    def day(self) -> Day:
        """Today with the calendar and the colour rules from the settings."""
        return Day(self.today, self.core.calendar, Rules.from_settings(self.core.settings.reminders), self.core.tz)

    async def viewer(self) -> Viewer:
        """Whose view a listing takes: the group's subscriptions in a group, else the person (or admin)."""
        if self._viewer is None:
            group = None
            if self.in_group:
                group = await chat_sections(self.session, self.request.chat.channel, self.request.chat.id)
            self._viewer = Viewer(admin=self.admin, person_id=self.person_id, group=group)
        return self._viewer
