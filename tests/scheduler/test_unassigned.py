"""The admins' daily line while open tasks have nobody responsible: once per admin and day, gone when all are assigned."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Task, TaskSection
from tests.scheduler.conftest import pass_at
from tests.scheduler.seed import Bureau, add_task, dated

DUE = [dated(date(2025, 12, 31))]


def _lines(result) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(m.target.key if m.target else "-", list(m.texts)) for m in result.messages if m.kind == "unassigned"]


async def test_admins_get_one_line_a_day_until_every_task_is_assigned(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=DUE)
    await add_task(core, bureau, "2", milestones=DUE, sections=(), leaders=())
    await add_task(core, bureau, "3", milestones=DUE, sections=(), leaders=("李康民",))  # a leader is someone
    await add_task(core, bureau, "4", milestones=DUE, sections=(), leaders=())
    await add_task(core, bureau, "5", milestones=DUE, sections=(), leaders=(), status="done")  # finished: no matter
    first = await pass_at(core, "2025-10-09T09:00")
    # console:admin cannot be written to; telegram:1000 gets exactly one line.
    assert _lines(first) == [("telegram:1000", ["⚠️ 2 项任务尚未指派：#2、#4。发送 /assign 序号 领导 股室，或 /export 模板 填好后导入。"])]
    assert {n.key for n in first.notices if n.kind == "unassigned"} == {"unassigned:2025-10-09:atelegram:1000"}
    assert _lines(await pass_at(core, "2025-10-09T15:00")) == []  # once a day
    assert _lines(await pass_at(core, "2025-10-12T09:00")) == []  # a Sunday: no admin notices
    assert len(_lines(await pass_at(core, "2025-10-10T09:00"))) == 1  # the next working day, again
    async with core.db.session() as s:
        for task in await s.scalars(select(Task).where(Task.no.in_(["2", "4"]))):
            s.add(TaskSection(task_id=task.id, section_id=bureau.sections["医政股"]))
    assert _lines(await pass_at(core, "2025-10-13T09:00")) == []


async def test_the_numbers_are_capped(core: Core, bureau: Bureau) -> None:
    for i in range(1, 15):
        await add_task(core, bureau, str(i), milestones=DUE, sections=(), leaders=())
    [(_, [text])] = _lines(await pass_at(core, "2025-10-09T09:00"))
    assert text.startswith("⚠️ 14 项任务尚未指派：#1、#2、#3、#4、#5、#6、#7、#8、#9、#10等。")


async def test_english_admins_read_it_in_english(core: Core, bureau: Bureau) -> None:
    from bot.db.models import Account
    from tests.scheduler.seed import T0

    async with core.db.session() as s:
        s.add(Account(channel="telegram", external_id="1000", lang="en", created_at=T0))
    await add_task(core, bureau, "7", milestones=DUE, sections=(), leaders=())
    [(_, [text])] = _lines(await pass_at(core, "2025-10-09T09:00"))
    assert text.startswith("⚠️ 1 tasks not yet assigned: #7.")
