"""The outbox: planned notices become rows in one transaction; a delivery loop sends them through Notifiers.

Enqueueing claims each notice's idempotency key in the ledger (scheduler.ledger: under the pass's write lock,
keys recorded since the planner's snapshot are dropped) and renders a message only from the keys this run
won, so two runs — or two replicas — never enqueue the same notice twice.

Delivery claims due rows under a lease (``next_attempt_at`` pushed forward; ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL so replicas take disjoint rows), sends them one at a time, and marks a row sent only after the
platform accepted it. One message in flight means a crash can repeat at most that one message. A row whose
lease ran out (its deliverer died) is simply due again.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.clock import UTC
from bot.db.models import Account, ChatSubscription, OutboxMessage, Person, SectionMember
from bot.services.notices import decode_buttons, encode_buttons
from bot.texts import t
from scheduler.compose import Envelope, Renderer
from scheduler.ledger import claim
from bot.contracts import Button, Notifier, Rejected, RetryLater, Target, Unreachable
from scheduler.planner import Notice

log = logging.getLogger(__name__)

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Enqueued:
    """What one envelope became: the notices this run won in the ledger and the outbox rows' keys and texts."""

    envelope: Envelope
    notices: tuple[Notice, ...]
    keys: tuple[str, ...]
    texts: tuple[str, ...]


async def insert_ignore(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], key: str) -> set[Any]:
    """Insert ``rows``, skipping those whose ``key`` already exists; return the keys actually inserted."""
    if not rows:
        return set()
    conn = await session.connection()
    dialect = conn.dialect.name
    won: set[Any] = set()
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        column = table.c[key]
        # One statement executed over many rows (SQLAlchemy batches them into multi-row VALUES itself): the
        # statement compiles once and is cached, where ``.values(rows)`` compiled a bind parameter per cell
        # anew for every chunk: most of the 24 s a 100,000-task pass took (86,000 ledger rows).
        stmt = insert(table).on_conflict_do_nothing(index_elements=[column]).returning(column)
        for i in range(0, len(rows), _CHUNK):
            won.update((await session.execute(stmt, list(rows[i : i + _CHUNK]))).scalars())
        return won
    # Other databases: check, then insert (single-process only).
    existing = set((await session.execute(select(table.c[key]).where(table.c[key].in_([r[key] for r in rows])))).scalars())
    fresh = [r for r in rows if r[key] not in existing]
    if fresh:
        await session.execute(table.insert(), fresh)
    return {r[key] for r in fresh}


async def enqueue(session: AsyncSession, envelopes: Sequence[Envelope], renderer: Renderer, day: date, now: datetime,
                  *, seen: int = 0) -> list[Enqueued]:
    """Record the envelopes' notices in the ledger and their messages in the outbox, in the session's transaction
    (``seen``: the last ledger batch the plan's snapshot read; 0 checks the whole ledger)."""
    routable = [e for e in envelopes if e.target is not None]
    if not routable:
        return []
    won = await claim(session, [n for e in routable for n in e.notices], now, seen=seen)
    done: list[Enqueued] = []
    rows: list[dict[str, Any]] = []
    for env in routable:
        notices = tuple(n for n in env.notices if n.key in won)
        if not notices:
            continue
        assert env.target is not None
        chunks = renderer.render(env, notices)
        base = env.key(day, notices)
        keys = tuple(f"{base}#{i}" for i in range(1, len(chunks) + 1))
        for key, chunk in zip(keys, chunks, strict=True):
            rows.append(_row(key, env.bucket, env.target, chunk.text, chunk.buttons, now))
        done.append(Enqueued(env, notices, keys, tuple(c.text for c in chunks)))
    await insert_ignore(session, OutboxMessage.__table__, rows, "key")  # type: ignore[arg-type]
    return done


def _row(key: str, kind: str, target: Target, text_: str, buttons: Sequence[Sequence[Button]], now: datetime) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "channel": target.channel,
        "target": target.chat_id,
        "target_kind": target.kind,
        "text": text_,
        "buttons": encode_buttons(buttons),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }


