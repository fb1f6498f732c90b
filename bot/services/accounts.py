"""Chat accounts and their binding to people: invites (single use, 7 days), /start <code>, /unbind, /lang."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal, cast

from sqlalchemy import CursorResult, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Invite, Person
from bot.services.fastread import fetch_rows

INVITE_VALID = timedelta(days=7)

RedeemOutcome = Literal["bound", "unknown", "expired", "used"]


@dataclass(frozen=True, slots=True)
class Caller:
    """What every request needs to know of its sender's account: its binding and language."""

    account_id: int
    person_id: int | None
    person_name: str | None
    lang: str | None


@lru_cache(maxsize=1)
def _caller_query() -> Select:
    return (
        select(Account.id, Account.person_id, Person.name, Account.lang)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(Account.channel == bindparam("channel"), Account.external_id == bindparam("external_id"))
    )


async def get_caller(session: AsyncSession, channel: str, external_id: str) -> Caller | None:
    """The sender's account binding and language (one round trip), or None for someone never seen."""
    rows = await fetch_rows(session, _caller_query(), {"channel": channel, "external_id": external_id})
    return Caller(*rows[0]) if rows else None


async def get_account(session: AsyncSession, channel: str, external_id: str) -> Account | None:
    """The stored account (with its person joined), or None for someone never seen."""
    return await session.scalar(select(Account).where(Account.channel == channel, Account.external_id == external_id))


async def ensure_account(
    session: AsyncSession, channel: str, external_id: str, *, now: datetime, display_name: str | None = None
) -> Account:
    """The account, created on first need (binding, language) rather than on every message."""
    account = await get_account(session, channel, external_id)
    if account is None:
        account = Account(channel=channel, external_id=external_id, display_name=display_name, created_at=now)
        session.add(account)
        await session.flush()
    elif display_name and account.display_name != display_name:
        account.display_name = display_name
    return account


async def create_invite(
    session: AsyncSession, person: Person, *, created_by: str, now: datetime, valid: timedelta = INVITE_VALID
) -> Invite:
    """A fresh single-use code for ``person``; deep-link safe (letters, digits, ``-`` and ``_``)."""
    invite = Invite(
        code=secrets.token_urlsafe(9),
        person_id=person.id,
        created_by=created_by,
        created_at=now,
        expires_at=now + valid,
    )
    session.add(invite)
    await session.flush()
    return invite


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What became of a /start <code>."""

    outcome: RedeemOutcome
    person: Person | None = None


async def redeem_invite(
    session: AsyncSession, code: str, *, channel: str, external_id: str, now: datetime, display_name: str | None = None
) -> Redeemed:
    """Bind the account to the invite's person if the code is known, unexpired and unused."""
    invite = await session.get(Invite, code.strip())
    if invite is None:
        return Redeemed("unknown")
    if invite.used_at is not None:
        return Redeemed("used")
    if invite.expires_at <= now:
        return Redeemed("expired")
    # Claim the code with a conditional update so two simultaneous /start with one code bind only once.
    claimed = await session.execute(
        update(Invite)
        .where(Invite.code == invite.code, Invite.used_at.is_(None))
        .values(used_at=now, used_by=f"{channel}:{external_id}")
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult, claimed).rowcount:
        return Redeemed("used")
    person = await session.get_one(Person, invite.person_id)
    await bind(session, channel, external_id, person, now=now, display_name=display_name)
    return Redeemed("bound", person)


async def bind(
    session: AsyncSession,
    channel: str,
    external_id: str,
    person: Person,
    *,
    now: datetime,
    display_name: str | None = None,
) -> Account:
    """Bind an account to a person directly (invite redemption, and the console demo's /as)."""
    account = await ensure_account(session, channel, external_id, now=now, display_name=display_name)
    account.person_id = person.id
    account.person = person
    account.bound_at = now
    account.unreachable = False
    return account


async def unbind(session: AsyncSession, account: Account) -> Person | None:
    """Remove the binding; returns the person it was bound to."""
    person = account.person
    account.person_id = None
    account.person = None
    account.bound_at = None
    await session.flush()
    return person


async def set_language(
    session: AsyncSession, channel: str, external_id: str, lang: str | None, *, now: datetime
) -> Account:
    """Store the account's language (None goes back to the default)."""
    account = await ensure_account(session, channel, external_id, now=now)
    account.lang = lang
    return account
