"""Benchmark the scheduler and a naive baseline on the same data; prints JSON.

1. Planning: 100,000 open tasks × 3 milestones (7 % monthly recurring, with ~60,000 reported months as occurrences) in an SQLite file (50 sections of 6 people, 20 leaders, 20 groups),
   on a Monday at 09:00 (daily notices, digests and the weekly reports) and on a Tuesday. Reported separately:
   ``load_snapshot`` (12 set-based queries), the pure ``plan()`` on the loaded snapshot (target ≤ 1 s), and
   grouping + rendering of the messages.
2. Delivery: 2,000 DMs to 2,000 users against the fake Bot API with Telegram's flood limits enforced, through
   the outbox, the rate limiter and the real Telegram notifier (target ≥ 90 % of the 30/s cap, zero 429).
3. The naive design on the same data: per-task queries to plan (timed on the first ``NAIVE_TASKS`` tasks and
   extrapolated linearly, because running it over all 100,000 takes minutes), and one APScheduler job per
   reminder sending straight through PTB with no limiter and no retry.

Run: ``python -m bench.bench_scheduler [--tasks N] [--dms N]`` (about 2–3 minutes; delivery alone is ~70 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the fake Bot API lives in tests/
    sys.path.insert(0, str(ROOT))

from bot.core import Core
from bot.db import Database
from bot.db.clock import UTC
from bot.db.models import (
    Account,
    ChatSubscription,
    Milestone,
    Occurrence,
    OutboxMessage,
    Person,
    Section,
    SectionMember,
    Task,
    TaskLeader,
    TaskSection,
    TaskTable,
)
from bot.services.status import MilestoneFacts, current_due
from config import Settings
from scheduler.compose import Renderer, envelopes
from scheduler.gcpause import paused_gc
from scheduler.planner import PlanRules, plan
from scheduler.snapshot import load_snapshot

MONDAY = datetime(2025, 10, 13, 9, 0)
TUESDAY = datetime(2025, 10, 14, 9, 0)
T0 = datetime(2025, 1, 2, tzinfo=UTC)
NAIVE_TASKS = 500
SECTIONS, MEMBERS, LEADERS, GROUPS = 50, 5, 20, 20


def _core(model):  # type: ignore[no-untyped-def]
    """A Core INSERT (executemany), much faster than the ORM's bulk path for 400,000 rows."""
    return model.__table__.insert()


async def seed(db: Database, tasks: int, rng: random.Random) -> None:
    """Sections with members and a head, leaders, bound accounts, group subscriptions and ``tasks`` × 3 milestones."""
    async with db.session() as s:
        await s.execute(_core(TaskTable), [{"id": 1, "title": "基准表", "year": 2025, "source_name": "b.xlsx", "source_hash": "0" * 64,
                                                 "source_format": "xlsx", "columns": [], "active": True, "imported_at": T0, "updated_at": T0}])
        await s.execute(_core(Section), [{"id": i, "name": f"股室{i}", "created_at": T0} for i in range(1, SECTIONS + 1)])
        people, members, accounts = [], [], []
        pid = 0
        for sec in range(1, SECTIONS + 1):
            for k in range(MEMBERS + 1):
                pid += 1
                people.append({"id": pid, "name": f"人员{pid}", "created_at": T0})
                members.append({"person_id": pid, "section_id": sec, "is_head": k == 0})
        leaders = list(range(pid + 1, pid + LEADERS + 1))
        people += [{"id": p, "name": f"领导{p}", "created_at": T0} for p in leaders]
        accounts = [{"channel": "telegram", "external_id": str(100_000 + p["id"]), "person_id": p["id"], "bound_at": T0,
                         "unreachable": False, "created_at": T0} for p in people]
        await s.execute(_core(Person), people)
        await s.execute(_core(SectionMember), members)
        await s.execute(_core(Account), accounts)
        await s.execute(_core(ChatSubscription), [{"channel": "telegram", "chat_id": str(-1000 - g), "section_id": g, "title": f"群{g}",
                                                        "created_at": T0} for g in range(1, GROUPS + 1)])
        today = MONDAY.date()
        for start in range(0, tasks, 10_000):
            ids = range(start + 1, min(tasks, start + 10_000) + 1)
            await s.execute(_core(Task), [{"id": i, "table_id": 1, "no": str(i), "seq": i, "title": f"重点任务{i}：推进基层卫生服务能力建设",
                                                "content": "", "units": [], "status": "open", "progress_percent": rng.choice([None, 20, 50, 80]),
                                                "created_at": T0, "updated_at": T0} for i in ids])
            rows = []
            for i in ids:
                # Mostly ahead of today, about 8 % already overdue; later milestones 90 days apart.
                base = today + timedelta(days=rng.randint(-10, 120))
                kind = rng.choices(["dated", "target", "recurring", "ongoing"], [80, 10, 7, 3])[0]
                for k in range(3):
                    due = base + timedelta(days=90 * k)
                    rows.append({"task_id": i, "position": k, "due": None if kind == "ongoing" else due, "original_due": due, "text": "",
                                     "kind": kind if k == 0 else "dated", "period": "month" if kind == "recurring" else None,
                                     "estimate": False, "window_start": date(2025, 1, 2)})
            await s.execute(_core(Milestone), rows)
            # Issue 9: each month of a recurring task is its own deadline. Most reported January…September;
            # one in ten missed September (overdue, escalated), so the plan carries occurrences both ways.
            reports = []
            for row in rows:
                if row["kind"] == "recurring":
                    last = 8 if rng.random() < 0.1 else 9
                    reports += [{"task_id": row["task_id"], "milestone_id": None, "period_key": f"2025-{m:02d}", "due": date(2025, m, 28),
                                 "state": "reported", "reported_at": T0, "created_at": T0} for m in range(1, last + 1)]
            if reports:
                await s.execute(_core(Occurrence), _with_milestone_ids(reports, await _recurring_ids(s, ids)))
            await s.execute(_core(TaskLeader), [{"task_id": i, "person_id": rng.choice(leaders), "position": 0} for i in ids])
            await s.execute(_core(TaskSection), [{"task_id": i, "section_id": rng.randint(1, SECTIONS), "position": 0} for i in ids])
    async with db.engine.begin() as conn:  # rows went in with Core statements: set what the ORM keeps (listing order)
        # One grouped scan, not a subquery per task: on fresh PostgreSQL tables (no statistics yet) the
        # correlated form scanned every milestone for each task and ran for many minutes.
        await conn.exec_driver_sql(
            "UPDATE tasks SET fixed_due = f.due FROM (SELECT task_id, min(due) AS due FROM milestones"
            " WHERE due IS NOT NULL AND kind NOT IN ('recurring', 'ongoing') GROUP BY task_id) AS f"
            " WHERE f.task_id = tasks.id")


