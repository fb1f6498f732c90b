"""Assigning a task: its lead leaders (牵头领导), lead sections (牵头股室) and related units, with an audit entry.

Names must be known people and sections; a near miss gets a "did you mean" suggestion, and an unknown name
is refused unless the admin asks for it to be created. Every change is a ``TaskEvent`` of kind ``assign``
holding the old and new values, with who, when and from which channel.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Section, Task, TaskEvent, TaskLeader, TaskSection, TaskTable
from bot.services.people import NAME_MAX, normalize_name
from bot.services.progress import Actor

# A word ending in one of these names an office, not a person (医政医管股, 疾控科, 应急办, 市人民医院…).
SECTION_ENDINGS = ("股", "科", "室", "站", "处", "中心", "办", "局", "院", "所", "队")
_SPLIT = re.compile(r"[\s,，、;；]+")


class AssignError(Exception):
    """A refused assignment, with a text key (``assign.*``) and its parameters for the user."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class Roles:
    """Who is responsible for a task: lead leaders, lead sections and related units, by name."""

    leaders: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def as_data(self) -> dict[str, list[str]]:
        """The roles as the audit trail stores them."""
        return {"leaders": list(self.leaders), "sections": list(self.sections), "units": list(self.units)}


@dataclass(frozen=True, slots=True)
class Assigned:
    """The outcome: the task, its roles before and after, and the names created on the way."""

    task: Task
    old: Roles
    new: Roles
    created: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return self.old != self.new


def split_names(values: Sequence[str]) -> list[str]:
    """Names from repeatable, comma- or 、-separated values, normalised, duplicates dropped."""
    names = (normalize_name(part) for value in values for part in _SPLIT.split(value))
    return list(dict.fromkeys(name for name in names if name))


def looks_like_section(name: str) -> bool:
    """Whether a word reads as an office by its ending (股/科/室/站/处/中心/办/局/院/所/队)."""
    return name.endswith(SECTION_ENDINGS)


async def _names(session: AsyncSession, model: type[Person] | type[Section]) -> list[str]:
    return list((await session.scalars(select(model.name).order_by(model.name))).all())


def suggest(name: str, known: Sequence[str]) -> str | None:
    """The known name a near miss probably meant: the only one containing it, else the closest by difflib."""
    containing = [k for k in known if name in k or k in name]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(name, containing or known, n=1, cutoff=0.5)
    return close[0] if close else None