# ---- delivery ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How delivery claims and retries: lease length, batch sizes, bounded exponential backoff."""

    lease_seconds: float = 60.0
    batch: int = 200
    # Rows per chat in one claim, so a claim can be sent well within its lease at 1/s (private) or 20/min (group).
    per_private: int = 20
    per_group: int = 5
    backoff_base: float = 2.0
    backoff_max: float = 900.0
    max_attempts: int = 8
    send_timeout: float = 60.0
    idle_poll: float = 0.005

    @classmethod
    def from_settings(cls, reminders: Any) -> DeliveryPolicy:
        """The default policy with ``max_attempts`` from ReminderSettings."""
        return cls(max_attempts=reminders.max_attempts)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try: base·2^(n-1), capped."""
        return min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1))


@dataclass(slots=True)
class DeliveryResult:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    dead: int = 0
    unreachable: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryResult) -> None:
        """Accumulate another run's counts."""
        self.sent += other.sent
        self.retried += other.retried
        self.rate_limited += other.rate_limited
        self.dead += other.dead
        self.unreachable += other.unreachable
        self.errors.extend(other.errors)


@dataclass(slots=True)
class _Claimed:
    id: int
    channel: str
    target: str
    target_kind: str
    text: str
    buttons: list[str]
    attempts: int
    kind: str

    @property
    def to(self) -> Target:
        return Target(self.channel, self.target, "group" if self.target_kind == "group" else "private")


