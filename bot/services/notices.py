"""Notices to people other than the one speaking (extension requests, decisions, 办结), queued in the outbox.

The scheduler's delivery loop sends outbox rows through each channel's Notifier. Buttons are stored in
``OutboxMessage.buttons`` in the one format below (``encode_buttons``), written here and by the scheduler.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contracts import Button
from bot.db.models import Account, OutboxMessage, Person



# An outbox button is ``"<callback data>|<label>"`` (callback data never contains ``|``), one entry per button;
# an empty entry starts a new keyboard row (one row per task in reminders).
ROW_BREAK = ""


def encode_buttons(rows: Iterable[Iterable[Button]]) -> list[str]:
    """Keyboard rows as outbox entries."""
    out: list[str] = []
    for row in rows:
        if out:
            out.append(ROW_BREAK)
        for button in row:
            if "|" in button.data:
                raise ValueError("callback data must not contain '|'")
            out.append(f"{button.data}|{button.label}")
    return out


def decode_buttons(entries: Iterable[str]) -> list[list[Button]]:
    """Outbox entries as keyboard rows (rows queued by earlier versions, with their old codes, included)."""
    rows: list[list[Button]] = [[]]
    for entry in entries:
        if entry == ROW_BREAK:
            rows.append([])
        else:
            data, _, label = entry.partition("|")
            rows[-1].append(Button(label, data))
    return [r for r in rows if r]


def pick_account(candidates: Iterable[tuple[str, datetime | None, int]], preferred: str | None, *,
                 silent: frozenset[str]) -> int | None:
    """The one account (by id) a person's notices go to: on the preferred channel, else the latest bound.

    ``candidates`` are (channel, bound_at, account id) of the person's reachable accounts; an account on a
    ``silent`` channel (one that cannot reach anyone who is not typing, by its capabilities) is never chosen.
    """
    best: tuple[tuple[bool, datetime, int], int] | None = None
    for channel, bound_at, account_id in candidates:
        if channel in silent:
            continue
        rank = (channel == preferred, bound_at.replace(tzinfo=None) if bound_at else datetime.min, account_id)
        if best is None or rank > best[0]:
            best = (rank, account_id)
    return best[1] if best is not None else None


async def channel_choice(session: AsyncSession, person_id: int, *, silent: frozenset[str]) -> tuple[str | None, list[str]]:
    """The person's preferred channel (None: automatic) and the channels they are bound on that can be chosen."""
    bound = sorted(set((await session.scalars(
        select(Account.channel).where(Account.person_id == person_id, Account.channel.not_in(silent))
    )).all()))
    person = await session.get_one(Person, person_id)
    return person.preferred_channel, bound


async def set_preferred_channel(session: AsyncSession, person_id: int, channel: str | None, *,
                                silent: frozenset[str]) -> bool:
    """Prefer ``channel`` for the person's notices (None: automatic); False when they are not bound there."""
    _, bound = await channel_choice(session, person_id, silent=silent)
    if channel is not None and channel not in bound:
        return False
    person = await session.get_one(Person, person_id)
    person.preferred_channel = channel
    await session.flush()
    return True


async def recipients(
    session: AsyncSession, *, people: Iterable[int] = (), accounts: Iterable[str] = (), default_lang: str,
    silent: frozenset[str],
) -> dict[str, str]:
    """Account key → language: one reachable account per person (``pick_account``) and the listed accounts."""
    found: dict[str, str] = {}
    person_ids = list(people)
    if person_ids:
        rows = (await session.execute(
            select(Account.person_id, Account.channel, Account.external_id, Account.lang, Account.bound_at,
                   Account.id, Person.preferred_channel)
            .join(Person, Person.id == Account.person_id)
            .where(Account.person_id.in_(person_ids), Account.unreachable.is_(False))
            .order_by(Account.id)
        )).all()
        by_person: dict[int, list[tuple[str, datetime | None, int]]] = {}
        preferred: dict[int, str | None] = {}
        for person_id, channel, _, _, bound_at, account_id, pref in rows:
            by_person.setdefault(person_id, []).append((channel, bound_at, account_id))
            preferred[person_id] = pref
        chosen = {pick_account(cands, preferred[pid], silent=silent) for pid, cands in by_person.items()}
        for _, channel, external, lang, _, account_id, _ in rows:
            if account_id in chosen:
                found[f"{channel}:{external}"] = lang or default_lang
    extra = [key for key in dict.fromkeys(accounts) if key not in found]
    if extra:
        # An admin listed by account may be bound to a person who is reached already, or listed on two
        # channels: each person still gets one copy, on the account pick_account chooses.
        known: dict[str, tuple[str | None, int | None, tuple[str, datetime | None, int] | None, str | None]] = {}
        rows = await session.execute(
            select(Account.channel, Account.external_id, Account.lang, Account.person_id, Account.bound_at, Account.id,
                   Person.preferred_channel)
            .outerjoin(Person, Person.id == Account.person_id)
            .where(Account.external_id.in_([key.partition(":")[2] for key in extra]))
        )
        for channel, external, lang, person_id, bound_at, account_id, pref in rows:
            known[f"{channel}:{external}"] = (lang, person_id, (channel, bound_at, account_id), pref)
        reached = set(person_ids)
        by_person: dict[int, list[str]] = {}
        for key in extra:
            person_id = known.get(key, (None, None, None, None))[1]
            if person_id is None:
                found[key] = known.get(key, (None,))[0] or default_lang
            elif person_id not in reached:
                by_person.setdefault(person_id, []).append(key)
        for keys in by_person.values():
            candidates = [known[key][2] for key in keys if known[key][2] is not None]
            best = pick_account(candidates, known[keys[0]][3], silent=silent)  # type: ignore[arg-type]
            for key in keys:
                if known[key][2] is not None and known[key][2][2] == best:  # type: ignore[index]
                    found[key] = known[key][0] or default_lang
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
    silent: frozenset[str],
) -> bool:
    """Queue one notice for ``account`` (``telegram:123``) unless its key was queued before or its channel is
    ``silent``; True when queued."""
    channel, _, target = account.partition(":")
    if channel in silent or not target:
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
            buttons=encode_buttons([[Button(label, data) for label, data in buttons]]),
            next_attempt_at=now,
            created_at=now,
        )
    )
    return True
