"""Benchmark 我的任务 on a large SQLite database: bot-side time from update in to reply out; prints JSON.

Target (issue 3): with 100,000 tasks and 20,000 people, handling 我的任务 takes p50 ≤ 5 ms and p99 ≤ 20 ms.

1. The database: one active table of 100,000 tasks (3 milestones each: mostly dated, some target, recurring
   and ongoing; 85 % open, 12 % done, 3 % removed), 1,000 sections of 20 members (the first is the head),
   2,000 of the people lead tasks (1–2 leaders and 1–2 sections per task), and a Telegram account bound for
   every one of the 20,000 people. The schema comes from the Alembic migration, as in production; the rows
   go in with Core executemany inserts. The file is cached in ``bench/.cache`` under a key made of the
   generator version and the migration and model sources, so a schema change rebuilds it. No ANALYZE is run
   (the application never runs it) unless ``--analyze`` asks for it.
2. ``handle``: ``--calls`` requests (after a warm-up) of 我的任务 from random bound people, timed around
   ``await handle(core, request)``; wall and CPU time per call.
3. Telegram: the same through the Telegram channel against the fake Bot API: the update's JSON is parsed by
   PTB and processed by the real Application (bridge → handle → send_replies). Bot-side time runs from the
   raw update to the moment httpx hands the ``sendMessage`` request to the network (its request hook);
   the time until the fake server, in this same process, has parsed it is reported beside it, and the
   parts: PTB parsing and dispatch, ``handle``, rendering and sending. Requests are paced below the 30/s
   limiter so no call waits for it, which also means each one starts with cold CPU caches, as a real bot's
   messages do.

The database file is read through once before timing, so its pages sit in the OS cache, and each sampled
person's listing is read once (which gives the listing sizes), so the pages it touches are mapped into the
process as on a server that has been running for a while; the load averages before and after are reported
with the numbers.

Run: ``python -m bench.bench_conversation [--calls 500] [--telegram-calls 300] [--rebuild] [--analyze]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project root, for bench and tests.fakes

from bench.benchutil import CACHE, ROOT, machine, summary

GENERATOR_VERSION = 2
TASKS, PEOPLE, SECTIONS, MEMBERS, LEADERS = 100_000, 20_000, 1_000, 20, 2_000
ACCOUNT_BASE = 1_000_000  # Telegram user id of person p is ACCOUNT_BASE + p
TARGET_P50_MS, TARGET_P99_MS = 5.0, 20.0
# A Tuesday 09:00 in Asia/Shanghai, with official calendar data for the year.
NOW = datetime.fromisoformat("2025-10-14T01:00:00+00:00")
TODAY = date(2025, 10, 14)
T0 = datetime.fromisoformat("2025-01-02T01:00:00+00:00")
TEXT = "我的任务"


def cache_key() -> str:
    """The generator version plus a digest of the schema sources: a changed schema means a new database."""
    digest = hashlib.sha256(f"v{GENERATOR_VERSION}:{TASKS}:{PEOPLE}".encode())
    for path in [ROOT / "bot" / "db" / "models.py", *sorted((ROOT / "bot" / "migrations" / "versions").glob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ---- the database ---------------------------------------------------------------------------------------------


def _rows(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Every row to insert, by table name."""
    from bot.db.models import earliest_fixed_due

    people = [{"id": p, "name": f"人员{p:05d}", "created_at": T0} for p in range(1, PEOPLE + 1)]
    sections = [{"id": s, "name": f"第{s}股室", "created_at": T0} for s in range(1, SECTIONS + 1)]
    # People 1..20,000 fill the sections in order; the first member of each is its head.
    members = [
        {"person_id": p, "section_id": (p - 1) // MEMBERS + 1, "is_head": (p - 1) % MEMBERS == 0}
        for p in range(1, SECTIONS * MEMBERS + 1)
    ]
    accounts = [
        {"channel": "telegram", "external_id": str(ACCOUNT_BASE + p), "display_name": f"用户{p}", "person_id": p,
         "lang": None, "bound_at": T0, "unreachable": False, "created_at": T0}
        for p in range(1, PEOPLE + 1)
    ]
    leader_pool = list(range(5, PEOPLE + 1, PEOPLE // LEADERS))[:LEADERS]  # one in ten people leads tasks
    tasks, leaders, task_sections, milestones = [], [], [], []
    for i in range(1, TASKS + 1):
        status = rng.choices(["open", "done", "removed"], [85, 12, 3])[0]
        percent = rng.choice([None, None, 20, 50, 80])
        tasks.append({
            "id": i, "table_id": 1, "no": str(i), "seq": i, "category": f"（{i // 1000 + 1}）第{i // 1000 + 1}类工作",
            "title": f"重点任务{i}：推进基层卫生健康服务能力建设", "content": "完善工作机制，明确责任分工，加强督促检查。",
            "units": ["各医疗卫生单位"], "deadline_text": None, "remarks": None, "source_line": i + 2, "status": status,
            "progress_percent": percent, "progress_text": "按计划推进" if percent else None,
            "progress_at": NOW - timedelta(days=rng.randint(1, 30)) if percent else None,
            "done_at": NOW - timedelta(days=rng.randint(1, 60)) if status == "done" else None,
            "created_at": T0, "updated_at": T0,
        })
        for position, person in enumerate(rng.sample(leader_pool, rng.choice((1, 1, 1, 2)))):
            leaders.append({"task_id": i, "person_id": person, "position": position})
        for position, section in enumerate(rng.sample(range(1, SECTIONS + 1), rng.choice((1, 1, 1, 2)))):
            task_sections.append({"task_id": i, "section_id": section, "position": position})
        # Mostly ahead of today, some already overdue; later milestones 60 days apart.
        base = TODAY + timedelta(days=rng.randint(-20, 150))
        kind = rng.choices(["dated", "target", "recurring", "ongoing"], [80, 10, 7, 3])[0]
        for k in range(3):
            first = kind if k == 0 else "dated"
            due = None if first == "ongoing" else base + timedelta(days=60 * k)
            milestones.append({
                "task_id": i, "position": k, "due": due, "original_due": due, "text": f"节点{k + 1}", "kind": first,
                "period": "month" if first == "recurring" else None, "estimate": False, "window_start": date(2025, 1, 2),
            })
        tasks[-1]["fixed_due"] = earliest_fixed_due(SimpleNamespace(**m) for m in milestones[-3:])
    return {"people": people, "sections": sections, "section_members": members, "accounts": accounts,
            "tasks": tasks, "task_leaders": leaders, "task_sections": task_sections, "milestones": milestones}


async def build(path: Path) -> float:
    """Migrate a fresh file and fill it with Core bulk inserts; seconds taken."""
    from sqlalchemy import text

    from bot.db import Database
    from bot.db.migrate import upgrade
    from bot.db.models import Base

    started = time.perf_counter()
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.engine)
    tables = Base.metadata.tables
    rows = _rows(random.Random(GENERATOR_VERSION))
    async with db.session() as session:
        await session.execute(text("PRAGMA synchronous=OFF"))  # a throwaway file until it is renamed into place
        await session.execute(tables["task_tables"].insert(), [{
            "id": 1, "title": "2025年全市卫生健康重点工作责任分解表", "issuer": "基准卫健局", "year": 2025,
            "issued": date(2025, 1, 2), "source_name": "bench.xlsx", "source_hash": "0" * 64, "source_format": "xlsx",
            "columns": [], "active": True, "imported_at": T0, "updated_at": T0}])
        for name, batch in rows.items():
            for start in range(0, len(batch), 20_000):
                await session.execute(tables[name].insert(), batch[start:start + 20_000])
    await db.dispose()  # the last connection checkpoints the WAL into the file
    return time.perf_counter() - started


async def database(rebuild: bool, analyze: bool) -> tuple[Path, dict[str, Any]]:
    """The cached database file (built when missing), and how it was obtained."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"conversation-{cache_key()}{'-analyzed' if analyze else ''}.sqlite3"
    info: dict[str, Any] = {"file": str(path.relative_to(ROOT)), "cached": path.exists() and not rebuild}
    if info["cached"]:
        return path, info
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        fresh = Path(tmp) / "building.sqlite3"
        info["build_s"] = round(await build(fresh), 1)
        if analyze:
            import sqlite3

            with sqlite3.connect(fresh) as con:
                con.execute("ANALYZE")
        fresh.replace(path)
    for stale in CACHE.glob("conversation-*.sqlite3"):
        if stale != path and stale.name.endswith("-analyzed.sqlite3") == analyze:
            stale.unlink()  # built from an older schema or generator
    return path, info


# ---- timing -----------------------------------------------------------------------------------------------


def _read_through(path: Path) -> None:
    """Read the file once, so its pages are in the OS cache as on a server that has been running a while."""
    with open(path, "rb") as file:
        while file.read(1 << 20):
            pass


def _request(person: int) -> Any:
    from bot.contracts import Chat, Request, Sender

    uid = str(ACCOUNT_BASE + person)
    return Request(Sender("telegram", uid, f"用户{person}"), Chat("telegram", uid), NOW, text=TEXT)


def _check(replies: list[Any]) -> str:
    """The reply must be the listing (or the empty listing), not an error or a refusal."""
    body = replies[0].text if replies else ""
    if TEXT not in body and "没有" not in body:
        raise AssertionError(f"unexpected reply to {TEXT}: {body[:200]!r}")
    return body


async def bench_handle(core: Any, people: list[int], warmup: int) -> dict[str, Any]:
    """Wall and CPU milliseconds per ``handle`` call."""
    from handlers.app import handle

    for person in people[:warmup]:
        _check(await handle(core, _request(person)))
    wall, cpu = [], []
    for person in people[warmup:]:
        request = _request(person)
        c0, w0 = time.process_time(), time.perf_counter()
        replies = await handle(core, request)
        w1, c1 = time.perf_counter(), time.process_time()
        _check(replies)
        wall.append((w1 - w0) * 1000)
        cpu.append((c1 - c0) * 1000)
    return {"wall_ms": summary(wall), "cpu_ms": summary(cpu)}


async def listing_sizes(core: Any, people: list[int]) -> dict[str, Any]:
    """How many tasks the sampled people's 我的任务 lists (context for the timings)."""
    from bot.services import queries
    from bot.services.status import Rules

    day = queries.Day(TODAY, core.calendar, Rules(), core.tz)
    sizes = []
    async with core.db.session() as session:
        for person in people:
            sizes.append((await queries.my_tasks(session, day, person)).count)
    return summary([float(s) for s in sizes], digits=1)


def _recording_fake() -> Any:
    from tests.fakes.telegram_api import FakeTelegram

    class RecordingFake(FakeTelegram):
        """The fake Bot API, noting when each sendMessage arrives."""

        def __init__(self) -> None:
            super().__init__()
            self.sent_at: list[float] = []

        def api_sendmessage(self, params: dict[str, Any]) -> Any:
            self.sent_at.append(time.perf_counter())
            return super().api_sendmessage(params)

    return RecordingFake()


async def bench_telegram(core: Any, people: list[int], warmup: int, pace: float) -> dict[str, Any]:
    """From the raw update JSON to the reply leaving for the network, through the real PTB Application."""
    from telegram import Update

    from bot.channels.telegram import build_telegram_application
    from handlers.app import handle

    async with _recording_fake() as fake:
        telegram = core.settings.telegram
        telegram.token, telegram.base_url, telegram.base_file_url = (
            _secret(fake.token), fake.base_url, fake.base_file_url)
        marks: list[float] = []
        handed: list[float] = []

        async def timed_handle(core: Any, request: Any) -> Any:
            marks.append(time.perf_counter())
            try:
                return await handle(core, request)
            finally:
                marks.append(time.perf_counter())

        async def on_request(request: Any) -> None:
            # httpx calls request hooks when the request is built, just before it is written to the socket:
            # what follows is the network and the Bot API server (here the fake, in this same process).
            if request.url.path.endswith("/sendMessage"):
                handed.append(time.perf_counter())

        app = build_telegram_application(core, timed_handle, clock=lambda: NOW)
        for person in people:
            fake.add_user(ACCOUNT_BASE + person, f"用户{person}")
        bot_side, to_fake, to_done, before_handle, in_handle, after_handle = [], [], [], [], [], []
        first_update = int(time.time()) * 100_000
        async with app:  # initialize (getMe) and shutdown; updates are fed straight to process_update
            app.bot.request._client.event_hooks["request"].append(on_request)  # bench instrumentation only
            for n, person in enumerate(people):
                message = await fake.user_sends(ACCOUNT_BASE + person, TEXT)
                # Unique across runs: the cached database remembers handled update ids, and a repeat is not answered.
                raw = {"update_id": first_update + n, "message": message}
                fake.drop_pending_updates()
                before, before_handed = len(fake.sent_at), len(handed)
                marks.clear()
                t0 = time.perf_counter()
                await app.process_update(Update.de_json(raw, app.bot))
                t2 = time.perf_counter()
                if len(fake.sent_at) == before or len(handed) == before_handed:
                    raise AssertionError(f"no reply sent to person {person}")
                if n >= warmup:
                    out, sent = handed[before_handed], fake.sent_at[before]
                    bot_side.append((out - t0) * 1000)
                    to_fake.append((sent - t0) * 1000)
                    to_done.append((t2 - t0) * 1000)
                    before_handle.append((marks[0] - t0) * 1000)
                    in_handle.append((marks[1] - marks[0]) * 1000)
                    after_handle.append((out - marks[1]) * 1000)
                # AIORateLimiter allows 30 messages/s overall: stay under it so no call waits for the limiter.
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - t0)))
        errors = fake.stats.by_status.copy()
    return {"update_to_reply_sent_ms": summary(bot_side),
            "update_to_fake_received_ms": summary(to_fake), "update_to_acknowledged_ms": summary(to_done),
            "parts_ms": {"ptb_parse_and_dispatch": summary(before_handle), "handle": summary(in_handle),
                         "render_and_send": summary(after_handle)},
            "http_status_counts": {str(k): v for k, v in errors.items()}}


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Build or reuse the database, time handle and the Telegram path, and judge against the targets."""
    from bot.app import open_core
    from config import Settings

    report: dict[str, Any] = {"benchmark": "conversation 我的任务", "machine_before": machine(),
                              "data": {"tasks": TASKS, "people": PEOPLE, "sections": SECTIONS, "leaders": LEADERS,
                                       "milestones": TASKS * 3, "bound_accounts": PEOPLE, "today": TODAY.isoformat()}}
    path, report["database"] = await database(args.rebuild, args.analyze)
    report["database"]["mb"] = round(path.stat().st_size / 1e6, 1)
    _read_through(path)
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}", admins=[])  # type: ignore[call-arg]
    core = await open_core(settings)
    rng = random.Random(args.seed)
    try:
        core.calendar.is_working_day(TODAY)  # build the year's calendar outside the timings
        people = [rng.randint(1, PEOPLE) for _ in range(args.warmup + args.calls)]
        report["listing_size_tasks"] = await listing_sizes(core, people[args.warmup:])
        gc.collect()
        report["handle"] = await bench_handle(core, people, args.warmup)
        if args.telegram_calls:
            tg_people = [rng.randint(1, PEOPLE) for _ in range(20 + args.telegram_calls)]
            await listing_sizes(core, tg_people)  # the same read-through as for handle above
            report["telegram"] = await bench_telegram(core, tg_people, 20, 1 / args.telegram_rate)
    finally:
        await core.db.dispose()
    wall = report["handle"]["wall_ms"]
    report["targets"] = {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS}
    report["ok"] = {"handle_p50": wall["p50"] <= TARGET_P50_MS, "handle_p99": wall["p99"] <= TARGET_P99_MS}
    if "telegram" in report:
        tg = report["telegram"]["update_to_reply_sent_ms"]
        report["ok"]["telegram_p50"] = tg["p50"] <= TARGET_P50_MS
        report["ok"]["telegram_p99"] = tg["p99"] <= TARGET_P99_MS
    report["machine_after"] = {"loadavg": machine()["loadavg"]}
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="timed handle calls")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--telegram-calls", type=int, default=300, help="timed Telegram updates (0: skip)")
    parser.add_argument("--telegram-rate", type=float, default=25.0, help="updates per second (limiter is 30/s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on the database (the app does not)")
    started = time.perf_counter()
    result = asyncio.run(main(parser.parse_args()))
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False, indent=2))
