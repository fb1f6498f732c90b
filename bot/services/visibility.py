"""Who sees what: a person their own and their sections' tasks; a group its subscribed sections'; admins all."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, Integer, Select, bindparam, exists, false, select, true, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SectionMember, Task, TaskLeader, TaskSection
from bot.services.fastread import fetch_rows
from bot.services.subscriptions import ChatSections


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose eyes a listing is for: an admin, a person in a private chat, or a group chat's subscriptions."""

    admin: bool = False
    person_id: int | None = None
    group: ChatSections | None = None

    @property
    def in_group(self) -> bool:
        """Whether the answer goes to a group chat (then only the group's sections count)."""
        return self.group is not None


PersonRef = int | ColumnElement[int]  # an id, or a bound parameter standing for one in a prepared statement


def led_by(person_id: PersonRef) -> ColumnElement[bool]:
    """Tasks the person leads (牵头领导)."""
    return Task.id.in_(select(TaskLeader.task_id).where(TaskLeader.person_id == person_id))


def responsible(person_id: PersonRef) -> ColumnElement[bool]:
    """Tasks a person answers for: the ones they lead and their sections' ones."""
    # One IN over a UNION lets SQLite walk the person's few task ids instead of scanning every task.
    return Task.id.in_(
        union(
            select(TaskLeader.task_id).where(TaskLeader.person_id == person_id),
            select(TaskSection.task_id)
            .join(SectionMember, SectionMember.section_id == TaskSection.section_id)
            .where(SectionMember.person_id == person_id),
        )
    )


def of_sections(group: ChatSections) -> ColumnElement[bool]:
    """Tasks of a group's subscribed sections."""
    if group.everything:
        return true()
    if not group.section_ids:
        return false()
    return Task.id.in_(select(TaskSection.task_id).where(TaskSection.section_id.in_(sorted(group.section_ids))))


def visible(viewer: Viewer) -> ColumnElement[bool]:
    """The condition on ``Task`` for the tasks ``viewer`` may see."""
    if viewer.group is not None:
        # What is said in a group is read by all its members: never more than its subscriptions.
        return of_sections(viewer.group)
    if viewer.admin:
        return true()
    if viewer.person_id is None:
        return false()
    return responsible(viewer.person_id)


@lru_cache(maxsize=1)
def _answers_for() -> Select:
    """Whether a person answers for a task: a statement built once, prepared with the task and person as parameters."""
    task, person = bindparam("task", type_=Integer), bindparam("person", type_=Integer)
    return select(select(Task.id).where(Task.id == task, responsible(person)).exists())


@lru_cache(maxsize=1)
def _leads() -> Select:
    """Whether a person leads a task, as a prepared statement."""
    task, person = bindparam("task", type_=Integer), bindparam("person", type_=Integer)
    return select(exists().where(TaskLeader.task_id == task, TaskLeader.person_id == person))


async def _holds(session: AsyncSession, stmt: Select, task_id: int, person_id: int) -> bool:
    return bool((await fetch_rows(session, stmt, {"task": task_id, "person": person_id}))[0][0])


async def can_see(session: AsyncSession, viewer: Viewer, task_id: int) -> bool:
    """Whether ``viewer`` may see the task (one query)."""
    if viewer.group is None and not viewer.admin:
        # A person in a private chat, the common case: one prepared statement (see is_responsible).
        return viewer.person_id is not None and await _holds(session, _answers_for(), task_id, viewer.person_id)
    # The subquery names its table: a condition that folds to false (a group with no subscriptions) would
    # otherwise leave EXISTS with no FROM at all, which SQLite refuses.
    return bool(await session.scalar(select(select(Task.id).where(Task.id == task_id, visible(viewer)).exists())))


async def is_responsible(session: AsyncSession, person_id: int | None, task_id: int) -> bool:
    """Whether the person leads the task or belongs to one of its sections."""
    return person_id is not None and await _holds(session, _answers_for(), task_id, person_id)


async def leads(session: AsyncSession, person_id: int | None, task_id: int) -> bool:
    """Whether the person is a lead leader of the task (they approve its extensions)."""
    return person_id is not None and await _holds(session, _leads(), task_id, person_id)
