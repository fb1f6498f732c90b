"""The link rows' copies of their tasks' listing keys (bot.db.listing) follow every kind of write, on SQLite and
PostgreSQL: links added with a task or later, status and due dates changed, a recurring milestone added and
removed, a task renumbered or moved, a link re-pointed, through the ORM and Core alike."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, select, text, update

from bot.core import Core
from bot.db.models import Milestone, Task, TaskLeader, TaskSection
from tests.scheduler.seed import Bureau, add_task, dated, seed_bureau

_RECURRING = {"due": date(2025, 12, 31), "kind": "recurring", "period": "quarter"}


def _day(value: date | str | None) -> date | None:
    """A date read by raw SQL (SQLite gives its text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


async def _keys(core: Core) -> dict[tuple[str, int, int], tuple]:
    """Every link's stored keys, after checking each against its task's row as it is now."""
    found = {}
    async with core.db.session() as s:
        for link, other in (("task_leaders", "person_id"), ("task_sections", "section_id")):
            rows = (await s.execute(text(
                f"SELECT l.task_id, l.{other}, l.task_open, l.task_recurs, l.task_due, l.task_table, l.task_seq, "
                "t.status = 'open', EXISTS (SELECT 1 FROM milestones m WHERE m.task_id = t.id AND m.kind = 'recurring'), "
                f"t.fixed_due, t.table_id, t.seq FROM {link} l JOIN tasks t ON t.id = l.task_id"))).all()
            for row in rows:
                stored = (bool(row[2]), bool(row[3]), _day(row[4]), row[5], row[6])
                assert stored == (bool(row[7]), bool(row[8]), _day(row[9]), row[10], row[11]), (link, row)
                found[(link, row[0], row[1])] = stored
    return found


async def test_link_keys_follow_every_write(core: Core) -> None:
    b: Bureau = await seed_bureau(core)
    one = await add_task(core, b, "1", milestones=[dated(date(2025, 10, 31)), dated(date(2025, 12, 31))])
    two = await add_task(core, b, "2", milestones=[dict(_RECURRING)], sections=("疾控股", "医政股"))
    keys = await _keys(core)
    section = b.sections["疾控股"]
    assert keys[("task_sections", one, section)][:3] == (True, False, date(2025, 10, 31))
    assert keys[("task_sections", two, section)][:3] == (True, True, None)
    assert keys[("task_leaders", two, b.people["李康民"])][:2] == (True, True)

    async with core.db.session() as s:  # ORM: a milestone moved earlier (fixed_due follows), the other task done
        m = await s.get(Milestone, b.milestones["1.0"])
        assert m is not None
        m.due = date(2025, 9, 30)
        (await s.get_one(Task, two)).status = "done"
    keys = await _keys(core)
    assert keys[("task_sections", one, section)][:3] == (True, False, date(2025, 9, 30))
    assert keys[("task_sections", two, b.sections["医政股"])][0] is False

    async with core.db.session() as s:  # a recurring milestone added to one, removed from the other, via Core
        await s.execute(insert(Milestone), [{"task_id": one, "position": 5, "text": "", **_RECURRING}])
        await s.execute(delete(Milestone).where(Milestone.task_id == two))
    keys = await _keys(core)
    assert keys[("task_sections", one, section)][1] is True
    assert keys[("task_leaders", two, b.people["李康民"])][1] is False

    async with core.db.session() as s:  # renumbered, reopened, a link added later (ORM) and one by Core
        await s.execute(update(Task).where(Task.id == two).values(seq=40, status="open"))
        s.add(TaskLeader(task_id=one, person_id=b.people["赵六"], position=1))
        await s.flush()
        await s.execute(insert(TaskSection), [{"task_id": two, "section_id": b.sections["办公室"], "position": 2}])
    keys = await _keys(core)
    assert keys[("task_sections", two, b.sections["办公室"])] == (True, False, None, b.table, 40)
    assert keys[("task_leaders", one, b.people["赵六"])][:2] == (True, True)

    async with core.db.session() as s:  # a link re-pointed to the other task takes that task's keys
        await s.execute(update(TaskLeader).where(TaskLeader.task_id == one, TaskLeader.person_id == b.people["赵六"])
                        .values(task_id=two))
    keys = await _keys(core)
    assert keys[("task_leaders", two, b.people["赵六"])] == (True, False, None, b.table, 40)

    async with core.db.session() as s:  # the task gone: so are its links
        await s.execute(delete(Task).where(Task.id == one))
        assert not (await s.execute(select(TaskSection).where(TaskSection.task_id == one))).all()
