"""The core's shared dependencies, built once by the composition root and passed to handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.contracts.capabilities import RICH, Capabilities

from bot.db import Database
from bot.db.models import CalendarOverride
from bot.redact import Redactor
from bot.workcal import WorkCalendar
from config import Settings

if TYPE_CHECKING:
    from bot.metrics import Metrics


@dataclass
class Core:
    """Settings, database and working-day calendar: everything a handler or job needs besides ``now``."""

    settings: Settings
    db: Database
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # Each configured channel's abilities, filled by its builder in the composition root (bot.channels.registry).
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    # One slot per channel for what its parts share in this process (WeCom's Delivery: one token, one limiter).
    channel_state: dict[str, Any] = field(default_factory=dict)

    @property
    def silent_channels(self) -> frozenset[str]:
        """Channels that cannot reach anyone who is not typing at that moment (no notice is routed there)."""
        return frozenset(name for name, caps in self.capabilities.items() if not caps.reach_idle)

    def caps(self, channel: str) -> Capabilities:
        """What ``channel`` can do; a rich chat's abilities when no builder said (keeps the full wording)."""
        return self.capabilities.get(channel, RICH)

    def is_admin(self, account_key: str) -> bool:
        """Whether ``account_key`` (``telegram:123``) is listed in DUBAN_ADMINS."""
        return account_key in self.settings.admins

    @cached_property
    def redact(self) -> Redactor:
        """Masks every configured secret in text bound for a log, a terminal, a chat or an error column."""
        return Redactor.from_settings(self.settings)

    @cached_property
    def metrics(self) -> Metrics:
        """This core's Prometheus metrics, in a registry of their own (made on first use)."""
        from bot.metrics import Metrics

        return Metrics()

    @property
    def tz(self) -> str:
        """The bureau's time zone name."""
        return self.settings.timezone

    async def reload_calendar(self) -> None:
        """Rebuild the calendar with the admin overrides stored in the database."""
        async with self.db.session() as session:
            rows = (await session.execute(select(CalendarOverride.day, CalendarOverride.working))).all()
        overrides: dict[date, bool] = {day: working for day, working in rows}
        self.calendar = WorkCalendar(overrides)
