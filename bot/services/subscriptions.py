"""Group chats subscribed to sections' tasks: /subscribe 疾控股 应急办 | all, /unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChatSubscription, Section
from bot.services.people import PeopleError, echoed, find_section, section_names


@dataclass(frozen=True, slots=True)
class ChatSections:
    """What a group chat follows: every section, some sections, or nothing."""

    everything: bool
    section_ids: frozenset[int]
    names: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Whether the chat follows nothing."""
        return not self.everything and not self.section_ids


async def chat_sections(session: AsyncSession, channel: str, chat_id: str) -> ChatSections:
    """The sections a chat is subscribed to (one query)."""
    rows = (
        await session.execute(
            select(ChatSubscription.section_id, Section.name)
            .outerjoin(Section, Section.id == ChatSubscription.section_id)
            .where(ChatSubscription.channel == channel, ChatSubscription.chat_id == chat_id)
            .order_by(Section.name)
        )
    ).all()
    everything = any(section_id is None for section_id, _ in rows)
    ids = frozenset(section_id for section_id, _ in rows if section_id is not None)
    names = tuple(name for section_id, name in rows if section_id is not None)
    return ChatSections(everything, ids, names)


async def subscribe(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    names: list[str],
    *,
    now: datetime,
    title: str | None = None,
) -> ChatSections:
    """Subscribe a chat to the named sections, or to all of them with ``all``/``全部``; unknown names refuse all."""
    wanted: list[int | None] = []
    if any(name.lower() in ("all", "全部", "所有") for name in names):
        wanted.append(None)
    else:
        for name in names:
            section = await find_section(session, name)
            if section is None:
                known = "、".join(await section_names(session)) or "—"
                raise PeopleError("conv.section_unknown", name=echoed(name), known=known)
            wanted.append(section.id)
    current = await chat_sections(session, channel, chat_id)
    for section_id in dict.fromkeys(wanted):
        if (section_id is None and current.everything) or section_id in current.section_ids:
            continue
        session.add(
            ChatSubscription(channel=channel, chat_id=chat_id, section_id=section_id, title=title, created_at=now)
        )
    await session.flush()
    return await chat_sections(session, channel, chat_id)


async def unsubscribe(
    session: AsyncSession, channel: str, chat_id: str, names: list[str] | None = None
) -> ChatSections:
    """Stop following the named sections, or everything when no names are given."""
    query = delete(ChatSubscription).where(ChatSubscription.channel == channel, ChatSubscription.chat_id == chat_id)
    if names:
        ids: list[int] = []
        for name in names:
            section = await find_section(session, name)
            if section is None:
                known = "、".join(await section_names(session)) or "—"
                raise PeopleError("conv.section_unknown", name=echoed(name), known=known)
            ids.append(section.id)
        query = query.where(ChatSubscription.section_id.in_(ids))
    await session.execute(query)
    return await chat_sections(session, channel, chat_id)
