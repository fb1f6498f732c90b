"""Chat accounts and their binding to people: invites (single use, 7 days), /start <code>, /unbind, /lang."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal, cast

from sqlalchemy import CursorResult, Select, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Invite, Person
from bot.services.fastread import fetch_rows
from bot.services.invite_guard import locked_until, record_wrong_code

INVITE_VALID = timedelta(days=7)

RedeemOutcome = Literal["bound", "unknown", "expired", "used", "bound_other", "slow_down"]


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
        try:
            async with session.begin_nested():
                account = Account(channel=channel, external_id=external_id, display_name=display_name, created_at=now)
                session.add(account)
        except IntegrityError:
            # A simultaneous request of the same sender created it a moment ago.
            return await session.get_one(Account, await session.scalar(
                select(Account.id).where(Account.channel == channel, Account.external_id == external_id)))
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
    person: Person | None = None  # the person bound to ("bound"), or already bound to ("bound_other")
    retry_at: datetime | None = None  # "slow_down": when the account may try again


async def redeem_invite(
    session: AsyncSession, code: str, *, channel: str, external_id: str, now: datetime, display_name: str | None = None
) -> Redeemed:
    """Bind the account to the invite's person if the code is known, unexpired and unused, and the account free."""
    key = f"{channel}:{external_id}"
    retry_at = await locked_until(session, key, now)
    if retry_at is not None:
        return Redeemed("slow_down", retry_at=retry_at)
    invite = await session.get(Invite, code.strip())
    if invite is None:
        await record_wrong_code(session, key, now)
        return Redeemed("unknown")
    if invite.used_at is not None:
        return Redeemed("used")
    if invite.expires_at <= now:
        return Redeemed("expired")
    account = await ensure_account(session, channel, external_id, now=now, display_name=display_name)
    if account.person is not None and account.person_id != invite.person_id:
        return Redeemed("bound_other", account.person)
    # Claim the account, then the code, each with a conditional update: two /start at once (one code twice,
    # or one account with two codes) bind once, and the other request is told.
    took = await session.execute(
        update(Account)
        .where(Account.id == account.id, or_(Account.person_id.is_(None), Account.person_id == invite.person_id))
        .values(person_id=invite.person_id, bound_at=now, unreachable=False)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult, took).rowcount:
        await session.refresh(account)
        return Redeemed("bound_other", account.person)
    claimed = await session.execute(
        update(Invite)
        .where(Invite.code == invite.code, Invite.used_at.is_(None))
        .values(used_at=now, used_by=key)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult, claimed).rowcount:
        # The code went to someone else a moment ago: the account keeps what it had.
        await session.execute(update(Account).where(Account.id == account.id)
                              .values(person_id=account.person_id, bound_at=account.bound_at)
                              .execution_options(synchronize_session=False))
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
