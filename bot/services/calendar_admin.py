"""Admin corrections to the working-day calendar, stored in the database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CalendarOverride
from bot.workcal import parse_overrides


async def load_overrides(session: AsyncSession, data: bytes, source_name: str) -> int:
    """Store every override in a file (replacing earlier ones for the same days); raises CalendarFileError."""
    overrides = parse_overrides(data, source_name)
    if overrides:
        await session.execute(delete(CalendarOverride).where(CalendarOverride.day.in_(list(overrides))))
        await session.execute(
            insert(CalendarOverride),
            [{"day": day, "working": working, "note": source_name} for day, working in sorted(overrides.items())],
        )
    return len(overrides)


async def add_override(session: AsyncSession, day: date, working: bool, note: str | None = None) -> None:
    """Mark one day as a working day or a day off."""
    await session.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
    session.add(CalendarOverride(day=day, working=working, note=note))
