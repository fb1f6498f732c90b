"""tasks.schedule (bot.db.fold) stays the fold of the task's milestones through every kind of write: ORM adds,
edits and deletes, Core inserts, updates and deletes, a task's whole list replaced; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import selectinload

from bot.core import Core
from bot.db.fold import fold_sql
from bot.db.models import Milestone, Task
from tests.scheduler.seed import Bureau, add_task, dated, seed_bureau


async def _check(core: Core, *task_ids: int) -> dict[int, list[tuple[int, str, str]]]:
    """Each task's stored fold equals the fold worked out now; returns it parsed (position, kind, due) per task."""
    out = {}
    async with core.db.session() as s:
        dialect = (await s.connection()).dialect.name
        for tid in task_ids:
            stored, fresh = (await s.execute(text(
                f"SELECT schedule, {fold_sql(dialect, 'tasks.id')} FROM tasks WHERE id = :id"), {"id": tid})).one()
            assert stored == fresh
            facts = stored.partition("#")[0].split(";") if stored else []
            out[tid] = sorted((int(p), kind, due) for p, kind, _, due, _ in (f.split("|") for f in facts))
    return out


async def test_the_fold_follows_every_write(core: Core) -> None:
    b: Bureau = await seed_bureau(core)
    one = await add_task(core, b, "1", milestones=[dated(date(2025, 10, 31)), dated(date(2025, 12, 31))])
    two = await add_task(core, b, "2", milestones=[])
    assert await _check(core, one, two) == {one: [(0, "dated", "2025-10-31"), (1, "dated", "2025-12-31")], two: []}

    async with core.db.session() as s:  # ORM: edit one, add one to another task
        m = await s.get(Milestone, b.milestones["1.0"])
        assert m is not None
        m.due = date(2025, 11, 15)
        s.add(Milestone(task_id=two, position=0, due=date(2026, 3, 31), kind="target", text=""))
    assert await _check(core, one, two) == {one: [(0, "dated", "2025-11-15"), (1, "dated", "2025-12-31")],
                                            two: [(0, "target", "2026-03-31")]}

    async with core.db.session() as s:  # ORM: the whole list replaced, as a revised table does
        task = (await s.execute(select(Task).where(Task.id == one).options(selectinload(Task.milestones)))).scalar_one()
        task.milestones = [Milestone(position=0, due=None, kind="ongoing", text="长期")]
    assert (await _check(core, one))[one] == [(0, "ongoing", "")]

    async with core.db.session() as s:  # Core: insert many, update, delete
        await s.execute(insert(Milestone), [
            {"task_id": two, "position": p, "due": date(2026, 6, p + 1), "kind": "dated", "text": ""} for p in (1, 2)])
        await s.execute(update(Milestone).where(Milestone.task_id == two, Milestone.position == 2).values(position=5))
        await s.execute(delete(Milestone).where(Milestone.task_id == two, Milestone.position == 0))
    assert (await _check(core, two))[two] == [(1, "dated", "2026-06-02"), (5, "dated", "2026-06-03")]

    async with core.db.session() as s:  # every milestone gone: no fold at all
        await s.execute(delete(Milestone).where(Milestone.task_id.in_([one, two])))
    assert await _check(core, one, two) == {one: [], two: []}
