"""The reminder passes that ran (``pass_slots``), newest first, for ``duban jobs``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core import Core
from bot.db.models import PassSlot


@dataclass(frozen=True, slots=True)
class SlotRecord:
    """A pass that ran: its slot, the replica, when it finished and how many messages it queued."""

    slot: str
    replica: str
    finished_at: datetime
    messages: int


async def recent_slots(core: Core, limit: int = 5) -> list[SlotRecord]:
    """The latest recorded passes, newest slot first."""
    async with core.db.session() as session:
        rows = (await session.execute(
            select(PassSlot.slot, PassSlot.replica, PassSlot.finished_at, PassSlot.messages)
            .order_by(PassSlot.slot.desc()).limit(limit))).all()
    return [SlotRecord(*row) for row in rows]
