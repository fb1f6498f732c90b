"""Notices to people other than the one speaking (extension requests, decisions, 办结), queued in the outbox.

The scheduler's delivery loop sends outbox rows through each channel's Notifier. A button is stored in
``OutboxMessage.buttons`` as ``"<callback data>|<label>"`` (callback data never contains ``|``), one button
per entry, all on one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, OutboxMessage

# Channels with no way to reach someone who is not typing at that moment.
UNREACHABLE_CHANNELS = frozenset({"console"})


def encode_button(label: str, data: str) -> str:
    """One outbox button entry."""
    if "|" in data:
        raise ValueError("callback data must not contain '|'")
    return f"{data}|{label}"


def decode_button(entry: str) -> tuple[str, str]:
    """(label, data) of an outbox button entry."""
    data, _, label = entry.partition("|")
    return label, data


async def recipients(
    session: AsyncSession, *, people: Iterable[int] = (), accounts: Iterable[str] = (), default_lang: str
) -> dict[str, str]:
    """Account key → language for the people's reachable bound accounts and the listed accounts (two queries)."""
    found: dict[str, str] = {}
    person_ids = list(people)
    if person_ids:
        rows = await session.execute(
            select(Account.channel, Account.external_id, Account.lang)
            .where(Account.person_id.in_(person_ids), Account.unreachable.is_(False))
            .order_by(Account.id)
        )
        for channel, external, lang in rows:
            found[f"{channel}:{external}"] = lang or default_lang
    extra = [key for key in dict.fromkeys(accounts) if key not in found]
    if extra:
        langs: dict[str, str | None] = {}
        keys = [key.partition(":")[::2] for key in extra]
        rows = await session.execute(
            select(Account.channel, Account.external_id, Account.lang).where(
                Account.external_id.in_([external for _, external in keys])
            )
        )
        for channel, external, lang in rows:
            langs[f"{channel}:{external}"] = lang
        for key in extra:
            found[key] = langs.get(key) or default_lang
    return found


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    account: str,
    text: str,
    now: datetime,
    buttons: Iterable[tuple[str, str]] = (),
    target_kind: str = "private",
) -> bool:
    """Queue one notice for ``account`` (``telegram:123``) unless its key was queued before; True when queued."""
    channel, _, target = account.partition(":")
    if channel in UNREACHABLE_CHANNELS or not target:
        return False
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    session.add(
        OutboxMessage(
            key=key,
            kind=kind,
            channel=channel,
            target=target,
            target_kind=target_kind,
            text=text,
            buttons=[encode_button(label, data) for label, data in buttons],
            next_attempt_at=now,
            created_at=now,
        )
    )
    return True
