"""A small bureau seeded straight through the ORM: sections with members and heads, leaders, accounts, tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.core import Core
from bot.db.clock import UTC
from bot.db.models import (
    Account,
    ChatSubscription,
    Milestone,
    Person,
    Section,
    SectionMember,
    Task,
    TaskLeader,
    TaskSection,
    TaskTable,
)

T0 = datetime(2025, 1, 2, tzinfo=UTC)


@dataclass
class Bureau:
    """Ids of what was seeded, by name."""

    table: int = 0
    people: dict[str, int] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    milestones: dict[str, int] = field(default_factory=dict)
    telegram: dict[str, int] = field(default_factory=dict)  # person name → Telegram user id


# name → (section, is_head, telegram user id or None)
PEOPLE: dict[str, tuple[str | None, bool, int | None]] = {
    "张三": ("疾控股", False, 101),
    "李四": ("疾控股", False, 102),
    "王五": ("疾控股", True, 103),
    "赵六": ("医政股", True, 104),
    "李康民": (None, False, 105),
    "周七": ("疾控股", False, None),  # a member who never bound an account
}


async def seed_bureau(core: Core, *, year: int = 2025, groups: dict[int, str | None] | None = None) -> Bureau:
    """The bureau: 疾控股 (张三, 李四, 周七; head 王五), 医政股 (only its head 赵六 known), leader 李康民."""
    b = Bureau()
    async with core.db.session() as s:
        table = TaskTable(title=f"{year}年卫生健康重点工作责任分解表", issuer="卫健局", year=year, issued=date(year, 1, 2),
                          source_name="t.xlsx", source_hash="0" * 64, source_format="xlsx", columns=[], active=True,
                          imported_at=T0, updated_at=T0)
        s.add(table)
        for name in ("疾控股", "医政股", "办公室"):
            section = Section(name=name, created_at=T0)
            s.add(section)
            await s.flush()
            b.sections[name] = section.id
        await s.flush()
        b.table = table.id
        for name, (section, head, tg) in PEOPLE.items():
            person = Person(name=name, created_at=T0)
            s.add(person)
            await s.flush()
            b.people[name] = person.id
            if section:
                s.add(SectionMember(person_id=person.id, section_id=b.sections[section], is_head=head))
            if tg:
                s.add(Account(channel="telegram", external_id=str(tg), person_id=person.id, bound_at=T0, created_at=T0))
                b.telegram[name] = tg
        for chat_id, section in (groups or {}).items():
            s.add(ChatSubscription(channel="telegram", chat_id=str(chat_id), section_id=b.sections[section] if section else None,
                                   title=f"{section or '全局'}群", created_at=T0))
    return b


async def add_task(
    core: Core,
    b: Bureau,
    no: str,
    *,
    milestones: list[dict[str, Any]],
    sections: tuple[str, ...] = ("疾控股",),
    leaders: tuple[str, ...] = ("李康民",),
    title: str | None = None,
    status: str = "open",
    **extra: Any,
) -> int:
    """A task with milestones given as dicts of Milestone fields (due, kind, period, window_start)."""
    async with core.db.session() as s:
        task = Task(
            table_id=b.table, no=no, seq=int(no) if no.isdigit() else 0, title=title or f"任务{no}", content=f"任务{no}的内容",
            units=[], status=status, created_at=T0, updated_at=T0,
            milestones=[Milestone(position=i, text=m.pop("text", ""), original_due=m.get("due"), **m) for i, m in enumerate(milestones)],
            leaders=[TaskLeader(person_id=b.people[n], position=i) for i, n in enumerate(leaders)],
            sections=[TaskSection(section_id=b.sections[n], position=i) for i, n in enumerate(sections)],
            **extra,
        )
        s.add(task)
        await s.flush()
        b.tasks[no] = task.id
        for i, m in enumerate(task.milestones):
            b.milestones[f"{no}.{i}"] = m.id
        return task.id


def dated(due: date, **kw: Any) -> dict[str, Any]:
    """A dated milestone."""
    return {"due": due, "kind": "dated", **kw}

