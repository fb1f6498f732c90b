"""Slowing down invite-code guessing: a few wrong codes per account within minutes lock that account out a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import InviteFailure

WRONG_CODES_ALLOWED = 5
WRONG_CODES_WINDOW = timedelta(minutes=10)
LOCKED_OUT_FOR = timedelta(minutes=10)


async def locked_until(session: AsyncSession, account: str, now: datetime) -> datetime | None:
    """When ``account`` may try a code again, if its last wrong codes came too fast; None when it may now."""
    recent = (await session.scalars(
        select(InviteFailure.at).where(InviteFailure.account == account)
        .order_by(InviteFailure.at.desc()).limit(WRONG_CODES_ALLOWED)
    )).all()
    if len(recent) < WRONG_CODES_ALLOWED or recent[0] - recent[-1] > WRONG_CODES_WINDOW:
        return None
    until = recent[0] + LOCKED_OUT_FOR
    return until if now < until else None


async def record_wrong_code(session: AsyncSession, account: str, now: datetime) -> None:
    """Remember one wrong code sent by ``account``."""
    session.add(InviteFailure(account=account, at=now))


async def forget_old_wrong_codes(session: AsyncSession, now: datetime) -> int:
    """Delete wrong-code records older than a day (daily housekeeping); returns how many."""
    gone = await session.execute(delete(InviteFailure).where(InviteFailure.at < now - timedelta(days=1)))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
