"""Far dates (issue 10, finding 2): a user cannot ask for one, and one already stored does not stall anyone."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import update

from bot.db.models import Milestone
from tests.conversation.conftest import ADMIN, WANG, ZHANG, Talk


async def test_an_extension_outside_the_tables_years_is_refused_with_the_window(talk: Talk) -> None:
    for far in ("9999-12-31", "2034-01-01"):
        said = await talk.text(ZHANG, f"延期 11 {far} 等待批复")
        assert "日期超出范围" in said and "2022-01-01 至 2033-12-31" in said, said
    assert "已提交" in await talk.text(ZHANG, "延期 11 2033-12-31 等待批复")


async def test_a_far_due_date_already_stored_costs_no_more_than_a_near_one(talk: Talk, task_id) -> None:  # type: ignore[no-untyped-def]
    async with talk.core.db.session() as session:
        await session.execute(update(Milestone).where(Milestone.task_id == await task_id("11")).values(due=date(9999, 12, 31)))
    started = time.perf_counter()
    detail = await talk.text(WANG, "#11")
    listing = await talk.text(ADMIN, "我的任务")
    assert time.perf_counter() - started < 2.0
    assert "9999-12-31" in detail and listing
