"""The pass's snapshot: links and milestones in position order whatever order the rows come in, shared facts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from bot.core import Core
from bot.db.models import Milestone, Task, TaskLeader, TaskSection
from scheduler.snapshot import load_snapshot
from tests.scheduler.seed import Bureau, add_task, dated


async def test_links_and_milestones_follow_their_positions_and_equal_milestones_are_shared(core: Core, bureau: Bureau) -> None:
    b = bureau
    one = await add_task(core, b, "1", milestones=[dated(date(2025, 10, 31)), dated(date(2025, 12, 31))],
                         sections=("疾控股", "医政股"), leaders=("李康民", "赵六"))
    two = await add_task(core, b, "2", milestones=[dated(date(2025, 10, 31)), dated(date(2025, 12, 31))])
    three = await add_task(core, b, "3", milestones=[dated(date(2025, 12, 31)), dated(date(2025, 10, 31))])
    async with core.db.session() as s:  # task 1: reorder everything against the order the rows were written in
        await s.execute(update(TaskSection).where(TaskSection.task_id == one, TaskSection.section_id == b.sections["疾控股"]).values(position=5))
        await s.execute(update(TaskLeader).where(TaskLeader.task_id == one, TaskLeader.person_id == b.people["李康民"]).values(position=5))
        await s.execute(update(Milestone).where(Milestone.id == b.milestones["1.0"]).values(position=5))
    async with core.db.session() as s:
        snap = await load_snapshot(s, date(2025, 10, 13), tz=core.tz)
    tasks = {task.id: task for task in snap.tasks}
    first, second, third = tasks[one], tasks[two], tasks[three]
    assert first.sections == (b.sections["医政股"], b.sections["疾控股"])
    assert first.leaders == (b.people["赵六"], b.people["李康民"])
    assert first.milestone_ids == (b.milestones["1.1"], b.milestones["1.0"])
    assert [m.due for m in first.milestones] == [date(2025, 12, 31), date(2025, 10, 31)]
    # Equal milestones in the same order are one tuple of facts (and one shape); the ids stay each task's own.
    assert third.milestones is first.milestones and third.shape == first.shape
    assert second.milestones is not first.milestones and second.milestones[0] is first.milestones[1]
    assert second.milestone_ids == (b.milestones["2.0"], b.milestones["2.1"])
    assert second.sections is tasks[three].sections and second.leaders == (b.people["李康民"],)


async def test_milestones_at_one_position_follow_their_ids_and_other_tasks_keep_their_shapes(core: Core, bureau: Bureau) -> None:
    b = bureau
    tied = await add_task(core, b, "1", milestones=[dated(date(2025, 12, 31)), dated(date(2025, 10, 31)), dated(date(2025, 11, 30))])
    plain = await add_task(core, b, "2", milestones=[dated(date(2025, 12, 31)), dated(date(2025, 10, 31)), dated(date(2025, 11, 30))])
    async with core.db.session() as s:  # the first two of task 1 at one position, after the third
        await s.execute(update(Milestone).where(Milestone.task_id == tied, Milestone.position < 2).values(position=7))
    async with core.db.session() as s:
        snap = await load_snapshot(s, date(2025, 10, 13), tz=core.tz)
    tasks = {task.id: task for task in snap.tasks}
    assert tasks[tied].milestone_ids == (b.milestones["1.2"], b.milestones["1.0"], b.milestones["1.1"])
    assert [m.due for m in tasks[tied].milestones] == [date(2025, 11, 30), date(2025, 12, 31), date(2025, 10, 31)]
    assert tasks[plain].milestone_ids == (b.milestones["2.0"], b.milestones["2.1"], b.milestones["2.2"])
    assert [m.due for m in tasks[plain].milestones] == [date(2025, 12, 31), date(2025, 10, 31), date(2025, 11, 30)]
    assert tasks[plain].shape != tasks[tied].shape


async def test_tasks_come_in_the_tables_order_even_where_ids_do_not_follow_it(core: Core, bureau: Bureau) -> None:
    b = bureau
    ids = [await add_task(core, b, str(no), milestones=[dated(date(2025, 12, 31))]) for no in (1, 2, 3, 4)]
    async with core.db.session() as s:  # as a revision does: the newest row goes between the first and second
        await s.execute(update(Task).where(Task.id == ids[3]).values(seq=-1))
        await s.execute(update(Task).where(Task.id == ids[0]).values(seq=-2))
        await s.execute(update(Task).where(Task.id == ids[1]).values(progress_percent=30))  # moves its row on PostgreSQL
    async with core.db.session() as s:
        snap = await load_snapshot(s, date(2025, 10, 13), tz=core.tz)
    assert [t.id for t in snap.tasks] == [ids[0], ids[3], ids[1], ids[2]]