async def _recurring_ids(s, ids: range) -> dict[int, int]:  # type: ignore[no-untyped-def]
    rows = await s.execute(select(Milestone.task_id, Milestone.id).where(Milestone.kind == "recurring", Milestone.task_id.between(ids[0], ids[-1])))
    return dict(rows.all())


def _with_milestone_ids(reports: list[dict], mids: dict[int, int]) -> list[dict]:
    return [{**r, "milestone_id": mids[r["task_id"]]} for r in reports]


async def bench_planning(core: Core, when: datetime) -> dict[str, float | int]:
    """Time load_snapshot, plan() and the message rendering at one local instant."""
    day = when.date()
    t0 = time.perf_counter()
    async with core.db.session() as s:
        snap = await load_snapshot(s, day, tz=core.tz, admins=["telegram:999999"])
    t1 = time.perf_counter()
    notices = plan(snap, when, core.calendar, PlanRules())
    t2 = time.perf_counter()
    with paused_gc():  # as run_pass does
        envs = envelopes(notices, snap, "zh")
        renderer = Renderer(snap, day)
        chunks = sum(len(renderer.render(e)) for e in envs if e.target is not None)
    t3 = time.perf_counter()
    return {"load_snapshot_s": round(t1 - t0, 3), "plan_s": round(t2 - t1, 3), "render_s": round(t3 - t2, 3),
            "notices": len(notices), "messages": chunks}


