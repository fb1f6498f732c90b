"""tasks.fixed_due, the stored earliest fixed due date that listings sort by, stays equal to its milestones'.

It is written by the import's Core inserts and kept by every ORM flush; each test changes milestones one
way and then compares every task's stored value with the value worked out from its milestones afresh.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from bot.db.models import Milestone, Task, earliest_fixed_due
from bot.services.imports import apply_import, prepare_import

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)
HEADER = "序号,重点工作任务,责任领导,责任处室,完成时限\n"
FIRST = HEADER + (
    "1,完善制度。6月底前出台方案。,张三,办公室,2024年9月30日前\n"
    "2,推进建设。,王五,财务股,长期\n"
    "3,定期调度。,李四,财务股,每季度\n"
    "4,全面完成。,李四,办公室,年底前\n"
)
# Row 1 moves earlier, row 2 gains a date, row 3 keeps only its recurring node, row 4 loses its date.
REVISED = HEADER + (
    "1,完善制度。4月底前出台方案。,张三,办公室,2024年9月30日前\n"
    "2,推进建设。11月底前验收。,王五,财务股,长期\n"
    "3,定期调度。,李四,财务股,每季度\n"
    "4,全面完成。,李四,办公室,长期\n"
)
NAME = "2024年重点工作任务分解表.csv"


async def _import(db, text: str) -> None:
    async with db.session() as session:
        preview = await prepare_import(session, text.encode("utf-8"), NAME, now=NOW, year=2024)
        await apply_import(session, preview, now=NOW, actor="test")


async def _stored_and_expected(db) -> dict[str, tuple[date | None, date | None]]:
    async with db.session() as session:
        tasks = (await session.scalars(select(Task).order_by(Task.seq))).all()
        return {t.no: (t.fixed_due, earliest_fixed_due(t.milestones)) for t in tasks}


def _assert_in_step(found: dict[str, tuple[date | None, date | None]]) -> None:
    for no, (stored, expected) in found.items():
        assert stored == expected, f"#{no}: stored {stored}, milestones say {expected}"


async def test_import_and_revision_store_the_earliest_fixed_date(db) -> None:
    await _import(db, FIRST)
    first = await _stored_and_expected(db)
    _assert_in_step(first)
    assert {no: stored for no, (stored, _) in first.items()} == {
        "1": date(2024, 6, 30), "2": None, "3": None, "4": date(2024, 12, 31)}
    await _import(db, REVISED)
    revised = await _stored_and_expected(db)
    _assert_in_step(revised)
    assert {no: stored for no, (stored, _) in revised.items()} == {
        "1": date(2024, 4, 30), "2": date(2024, 11, 30), "3": None, "4": None}


async def test_orm_changes_to_milestones_keep_it_whether_or_not_the_task_is_loaded(db) -> None:
    await _import(db, FIRST)
    async with db.session() as session:  # a milestone edited on its own, its task never loaded
        due = await session.scalar(select(Milestone).join(Task).where(Task.no == "4"))
        due.due = date(2024, 8, 15)
    async with db.session() as session:  # one added and one deleted, by task id only
        task2 = await session.scalar(select(Task.id).where(Task.no == "2"))
        session.add(Milestone(task_id=task2, due=date(2024, 7, 1), original_due=date(2024, 7, 1), text="7月1日前",
                              kind="dated"))
        gone = await session.scalar(select(Milestone).join(Task).where(Task.no == "1", Milestone.due == date(2024, 6, 30)))
        await session.delete(gone)
    found = await _stored_and_expected(db)
    _assert_in_step(found)
    assert (found["1"][0], found["2"][0], found["4"][0]) == (date(2024, 9, 30), date(2024, 7, 1), date(2024, 8, 15))


async def test_a_loaded_task_sees_the_new_value_without_reloading(db) -> None:
    await _import(db, FIRST)
    async with db.session() as session:
        task = await session.scalar(select(Task).where(Task.no == "1"))
        task.milestones = [Milestone(due=date(2024, 5, 20), original_due=date(2024, 5, 20), text="5月20日前", kind="dated")]
        await session.flush()
        assert task.fixed_due == date(2024, 5, 20)
        task.milestones = []
        await session.flush()
        assert task.fixed_due is None
    _assert_in_step(await _stored_and_expected(db))


async def test_the_listing_order_follows_a_moved_milestone(db, tmp_path: Path) -> None:
    from bot.services import queries
    from bot.services.status import Rules
    from bot.workcal import WorkCalendar

    await _import(db, FIRST)
    day = queries.Day(date(2024, 3, 1), WorkCalendar(), Rules(), "Asia/Shanghai")
    async with db.session() as session:
        li = await session.scalar(select(Task.id).where(Task.no == "4"))
        person = await session.scalar(select(Task).where(Task.no == "4"))
        leader = person.leaders[0].person_id
        before = [e.id for e in (await queries.my_tasks(session, day, leader)).entries]
        milestone = await session.scalar(select(Milestone).where(Milestone.task_id == li))
        milestone.due = date(2024, 3, 10)  # now due before #3's quarter end
        await session.flush()
        after = (await queries.my_tasks(session, day, leader)).entries
    assert before[-1] == li
    assert after[0].id == li and after[0].due == date(2024, 3, 10)
