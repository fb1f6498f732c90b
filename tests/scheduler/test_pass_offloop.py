"""The 09:00 pass runs in a worker process (issue 10): the loop serving chats keeps ticking meanwhile.

The large table is bench_scheduler's generator (20,000 open tasks × 3 milestones, 50 sections, 20 leaders, all
bound); the pass takes seconds of Python. A lenient functional check only: the loop wakes up many times during
the pass and never sleeps through a second; bench/bench_eventloop.py holds the timing targets.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import OutboxMessage
from scheduler.jobs import run_pass

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.bench_scheduler import seed  # noqa: E402

MONDAY_0900 = datetime(2025, 10, 13, 1, 0, tzinfo=UTC)


async def test_the_loop_keeps_ticking_through_a_pass_over_a_large_table(core: Core) -> None:
    await seed(core.db, 20_000, random.Random(4))
    gaps: list[float] = []
    job = asyncio.create_task(run_pass(core, MONDAY_0900))
    while not job.done():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        gaps.append(time.perf_counter() - before)
    result = await job
    assert result.notices and result.messages and result.enqueued > 0
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == result.enqueued
    assert len(gaps) > 50, len(gaps)
    assert max(gaps) < 1.0, max(gaps)


async def test_the_scheduler_gets_only_the_counts(core: Core) -> None:
    await seed(core.db, 2_000, random.Random(4))
    light = await run_pass(core, MONDAY_0900, dry_run=True, details=False)
    full = await run_pass(core, MONDAY_0900, dry_run=True)
    assert light.notices == [] and light.messages == [] and light.sizes == (len(full.notices), len(full.messages))
    assert light.sizes[0] > 0