async def naive_planning(core: Core, when: datetime, limit: int) -> dict[str, float | int]:
    """Per-task queries (milestones, sections, members, accounts) and one APScheduler job per reminder."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    sched = AsyncIOScheduler(timezone="Asia/Shanghai")
    cal, day = core.calendar, when.date()
    jobs = 0
    t0 = time.perf_counter()
    async with core.db.session() as s:
        task_ids = (await s.execute(select(Task.id).where(Task.status == "open").order_by(Task.id).limit(limit))).scalars().all()
        for tid in task_ids:
            ms = (await s.execute(select(Milestone).where(Milestone.task_id == tid))).scalars().all()
            sections = (await s.execute(select(TaskSection.section_id).where(TaskSection.task_id == tid))).scalars().all()
            for sec in sections:
                people = (await s.execute(select(SectionMember.person_id).where(SectionMember.section_id == sec))).scalars().all()
                for pid in people:
                    account = (await s.execute(select(Account.external_id).where(Account.person_id == pid))).scalar()
                    for m in ms:
                        due = current_due(MilestoneFacts(m.id, m.due, m.kind, m.period, m.window_start), day, cal)
                        if due is None:
                            continue
                        for n in (5, 3, 1, 0):
                            run = cal.working_days_before(due, n).value
                            if run >= day:
                                sched.add_job(print, "date", run_date=datetime.combine(run, when.time()), args=[account, tid])
                                jobs += 1
    elapsed = time.perf_counter() - t0
    total = len(await _count_open(core))
    return {"tasks_timed": len(task_ids), "naive_plan_s": round(elapsed, 3), "jobs": jobs,
            "naive_plan_extrapolated_s": round(elapsed * total / max(1, len(task_ids)), 1)}


async def _count_open(core: Core) -> list[int]:
    async with core.db.session() as s:
        return list((await s.execute(select(Task.id).where(Task.status == "open"))).scalars())


async def bench_delivery(dms: int) -> dict[str, object]:
    """2,000 DMs through the outbox and limiter vs. one job per DM with no limiter, each against a fresh limit-enforcing fake."""
    from telegram import Bot
    from telegram.error import TelegramError
    from telegram.request import HTTPXRequest

    from bot.channels.telegram_notifier import TelegramNotifier
    from scheduler.limits import RateLimitedNotifier
    from scheduler.outbox import DeliveryPolicy, drain
    from tests.fakes.telegram_api import FakeTelegram

    users = list(range(200_000, 200_000 + dms))
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/delivery.sqlite3")
        await db.create_all()
        core = Core(settings=Settings(_env_file=None), db=db)  # type: ignore[call-arg]
        async with db.session() as s:
            await s.execute(_core(OutboxMessage), [{"key": f"b:{u}", "kind": "bench", "channel": "telegram", "target": str(u), "target_kind": "private",
                                                         "text": f"<b>督办提醒</b> 任务{u}", "buttons": [], "status": "pending", "attempts": 0,
                                                         "next_attempt_at": T0, "created_at": T0} for u in users])
        async with FakeTelegram(enforce_limits=True) as fake:
            for u in users:
                fake.add_user(u, f"u{u}")
            bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(connection_pool_size=4))
            notifier = RateLimitedNotifier(TelegramNotifier(bot))
            t0 = time.perf_counter()
            result = await drain(core, {"telegram": notifier}, lambda: datetime.now(UTC), timeout=600, policy=DeliveryPolicy())
            elapsed = time.perf_counter() - t0
            await bot.shutdown()
            delivered = sum(1 for u in users if fake.messages(u))
            out["outbox"] = {"dms": dms, "seconds": round(elapsed, 2), "per_second": round(dms / elapsed, 2),
                             "share_of_30_per_s_cap": round(dms / elapsed / 30, 3), "received_429": fake.stats.too_many,
                             "delivered": delivered, "sent": result.sent}
        await db.dispose()

    async with FakeTelegram(enforce_limits=True) as fake:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        for u in users:
            fake.add_user(u, f"u{u}")
        bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(connection_pool_size=64, pool_timeout=60))
        await bot.initialize()
        sched = AsyncIOScheduler(job_defaults={"misfire_grace_time": 60})
        failures = 0
        finished = asyncio.Event()
        remaining = [dms]

        async def job(uid: int) -> None:
            nonlocal failures
            try:
                await bot.send_message(uid, f"<b>督办提醒</b> 任务{uid}", parse_mode="HTML")
            except TelegramError:
                failures += 1  # a naive bot logs it and the reminder is gone
            remaining[0] -= 1
            if remaining[0] == 0:
                finished.set()

        run_at = datetime.now(UTC) + timedelta(seconds=1)
        for u in users:
            sched.add_job(job, "date", run_date=run_at, args=[u])
        t0 = time.perf_counter()
        sched.start()
        await asyncio.wait_for(finished.wait(), 600)
        elapsed = time.perf_counter() - t0
        sched.shutdown(wait=False)
        await bot.shutdown()
        delivered = sum(1 for u in users if fake.messages(u))
        out["naive"] = {"dms": dms, "seconds": round(elapsed, 2), "received_429": fake.stats.too_many, "delivered": delivered,
                        "lost": dms - delivered, "failures": failures}
    return out


async def main(tasks: int, dms: int) -> dict[str, object]:
    """Run every part and return the report."""
    rng = random.Random(4)
    report: dict[str, object] = {"tasks": tasks, "milestones": tasks * 3}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/plan.sqlite3")
        await db.create_all()
        t0 = time.perf_counter()
        await seed(db, tasks, rng)
        report["seed_s"] = round(time.perf_counter() - t0, 1)
        core = Core(settings=Settings(_env_file=None), db=db)  # type: ignore[call-arg]
        await core.reload_calendar()
        for y in (2025, 2026):
            core.calendar.is_working_day(date(y, 1, 1))  # build the calendar years outside the timings
        report["monday_0900"] = await bench_planning(core, MONDAY)
        report["tuesday_0900"] = await bench_planning(core, TUESDAY)
        report["naive_planning"] = await naive_planning(core, TUESDAY, NAIVE_TASKS)
        await db.dispose()
    if dms:
        report["delivery"] = await bench_delivery(dms)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--dms", type=int, default=2_000)
    parser.add_argument("--skip-delivery", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.tasks, 0 if args.skip_delivery else args.dms)), ensure_ascii=False, indent=2))