class _Run:
    """One deliver_due call: a moving clock anchored at the caller's ``now``."""

    def __init__(self, core: Core, notifiers: Mapping[str, Notifier], now: datetime, policy: DeliveryPolicy) -> None:
        self.core, self.notifiers, self.policy = core, notifiers, policy
        self._t0, self._now = _time.monotonic(), now
        self.result = DeliveryResult()

    def now(self) -> datetime:
        return self._now + timedelta(seconds=_time.monotonic() - self._t0)

    async def claim(self) -> list[_Claimed]:
        """Lease a batch of due rows for our channels (skipping rows another replica holds)."""
        p = self.policy
        o = OutboxMessage
        now = self.now()
        async with self.core.db.session() as s:
            stmt = (
                select(o.id, o.channel, o.target, o.target_kind, o.text, o.buttons, o.attempts, o.kind)
                .where(o.status == "pending", o.next_attempt_at <= now, o.channel.in_(list(self.notifiers)))
                .order_by(o.id)
                .limit(p.batch * 2)
            )
            if s.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            per_target: dict[tuple[str, str], int] = {}
            chosen: list[_Claimed] = []
            for row in (await s.execute(stmt)).all():
                key = (row.channel, row.target)
                cap = p.per_group if row.target_kind == "group" else p.per_private
                if per_target.get(key, 0) >= cap:
                    continue
                per_target[key] = per_target.get(key, 0) + 1
                chosen.append(_Claimed(*row))
                if len(chosen) >= p.batch:
                    break
            if chosen:
                await s.execute(
                    update(o).where(o.id.in_([c.id for c in chosen])).values(next_attempt_at=now + timedelta(seconds=p.lease_seconds))
                )
        return chosen

    async def run_batch(self, batch: list[_Claimed]) -> None:
        """Send the batch one message at a time, always picking a chat that its limiter lets through now."""
        expires = _time.monotonic() + self.policy.lease_seconds * 0.8
        pending = list(batch)
        while pending:
            if _time.monotonic() > expires:
                await self._release(pending)
                return
            row = self._pick(pending)
            if row is None:
                await asyncio.sleep(self.policy.idle_poll)
                continue
            pending.remove(row)
            outcome, hold_until = await self.attempt(row)
            if outcome in ("hold", "unreachable"):
                # The chat's later messages wait with it (429) or are already dropped (403).
                same = [r for r in pending if r.channel == row.channel and r.target == row.target]
                for r in same:
                    pending.remove(r)
                if outcome == "hold" and same and hold_until is not None:
                    await self._reschedule(same, hold_until)

    def _pick(self, pending: list[_Claimed]) -> _Claimed | None:
        seen: set[tuple[str, str]] = set()
        for row in pending:
            key = (row.channel, row.target)
            if key in seen:
                continue  # keep each chat's messages in order
            seen.add(key)
            ready = getattr(self.notifiers[row.channel], "ready", None)
            if ready is None or ready(row.to):
                return row
        return None

    async def attempt(self, row: _Claimed) -> tuple[str, datetime | None]:
        """Try one row; record the outcome. Never raises (but lets cancellation through)."""
        notifier = self.notifiers[row.channel]
        buttons = decode_buttons(row.buttons or [])
        try:
            await asyncio.wait_for(notifier.send(row.to, row.text, buttons), self.policy.send_timeout)
        except RetryLater as err:
            self.result.rate_limited += 1
            until = self.now() + timedelta(seconds=max(err.seconds, 0.5))
            await self._update(row.id, next_attempt_at=until, last_error=str(err))
            return "hold", until
        except Unreachable as err:
            self.result.unreachable += 1
            await self.unreachable(row, str(err))
            return "unreachable", None
        except Rejected as err:
            self.result.dead += 1
            self.result.errors.append(self.core.redact(f"{row.id}: {err}"))
            await self._update(row.id, status="dead", attempts=row.attempts + 1, last_error=str(err))
            return "dead", None
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - Transient, time-outs and anything unexpected: back off, never die
            attempts = row.attempts + 1
            error = f"{type(err).__name__}: {err}"
            if attempts >= self.policy.max_attempts:
                self.result.dead += 1
                self.result.errors.append(self.core.redact(f"{row.id}: {error}"))
                await self._update(row.id, status="dead", attempts=attempts, last_error=error)
                return "dead", None
            self.result.retried += 1
            delay = self.policy.backoff(attempts)
            await self._update(row.id, attempts=attempts, last_error=error, next_attempt_at=self.now() + timedelta(seconds=delay))
            return "retry", None
        self.result.sent += 1
        await self._update(row.id, status="sent", attempts=row.attempts + 1, sent_at=self.now(), last_error=None)
        return "sent", None

    async def _update(self, row_id: int, **values: Any) -> None:
        if values.get("last_error"):  # error texts can quote a URL, and a URL a token: mask, then cut
            values["last_error"] = self.core.redact(values["last_error"])[:500]
        async with self.core.db.session() as s:
            await s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))

    async def _reschedule(self, rows: list[_Claimed], when: datetime) -> None:
        async with self.core.db.session() as s:
            await s.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows])).values(next_attempt_at=when))

    async def _release(self, rows: list[_Claimed]) -> None:
        """Give rows back before their lease ends, so they are due again at once."""
        await self._reschedule(rows, self.now())

    async def unreachable(self, row: _Claimed, error: str) -> None:
        """403: mark the account unreachable, drop its queued messages, tell the admins, prompt in its section groups."""
        notifier = self.notifiers[row.channel]
        link = None
        if row.target_kind == "private":
            try:
                link = await notifier.start_link()
            except Exception:  # noqa: BLE001 - the prompt still works without a link
                link = None
        settings = self.core.settings
        default_lang = settings.language
        now = self.now()
        o = OutboxMessage
        async with self.core.db.session() as s:
            await s.execute(
                update(o)
                .where(o.channel == row.channel, o.target == row.target, o.status == "pending")
                .values(status="dead", last_error=self.core.redact(f"unreachable: {error}")[:500])
            )
            account_key = f"{row.channel}:{row.target}"
            rows: list[dict[str, Any]] = []
            name = account_key
            person_id = None
            if row.target_kind == "private":
                account = (await s.execute(select(Account).where(Account.channel == row.channel, Account.external_id == row.target))).scalar_one_or_none()
                if account is not None:
                    account.unreachable = True
                    person_id = account.person_id
                    if person_id is not None:
                        name = (await s.execute(select(Person.name).where(Person.id == person_id))).scalar_one_or_none() or name
                    elif account.display_name:
                        name = account.display_name
                admin_key = "notices.unreachable_admin"
            else:
                title = (await s.execute(select(ChatSubscription.title).where(ChatSubscription.channel == row.channel, ChatSubscription.chat_id == row.target))).scalars().first()
                name = title or account_key
                admin_key = "notices.unreachable_group_admin"
            for admin in settings.admins:
                channel, _, address = admin.partition(":")
                if admin == account_key or channel in self.core.silent_channels:
                    continue
                lang = (await s.execute(select(Account.lang).where(Account.channel == channel, Account.external_id == address))).scalar_one_or_none() or default_lang
                rows.append(_row(f"unreachable:{row.id}:admin:{admin}", "unreachable", Target(channel, address, "private"),
                                 t(admin_key, lang, name=html.escape(name), account=html.escape(account_key)), (), now))
            if person_id is not None:
                sections = select(SectionMember.section_id).where(SectionMember.person_id == person_id)
                chats = (await s.execute(
                    select(ChatSubscription.chat_id).where(ChatSubscription.channel == row.channel, ChatSubscription.section_id.in_(sections)).distinct()
                )).scalars().all()
                for chat_id in chats:
                    prompt = (t("notices.unreachable_prompt_link", default_lang, name=html.escape(name), link=html.escape(link, quote=True))
                              if link else t("notices.unreachable_prompt", default_lang, name=html.escape(name)))
                    rows.append(_row(f"unreachable:{row.id}:group:{chat_id}", "unreachable", Target(row.channel, chat_id, "group"), prompt, (), now))
            await insert_ignore(s, OutboxMessage.__table__, rows, "key")  # type: ignore[arg-type]
        log.warning("notice %s: %s unreachable (%s); admins told", row.id, account_key, error)