async def classify(session: AsyncSession, words: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split chat words into (leaders, sections): known names decide, then an office-like ending, else a person."""
    people = set(await _names(session, Person))
    sections = set(await _names(session, Section))
    leaders: list[str] = []
    offices: list[str] = []
    for word in split_names(words):
        if word in people:
            leaders.append(word)
        elif word in sections or looks_like_section(word):
            offices.append(word)
        elif suggest(word, sorted(sections)) and not suggest(word, sorted(people)):
            offices.append(word)  # a near miss of a section only: checked (and suggested) as a section
        else:
            leaders.append(word)
    return leaders, offices


async def _resolve(
    session: AsyncSession, model: type[Person] | type[Section], names: Sequence[str], *, create: bool, now: datetime
) -> tuple[list[int], list[str]]:
    """Ids for the names in order; unknown names are created when asked, else refused with a suggestion."""
    if not names:
        return [], []
    rows = await session.execute(select(model.name, model.id).where(model.name.in_(list(names))))
    found: dict[str, int] = {name: ident for name, ident in rows.all()}
    missing = [name for name in names if name not in found]
    kind = "person" if model is Person else "section"
    if missing and not create:
        name = missing[0]
        hint = suggest(name, await _names(session, model))
        if hint is not None:
            raise AssignError(f"assign.unknown_{kind}_hint", name=name, hint=hint)
        raise AssignError(f"assign.unknown_{kind}", name=name)
    for name in missing:
        if len(name) > NAME_MAX:
            raise AssignError("assign.bad_name", name=name)
        row = model(name=name, created_at=now)
        session.add(row)
        await session.flush()
        found[name] = row.id
    return [found[name] for name in names], missing


async def find_table(session: AsyncSession, ref: str) -> int | None:
    """The active table meant by an id or by (a unique part of) its title; None when there is no such table."""
    ref = ref.strip()
    active = select(TaskTable.id).where(TaskTable.active.is_(True))
    if ref.isdecimal():
        return await session.scalar(active.where(TaskTable.id == int(ref)))
    exact = await session.scalar(active.where(TaskTable.title == ref).order_by(TaskTable.id.desc()).limit(1))
    if exact is not None or not ref:
        return exact
    found = (await session.scalars(active.where(TaskTable.title.contains(ref, autoescape=True)).limit(2))).all()
    return found[0] if len(found) == 1 else None


async def find_task(session: AsyncSession, no: str, table_id: int | None = None) -> Task | None:
    """Task ``no`` of table ``table_id`` (default: the newest active table); removed rows are not found."""
    if table_id is None:
        table_id = await session.scalar(
            select(TaskTable.id)
            .where(TaskTable.active.is_(True))
            .order_by(TaskTable.imported_at.desc(), TaskTable.id.desc())
            .limit(1)
        )
    if table_id is None:
        return None
    no = no.strip().lstrip("#＃")
    return await session.scalar(select(Task).where(Task.table_id == table_id, Task.no == no, Task.status != "removed"))


def roles_of(task: Task) -> Roles:
    """The task's roles as stored."""
    return Roles(
        tuple(link.person.name for link in task.leaders),
        tuple(link.section.name for link in task.sections),
        tuple(task.units or ()),
    )


async def assign(
    session: AsyncSession,
    actor: Actor,
    task: Task,
    *,
    now: datetime,
    leaders: Sequence[str] | None = None,
    sections: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
    create: bool = False,
) -> Assigned:
    """Set the roles given (None keeps that role as it is); admins only; audited when anything changes."""
    if not actor.admin:
        raise AssignError("assign.admin_only")
    if task.status == "removed":
        raise AssignError("assign.task_removed", no=task.no)
    if leaders is None and sections is None and units is None:
        raise AssignError("assign.nothing")
    old = roles_of(task)
    leader_names = split_names(leaders) if leaders is not None else list(old.leaders)
    section_names = split_names(sections) if sections is not None else list(old.sections)
    person_ids, new_people = await _resolve(session, Person, leader_names, create=create, now=now)
    section_ids, new_sections = await _resolve(session, Section, section_names, create=create, now=now)
    new = Roles(
        tuple(leader_names), tuple(section_names), tuple(split_names(units)) if units is not None else old.units
    )
    created = tuple(new_people + new_sections)
    if new == old:
        return Assigned(task, old, new, created)
    if new.leaders != old.leaders:
        task.leaders = [TaskLeader(person_id=pid, position=i) for i, pid in enumerate(person_ids)]
    if new.sections != old.sections:
        task.sections = [TaskSection(section_id=sid, position=i) for i, sid in enumerate(section_ids)]
    task.units = list(new.units)
    task.updated_at = now
    data = {"old": old.as_data(), "new": new.as_data()}
    if created:
        data["created"] = list(created)
    session.add(
        TaskEvent(
            task_id=task.id, person_id=actor.person_id, actor=actor.key, channel=actor.channel, kind="assign",
            data=data, created_at=now,
        )
    )
    await session.flush()
    await session.refresh(task, ["leaders", "sections"])
    return Assigned(task, old, new, created)


async def unassigned_numbers(session: AsyncSession, table_id: int) -> list[str]:
    """The 序号 of the table's open tasks that have neither a lead leader nor a lead section, in table order."""
    rows = await session.scalars(
        select(Task.no)
        .where(
            Task.table_id == table_id,
            Task.status == "open",
            ~Task.id.in_(select(TaskLeader.task_id)),
            ~Task.id.in_(select(TaskSection.task_id)),
        )
        .order_by(Task.seq, Task.id)
    )
    return list(rows.all())


NUMBERS_SHOWN = 10


def number_list(numbers: Sequence[str], lang: str, cap: int = NUMBERS_SHOWN) -> str:
    """``#3、#5、…`` for the first ``cap`` task numbers, with "等" (and more) when there are more."""
    from bot.texts import t

    shown = t("conv.name_sep", lang).join(f"#{no}" for no in numbers[:cap])
    return shown + (t("assign.more", lang) if len(numbers) > cap else "")
