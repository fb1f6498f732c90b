"""The APScheduler jobs: stable ids, next run times in local time, and the restart drill (catch-up on start)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime

from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import OutboxMessage
from scheduler.jobs import (
    JOB_CATCH_UP,
    JOB_DELIVER,
    JOB_PASS,
    build_scheduler,
    describe_jobs,
    install_jobs,
    run_pass,
    stop_scheduler,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.conftest import GROUP, TZ, at
from tests.scheduler.seed import Bureau, add_task, dated
from tests.scheduler.telegram_kit import moving_clock, telegram_notifier


async def test_jobs_have_stable_ids_and_run_at_send_time_in_the_bureaus_time_zone(core: Core) -> None:
    now = at("2025-10-10T10:00")
    sched = build_scheduler(core, {}, clock=lambda: now)
    install_jobs(sched, core, {}, lambda: now)  # a second install replaces, never duplicates
    jobs = dict(describe_jobs(sched))
    assert sorted(jobs) == sorted([JOB_PASS, JOB_CATCH_UP, JOB_DELIVER])
    assert jobs[JOB_PASS] == datetime(2025, 10, 11, 9, 0, tzinfo=TZ)  # every day; the pass decides about working days
    assert jobs[JOB_CATCH_UP] == now
    assert jobs[JOB_DELIVER] is not None
    assert sched.get_job(JOB_DELIVER).max_instances == 1 and sched.get_job(JOB_PASS).misfire_grace_time is None


async def _wait(predicate, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_restart_drill_the_catch_up_pass_sends_each_due_notice_once(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 14))])

    async def pending() -> int:
        async with core.db.session() as s:
            return int(await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0)

    async with FakeTelegram(enforce_limits=True) as fake:
        for name, uid in bureau.telegram.items():
            fake.add_user(uid, name)
        fake.add_user(1000, "管理员")
        fake.add_group(GROUP, "疾控股群")
        async with telegram_notifier(fake) as notifier:
            # The bot was stopped on Friday 10-10 before 09:00 and comes back on Monday 10-13 at 10:30.
            sched = build_scheduler(core, {"telegram": notifier}, clock=moving_clock(at("2025-10-13T10:30")))
            sched.start()
            try:
                await _wait(lambda: _done(sched, pending))
            finally:
                await stop_scheduler(sched)
            counts = Counter({chat: len(fake.messages(chat)) for chat in (101, 102, 103, 104, 105, 1000, GROUP)})
            assert counts == Counter({101: 1, 102: 1, 103: 1, 104: 0, 105: 1, 1000: 1, GROUP: 1})
            assert "已逾期 3 个工作日" in fake.messages(101)[0].raw_text  # today's notice only, not Friday's or Saturday's
            # Restarted again at 10:45, and the 09:00 job of a later run finding nothing new either.
            again = build_scheduler(core, {"telegram": notifier}, clock=moving_clock(at("2025-10-13T10:45")))
            again.start()
            try:
                await _wait(lambda: _done(again, pending))
            finally:
                await stop_scheduler(again)
            assert (await run_pass(core, at("2025-10-13T11:00"))).messages == []
            assert Counter({chat: len(fake.messages(chat)) for chat in counts}) == counts
            assert fake.stats.too_many == 0


async def _done(sched, pending) -> bool:  # type: ignore[no-untyped-def]
    """The catch-up pass ran and the outbox is empty."""
    return sched.duban_jobs.passes >= 1 and await pending() == 0
