"""People, sections and section memberships: lookup by name, /person add, /member add|remove, /people."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Person, Section, SectionMember

_SPACES = re.compile(r"\s+")
NAME_MAX = 60
# Error messages quote at most this much of what was typed: a reply never echoes unbounded input.
ECHO_MAX = 30


class PeopleError(Exception):
    """A refused change, with a text key (``conv.*``) and its parameters for the user."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def normalize_name(name: str) -> str:
    """A name as stored: NFKC, no format characters (zero-width, bidi controls) and no spaces at all."""
    # NFKC folds full-width letters and compatibility ideographs into what they look like, and format
    # characters are invisible: otherwise two names that look the same could be two people. Tables write
    # "汪  峰" for a two-character name, so spaces never count.
    folded = unicodedata.normalize("NFKC", name)
    return _SPACES.sub("", "".join(ch for ch in folded if unicodedata.category(ch) != "Cf"))


def echoed(text: str) -> str:
    """A short prefix of what a user typed, for a message that quotes it."""
    text = " ".join(text.split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


async def find_person(session: AsyncSession, name: str) -> Person | None:
    """The person of that name, or the only one whose name contains it."""
    wanted = normalize_name(name)
    if not wanted:
        return None
    exact = await session.scalar(select(Person).where(Person.name == wanted))
    if exact is not None:
        return exact
    rows = (await session.scalars(select(Person).where(Person.name.contains(wanted, autoescape=True)).limit(2))).all()
    return rows[0] if len(rows) == 1 else None


async def find_section(session: AsyncSession, name: str) -> Section | None:
    """The section of that name, or the only one whose name contains it ("疾控" finds 疾控股)."""
    wanted = normalize_name(name)
    if not wanted:
        return None
    exact = await session.scalar(select(Section).where(Section.name == wanted))
    if exact is not None:
        return exact
    rows = (await session.scalars(select(Section).where(Section.name.contains(wanted, autoescape=True)).limit(2))).all()
    return rows[0] if len(rows) == 1 else None


async def section_names(session: AsyncSession, limit: int = 30) -> list[str]:
    """Known section names, for hints when a name was not found."""
    return list((await session.scalars(select(Section.name).order_by(Section.name).limit(limit))).all())


async def add_person(
    session: AsyncSession, name: str, *, now: datetime, section: str | None = None, head: bool = False
) -> tuple[Person, bool]:
    """Create a person (or find the existing one) and optionally put them in a section; returns (person, created)."""
    clean = normalize_name(name)
    if len(clean) > NAME_MAX:
        raise PeopleError("conv.person_name_too_long", limit=NAME_MAX, length=len(clean))
    if not clean:
        raise PeopleError("conv.person_bad_name", name=echoed(name))
    person = await session.scalar(select(Person).where(Person.name == clean))
    created = person is None
    if person is None:
        person = Person(name=clean, created_at=now)
        session.add(person)
        await session.flush()
    if section is not None:
        await add_member(session, person, section, head=head)
    return person, created


async def _section_or_fail(session: AsyncSession, name: str) -> Section:
    found = await find_section(session, name)
    if found is None:
        known = "、".join(await section_names(session)) or "—"
        raise PeopleError("conv.section_unknown", name=echoed(name), known=known)
    return found


async def add_member(session: AsyncSession, person: Person, section_name: str, *, head: bool = False) -> Section:
    """Put a person in a section (or change whether they head it)."""
    section = await _section_or_fail(session, section_name)
    member = await session.get(SectionMember, (person.id, section.id))
    if member is None:
        session.add(SectionMember(person_id=person.id, section_id=section.id, is_head=head))
    else:
        member.is_head = head
    await session.flush()
    return section


async def remove_member(session: AsyncSession, person: Person, section_name: str) -> Section:
    """Take a person out of a section; refused when they are not in it."""
    section = await _section_or_fail(session, section_name)
    result = await session.execute(
        delete(SectionMember).where(SectionMember.person_id == person.id, SectionMember.section_id == section.id)
    )
    if not cast(CursorResult, result).rowcount:
        raise PeopleError("conv.member_not_in", person=person.name, section=section.name)
    return section


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A line of /people: a person, their sections (head marked) and bound accounts."""

    id: int
    name: str
    sections: tuple[tuple[str, bool], ...]
    accounts: tuple[str, ...]


async def count_people(session: AsyncSession) -> int:
    """How many people are known."""
    return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def list_people(session: AsyncSession, *, offset: int = 0, limit: int = 20) -> list[PersonSummary]:
    """One page of people by name, with sections and bound accounts (three queries, whatever the page size)."""
    people = (
        await session.execute(select(Person.id, Person.name).order_by(Person.name).offset(offset).limit(limit))
    ).all()
    ids = [pid for pid, _ in people]
    if not ids:
        return []
    sections: dict[int, list[tuple[str, bool]]] = {pid: [] for pid in ids}
    rows = await session.execute(
        select(SectionMember.person_id, Section.name, SectionMember.is_head)
        .join(Section, Section.id == SectionMember.section_id)
        .where(SectionMember.person_id.in_(ids))
        .order_by(Section.name)
    )
    for pid, name, head in rows:
        sections[pid].append((name, head))
    accounts: dict[int, list[str]] = {pid: [] for pid in ids}
    rows = await session.execute(
        select(Account.person_id, Account.channel, Account.external_id)
        .where(Account.person_id.in_(ids))
        .order_by(Account.channel, Account.external_id)
    )
    for pid, channel, external in rows:
        accounts[pid].append(f"{channel}:{external}")
    return [PersonSummary(pid, name, tuple(sections[pid]), tuple(accounts[pid])) for pid, name in people]
