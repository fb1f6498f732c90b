"""我的任务 loads only its head: every page and total match the whole listing sorted in Python, on both databases."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.db import Database
from bot.db.models import Milestone, Occurrence, Person, Section, SectionMember, Task, TaskLeader, TaskSection, TaskTable
from bot.services import queries
from bot.services.occurrences import closed_keys
from bot.services.queries import ROLE_LEADER, ROLE_SECTION, Day, Entry
from bot.services.status import Rules
from bot.services.task_list import task_standing
from bot.workcal import WorkCalendar

NOW = datetime(2025, 10, 13, 1, 0, tzinfo=UTC)
TODAY = date(2025, 10, 13)
DAY = Day(TODAY, WorkCalendar(), Rules(), "Asia/Shanghai")


async def _seed(db: Database, rng: random.Random) -> tuple[int, int]:
    """A person who leads some tasks and whose section leads more, of every kind; plus tasks they must not see."""
    async with db.session() as s:
        active = TaskTable(title="新表", year=2025, source_name="a.xlsx", source_hash="0" * 64, source_format="xlsx",
                           columns=[], active=True, imported_at=NOW, updated_at=NOW)
        older = TaskTable(title="旧表", year=2025, source_name="b.xlsx", source_hash="1" * 64, source_format="xlsx",
                          columns=[], active=True, imported_at=NOW - timedelta(days=30), updated_at=NOW)
        retired = TaskTable(title="停用", year=2025, source_name="c.xlsx", source_hash="2" * 64, source_format="xlsx",
                            columns=[], active=False, imported_at=NOW, updated_at=NOW)
        me, other = Person(name="张三", created_at=NOW), Person(name="李四", created_at=NOW)
        mine, theirs = Section(name="医政股", created_at=NOW), Section(name="疾控股", created_at=NOW)
        s.add_all([active, older, retired, me, other, mine, theirs])
        await s.flush()
        s.add(SectionMember(person_id=me.id, section_id=mine.id))
        tasks = []
        for n in range(1, 91):
            table = rng.choice([active, active, older, retired])
            kind = rng.choice(["dated", "dated", "recurring", "recurring", "ongoing", "none"])
            base = TODAY + timedelta(days=rng.randint(-20, 60))
            milestones = []
            if kind == "dated":
                milestones = [Milestone(due=base + timedelta(days=30 * k), kind="dated", position=k) for k in range(2)]
            elif kind == "recurring":
                period = rng.choice(["month", "quarter", "day"])
                year_end = date(2025, 12, 31) if rng.random() < 0.9 else None  # a recurring node with no date at all
                milestones = [Milestone(due=year_end, kind="recurring", period=period, window_start=date(2025, 1, 2)),
                              Milestone(due=base, kind="dated", position=1)]
            elif kind == "ongoing":
                milestones = [Milestone(due=None, kind="ongoing")]
            leaders = [TaskLeader(person_id=rng.choice([me.id, other.id]))]
            sections = [TaskSection(section_id=rng.choice([mine.id, theirs.id]))]
            task = Task(table_id=table.id, no=str(n), seq=n, title=f"任务{n}", content="", units=[],
                        status=rng.choice(["open"] * 8 + ["done", "removed"]), created_at=NOW, updated_at=NOW,
                        milestones=milestones, leaders=leaders, sections=sections)
            s.add(task)
            tasks.append(task)
        await s.flush()
        for task in tasks:  # some months and quarters already reported or waived: their due dates move on
            recurring = [m for m in task.milestones if m.kind == "recurring"]
            if recurring and rng.random() < 0.7:
                months = rng.randint(1, 10)
                keys = [f"2025-{m:02d}" for m in range(1, months + 1)] + [f"2025-Q{q}" for q in range(1, months // 3 + 1)]
                s.add_all(Occurrence(task_id=task.id, milestone_id=recurring[0].id, period_key=key, due=date(2025, 12, 31),
                                     state=rng.choice(["reported", "waived", "acknowledged"]), created_at=NOW)
                          for key in keys)
        await s.commit()
        return me.id, mine.id


async def _everything(db: Database, person: int) -> list[Entry]:
    """The whole listing, worked out the slow way: every visible open task's standing, sorted as the listing sorts."""
    async with db.session() as s:
        led = set(await s.scalars(select(TaskLeader.task_id).where(TaskLeader.person_id == person)))
        sections = set(await s.scalars(select(SectionMember.section_id).where(SectionMember.person_id == person)))
        of_sections = set(await s.scalars(select(TaskSection.task_id).where(TaskSection.section_id.in_(sections))))
        tasks = list(await s.scalars(select(Task).join(TaskTable).where(TaskTable.active.is_(True), Task.status == "open",
                                                                         Task.id.in_(led | of_sections))))
        closed = await closed_keys(s, [t.id for t in tasks])
        entries = [Entry(t.id, t.table_id, t.seq, "open", task_standing(t, TODAY, DAY.cal, DAY.rules, DAY.tz, closed).due,
                         ROLE_LEADER if t.id in led else ROLE_SECTION) for t in tasks]
    return sorted(entries, key=Entry.key)


async def test_every_head_and_page_matches_the_whole_listing(db: Database) -> None:
    person, _ = await _seed(db, random.Random(7))
    expected = await _everything(db, person)
    assert len(expected) > queries.HEAD + 10  # long enough that later pages lie beyond the first head
    assert any(e.role == ROLE_LEADER for e in expected) and any(e.role == ROLE_SECTION for e in expected)
    async with db.session() as s:
        for upto in (1, 5, queries.HEAD, len(expected) - 1, len(expected), len(expected) + 5):
            listing = await queries.my_tasks(s, DAY, person, upto=upto)
            assert listing.count == len(expected)
            assert listing.entries == expected[:upto], upto
        listing = await queries.my_tasks(s, DAY, person)
        for size in (7, 10):
            for number in range(listing.pages(size)):
                shown = await queries.page(s, DAY, listing, number, size)
                assert shown.total == len(expected)
                assert [line.id for line in shown.lines] == [e.id for e in expected[number * size : (number + 1) * size]]


async def test_a_person_with_no_tasks_gets_an_empty_listing(db: Database) -> None:
    await _seed(db, random.Random(3))
    async with db.session() as s:
        nobody = Person(name="王五", created_at=NOW)
        s.add(nobody)
        await s.flush()
        listing = await queries.my_tasks(s, DAY, nobody.id)
    assert listing.entries == [] and listing.count == 0 and listing.pages(10) == 1


async def test_a_member_of_two_sections_sees_each_shared_task_once(db: Database) -> None:
    person, mine = await _seed(db, random.Random(11))
    async with db.session() as s:
        theirs = await s.scalar(select(Section.id).where(Section.id != mine))
        s.add(SectionMember(person_id=person, section_id=theirs))
        # Some tasks belong to both of the person's sections (and some led ones too): each must be listed once,
        # in its lower role.
        placed = set(await s.scalars(select(TaskSection.task_id).where(TaskSection.section_id == theirs)))
        s.add_all(TaskSection(task_id=task_id, section_id=mine, position=1) for task_id in sorted(placed)[::2])
    expected = await _everything(db, person)
    assert len({e.id for e in expected}) == len(expected) > queries.HEAD
    async with db.session() as s:
        for upto in (queries.HEAD, len(expected) + 1):
            listing = await queries.my_tasks(s, DAY, person, upto=upto)
            assert listing.count == len(expected)
            assert listing.entries == expected[:upto], upto
