"""Two passes planned from the same ledger (two replicas, or ``duban remind`` beside the scheduler) enqueue each
notice once: the ledger's batches are written under the pass's write lock, and keys recorded after a plan's
snapshot are dropped from it (scheduler.ledger), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func, select

from bot.core import Core
from bot.db.clock import to_local
from bot.db.models import OutboxMessage, SentBatch
from scheduler.compose import Renderer, envelopes
from scheduler.ledger import claim, every_key, recorded
from scheduler.outbox import enqueue
from scheduler.planner import PlanRules, plan
from scheduler.snapshot import Snapshot, load_snapshot
from tests.scheduler.conftest import at
from tests.scheduler.seed import Bureau, add_task, dated

NOW = at("2025-10-13T09:00")
DAY = date(2025, 10, 13)


async def _snapshot(core: Core) -> Snapshot:
    async with core.db.session() as s:
        return await load_snapshot(s, DAY, tz=core.tz, silent=core.silent_channels)


async def _enqueue(core: Core, snap: Snapshot) -> set[str]:
    """Plan from ``snap`` and enqueue as the pass does; the keys this run won."""
    notices = plan(snap, to_local(NOW, core.tz).replace(tzinfo=None), core.calendar, PlanRules.from_settings(core.settings.reminders))
    envs = envelopes(notices, snap, core.settings.language)
    renderer = Renderer(snap, DAY, core.caps, core.settings.reminders.max_listed)
    async with core.db.session() as s:
        done = await enqueue(s, envs, renderer, DAY, NOW, seen=snap.sent_upto)
    return {n.key for item in done for n in item.notices}


async def _outbox_rows(core: Core) -> int:
    async with core.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_two_passes_from_the_same_snapshot_enqueue_every_notice_once(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])  # overdue
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 15))])  # a reminder step
    first, second = await _snapshot(core), await _snapshot(core)
    assert first.sent == set() and first.sent_upto == second.sent_upto == 0
    # Both enqueue at once, each in its own transaction: the lock puts one after the other.
    won = await asyncio.gather(_enqueue(core, first), _enqueue(core, second))
    assert won[0] and won[1] == set() or won[1] and won[0] == set()
    rows = await _outbox_rows(core)
    assert rows > 0
    async with core.db.session() as s:
        keys = [key for key, *_ in await every_key(s)]
    assert sorted(keys) == sorted(won[0] | won[1]) and len(keys) == len(set(keys))
    # A third plan from the stale snapshot again finds everything taken, and adds no row.
    assert await _enqueue(core, first) == set() and await _outbox_rows(core) == rows
    # A fresh snapshot reads what was recorded, up to the last batch.
    fresh = await _snapshot(core)
    assert set(keys) <= fresh.sent and fresh.sent_upto > 0


async def test_a_batch_recorded_after_the_snapshot_is_respected_and_the_rest_still_goes(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 15))])
    snap = await _snapshot(core)
    notices = plan(snap, to_local(NOW, core.tz).replace(tzinfo=None), core.calendar, PlanRules.from_settings(core.settings.reminders))
    overdue = [n for n in notices if n.kind == "overdue"]
    assert overdue and any(n.kind == "reminder" for n in notices)
    async with core.db.session() as s:  # someone else records the overdue notices first
        assert await claim(s, overdue, NOW) == {n.key for n in overdue}
    won = await _enqueue(core, snap)
    # Everything else that reaches someone still goes (张三 and the group; a person with no account waits).
    taken = {n.key for n in overdue}
    assert won and not won & taken
    assert {"reminder", "digest"} <= {n.kind for n in notices if n.key in won}
    async with core.db.session() as s:
        sent, upto = await recorded(s, at("2025-10-13T00:00"), at("2025-08-14T00:00"))
    assert sent == taken | won and upto >= 2


async def test_keys_are_recorded_one_row_per_recipient_and_kind(core: Core, bureau: Bureau) -> None:
    for no in range(1, 6):
        await add_task(core, bureau, str(no), milestones=[dated(date(2025, 10, 9))])
    won = await _enqueue(core, await _snapshot(core))
    async with core.db.session() as s:
        keys = await every_key(s)
        rows = int(await s.scalar(select(func.count()).select_from(SentBatch)) or 0)
    per_person = {(kind, person) for _, kind, person, _ in keys}
    assert len(keys) == len(won) and {k for k, *_ in keys} == won
    assert rows == len(per_person) < len(won)
