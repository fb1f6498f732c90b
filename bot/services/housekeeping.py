"""Daily clean-up of what is only kept for a while: import previews, handled message ids, wrong invite codes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import delete
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import HandledMessage, PendingImport
from bot.services.invite_guard import forget_old_wrong_codes

# An import preview can be confirmed for a day (handlers.imports.PENDING_VALID); after that its file goes.
PENDING_IMPORT_KEPT = timedelta(days=1)
# Channels retry a delivery within minutes; ids are remembered far longer than any retry or replay window.
HANDLED_MESSAGE_KEPT = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Swept:
    """How many rows one housekeeping run deleted."""

    pending_imports: int
    handled_messages: int
    invite_failures: int = 0


async def sweep(session: AsyncSession, now: datetime) -> Swept:
    """Delete import previews and wrong invite codes older than a day, handled message ids older than a few days."""
    previews = await session.execute(delete(PendingImport).where(PendingImport.created_at < now - PENDING_IMPORT_KEPT))
    handled = await session.execute(delete(HandledMessage).where(HandledMessage.handled_at < now - HANDLED_MESSAGE_KEPT))
    failures = await forget_old_wrong_codes(session, now)
    return Swept(cast(CursorResult, previews).rowcount, cast(CursorResult, handled).rowcount, failures)


def message_key(channel: str, dedup_key: str) -> str:
    """The stored digest of a channel's message id (bounded length, no user ids kept in clear)."""
    return hashlib.sha256(f"{channel}\0{dedup_key}".encode()).hexdigest()


async def first_handling(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record ``key`` as handled; False when it was recorded before (a replayed or retried delivery)."""
    if await session.get(HandledMessage, key) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(HandledMessage(key=key, handled_at=now))
    except IntegrityError:
        return False  # another worker recorded it a moment ago
    return True