async def deliver_due(
    core: Core, notifiers: Mapping[str, Notifier], now: datetime, *, policy: DeliveryPolicy | None = None
) -> DeliveryResult:
    """Send every outbox row due at ``now`` on the given channels, until none is due; never raises on a send error."""
    run = _Run(core, notifiers, now, policy or DeliveryPolicy.from_settings(core.settings.reminders))
    if not notifiers:
        return run.result
    while True:
        batch = await run.claim()
        if not batch:
            return run.result
        await run.run_batch(batch)


async def pending_count(core: Core, channels: Sequence[str] | None = None) -> tuple[int, datetime | None]:
    """How many rows still wait for delivery, and the earliest time one falls due."""
    o = OutboxMessage
    stmt = select(func.count(), func.min(o.next_attempt_at)).where(o.status == "pending")
    if channels is not None:
        stmt = stmt.where(o.channel.in_(list(channels)))
    async with core.db.session() as s:
        count, earliest = (await s.execute(stmt)).one()
    if isinstance(earliest, str):  # min() loses the column type on SQLite
        earliest = datetime.fromisoformat(earliest)
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    return int(count), earliest


async def drain(
    core: Core,
    notifiers: Mapping[str, Notifier],
    clock: Callable[[], datetime],
    *,
    timeout: float = 60.0,
    policy: DeliveryPolicy | None = None,
) -> DeliveryResult:
    """Deliver until nothing is pending on these channels (waiting out retries), or ``timeout`` seconds pass."""
    total = DeliveryResult()
    deadline = _time.monotonic() + timeout
    while True:
        total.add(await deliver_due(core, notifiers, clock(), policy=policy))
        count, earliest = await pending_count(core, list(notifiers))
        if count == 0 or _time.monotonic() >= deadline:
            return total
        wait = (earliest - clock()).total_seconds() if earliest else 0.05
        await asyncio.sleep(min(max(wait, 0.02), 1.0, max(deadline - _time.monotonic(), 0)))
