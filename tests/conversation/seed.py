"""A synthetic table inserted straight through the ORM, for lists longer than the real table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Milestone, Person, Section, Task, TaskLeader, TaskSection, TaskTable

ISSUED = date(2023, 5, 6)


async def _named(session, model, name: str, now: datetime):  # type: ignore[no-untyped-def]
    found = await session.scalar(select(model).where(model.name == name))
    if found is None:
        found = model(name=name, created_at=now)
        session.add(found)
        await session.flush()
    return found


async def insert_many(
    core: Core, *, title: str, leader: str, section: str, count: int, due: date, now: datetime
) -> int:
    """A table of ``count`` tasks all led by ``leader`` and ``section``, due on ``due`` (for paging)."""
    async with core.db.session() as session:
        table = TaskTable(
            title=title,
            issuer=None,
            year=due.year,
            issued=ISSUED,
            source_name=f"{title}.xlsx",
            source_hash="1" * 64,
            source_format="xlsx",
            columns=[],
            active=True,
            imported_at=now,
            updated_at=now,
        )
        session.add(table)
        await session.flush()
        person = await _named(session, Person, leader, now)
        unit = await _named(session, Section, section, now)
        for seq in range(1, count + 1):
            session.add(
                Task(
                    table_id=table.id,
                    no=str(seq),
                    seq=seq,
                    title=f"批量任务{seq}",
                    content=f"批量任务{seq}的内容。",
                    units=[],
                    status="open",
                    created_at=now,
                    updated_at=now,
                    milestones=[Milestone(due=due, original_due=due, text="年底前", kind="dated", window_start=ISSUED)],
                    leaders=[TaskLeader(person_id=person.id)],
                    sections=[TaskSection(section_id=unit.id)],
                )
            )
        await session.flush()
        return table.id
