"""A ``duban run``-like process over 100,000 tasks: its memory, and chat while the 09:00 pass runs (issue 12); prints JSON.

Targets (issue 12, "Memory" and "Chat during the pass"): the process idles at ≤ 100 MB RSS and peaks at ≤ 250 MB
during the 09:00 pass; the pass's worker process (bot.db.offloop) peaks at ≤ 250 MB too; 我的任务 p99 ≤ 20 ms
while the pass runs; the whole pass (load + plan + render + enqueue, as the scheduler's job runs it) ≤ 2 s.

The database: bench_scheduler's large table (``--tasks`` open tasks × 3 milestones, 50 sections of 6 people,
20 leaders, all bound to Telegram accounts), migrated with Alembic as ``duban db upgrade`` does. On SQLite it
is built once into bench/.cache and copied for each run (a pass records its slot, so each run needs a fresh
copy); on PostgreSQL (``--postgres URL``) a scratch database ``duban_bench_service`` is made and dropped.

The measured process is a fresh child (``--child URL``), built as bot/app.py's ``run_all`` builds it with no
platform tokens: ``open_core``, ``_notifiers``, the scheduler (started; its pass jobs
removed so that the wall clock cannot fire a pass) and the HTTP server on a free port. It then:

1. idles ``--idle`` seconds and reports its RSS (``idle_before``);
2. warms the off-loop worker pool with a dry run (the steady state of a bot that already ran a pass; the
   first pass's cost is reported as ``warmup_s``), and idles again;
3. runs the scheduler's own pass job (``once_per_slot`` + ``run_pass``, Monday 2025-10-13 09:00) while
   ``--people`` bound members each ask 我的任务 through ``handlers.app.handle`` every ``--every`` ms; a
   thread samples the RSS of the process and of every descendant (the fork server, the workers) every 10 ms;
   ``pass.worker_phases_s`` has the seconds of each step in the worker (load, plan, enqueue, sweep) and the
   worker's CPU seconds (``cpu``): the worker runs at a lower priority, so other load on the machine stretches
   its wall-clock seconds far more than its CPU seconds;
4. idles again (``idle_after``): what the process and its workers hold once the pass is over.

Run: ``python bench/bench_service.py [--tasks 100000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchutil import CACHE, machine, postgres_admin, summary  # noqa: E402

NOW = datetime(2025, 10, 13, 1, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Shanghai
TARGETS = {"idle_mb": 100.0, "peak_mb": 250.0, "chat_p99_ms": 20.0, "pass_s": 2.0}
MB = 1024 * 1024
SCRATCH = "duban_bench_service"


# ---- the measured child ------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """The RSS of this process and of each descendant (fork server, workers), sampled every 10 ms (the
    descendants listed anew every 100 ms)."""

    def __init__(self) -> None:
        import psutil

        super().__init__(daemon=True)
        self.me = psutil.Process()
        self.main_peak = self.main_anon_peak = 0
        self.children: dict[int, dict[str, Any]] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        import psutil

        kids: list[Any] = []
        listed = 0.0
        while not self._halt.is_set():
            info = self.me.memory_info()
            self.main_peak = max(self.main_peak, info.rss)
            self.main_anon_peak = max(self.main_anon_peak, info.rss - info.shared)
            # Listing descendants reads every process on the machine (several ms holding the GIL): every 100 ms,
            # not at each sample, or the sampler itself would hold up the chats it measures.
            if time.monotonic() - listed > 0.1:
                kids, listed = self.me.children(recursive=True), time.monotonic()
            for child in kids:
                try:
                    rss = child.memory_info().rss
                    entry = self.children.setdefault(child.pid, {"role": _role(child, self.me.pid), "peak": 0})
                    entry["peak"] = max(entry["peak"], rss)
                except psutil.Error:
                    continue  # it ended between listing and reading
            self._halt.wait(0.01)

    def stop(self) -> dict[str, Any]:
        """Stop sampling; the peaks in MB."""
        self._halt.set()
        self.join()
        workers = [e["peak"] for e in self.children.values() if e["role"] == "worker"]
        return {"main_peak_mb": _mb(self.main_peak), "main_anon_peak_mb": _mb(self.main_anon_peak),
                "worker_peak_mb": _mb(max(workers, default=0)),
                "children_peak_mb": {f"{e['role']}:{pid}": _mb(e["peak"]) for pid, e in sorted(self.children.items())}}


def _role(child: Any, me: int) -> str:
    """``forkserver``, ``worker`` (a child of the fork server) or ``other`` (e.g. the resource tracker)."""
    if child.ppid() != me:
        return "worker"
    return "forkserver" if "forkserver" in " ".join(child.cmdline()) else "other"


def _mb(rss: int) -> float:
    return round(rss / MB, 1)


def snapshot_rss() -> dict[str, Any]:
    """The RSS now of this process and each descendant, in MB."""
    import psutil

    me = psutil.Process()
    children = {}
    for child in me.children(recursive=True):
        try:
            children[f"{_role(child, me.pid)}:{child.pid}"] = _mb(child.memory_info().rss)
        except psutil.Error:
            continue
    info = me.memory_info()
    # RSS counts the pages of the SQLite file mapped with mmap_size (shared with the OS page cache) and of the
    # shared libraries; the anonymous part is the Python heap.
    mapped = sum(m.rss for m in me.memory_maps() if ".sqlite3" in m.path)
    return {"main_mb": _mb(info.rss), "main_anon_mb": _mb(info.rss - info.shared), "main_db_mmap_mb": _mb(mapped),
            "children_mb": children}


async def idle(seconds: float) -> dict[str, Any]:
    """Let the process idle (scheduler ticking, HTTP server up), then read its RSS."""
    await asyncio.sleep(seconds)
    gc.collect()
    await asyncio.sleep(0.5)
    return snapshot_rss()


class GcPauses:
    """The main process's collections while installed: how many of each generation, and the longest, in ms."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], (time.perf_counter() - self._started) * 1000))

    def report(self) -> dict[str, Any]:
        """Counts per generation and the longest pause."""
        return {f"gen{gen}": {"n": sum(1 for g, _ in self.pauses if g == gen),
                              "longest_ms": round(max((ms for g, ms in self.pauses if g == gen), default=0.0), 1)}
                for gen in range(3)}


async def _lag_probe(lags: list[tuple[float, float]]) -> None:
    """Sleep 5 ms over and over, recording (ms late, when it began) for each wake-up more than 2 ms late."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        late = (time.perf_counter() - before - 0.005) * 1000
        if late > 2:
            lags.append((late, before))


class Chatter:
    """Bound members asking 我的任务 through handlers.app.handle, each its own task, at a steady rate."""

    def __init__(self, core: Any, people: list[int], every: float) -> None:
        self.core, self.people, self.every = core, people, every
        self.latencies_ms: list[float] = []
        self.started_at: list[float] = []  # when each reply was asked for (perf_counter), beside its latency
        self.errors = 0
        self._running = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def _one(self, person: int) -> None:
        from bot.contracts import Chat, Request, Sender
        from handlers.app import handle

        ident = str(100_000 + person)
        started = time.perf_counter()
        replies = await handle(self.core, Request(Sender("telegram", ident, ident), Chat("telegram", ident), NOW,
                                                  text="我的任务"))
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.started_at.append(started)
        if not replies or "抱歉" in replies[0].text:
            self.errors += 1

    async def _loop(self) -> None:
        n = 0
        while self._running:
            task = asyncio.create_task(self._one(self.people[n % len(self.people)]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            n += 1
            await asyncio.sleep(self.every / len(self.people))  # each person asks every ``every`` seconds

    async def during(self, work: Any) -> tuple[Any, float, dict[str, Any]]:
        """Run ``work()`` while they ask; its result, its seconds and the replies' latencies."""
        self.latencies_ms, self.started_at, self.errors, self._running = [], [], 0, True
        pauses = GcPauses()
        gc.callbacks.append(pauses)
        chat = asyncio.create_task(self._loop())
        started = time.perf_counter()
        lags: list[tuple[float, float]] = []
        probe = asyncio.create_task(_lag_probe(lags))
        result = await work()
        seconds = time.perf_counter() - started
        probe.cancel()
        self._running = False
        await asyncio.gather(chat, *self._tasks)
        gc.callbacks.remove(pauses)
        # The five slowest replies, each with the second (from the start of ``work``) it was asked at.
        slowest = sorted(zip(self.latencies_ms, self.started_at, strict=True), reverse=True)[:5]
        return result, seconds, {**summary(self.latencies_ms), "errors": self.errors, "gc": pauses.report(),
                                 "slowest": [[round(at - started, 2), round(ms, 1)] for ms, at in slowest],
                                 # The event loop's longest stalls (a 5 ms sleep that woke late), with when they began.
                                 "loop_stalls": [[round(at - started, 2), round(ms, 1)] for ms, at in sorted(lags, reverse=True)[:5]]}


async def child(args: argparse.Namespace) -> dict[str, Any]:
    """Build the process as ``duban run`` does, then measure idle, pass and idle again."""
    started = time.perf_counter()
    from bot.app import _notifiers, build_http, configure_logging, open_core, settle_after_start
    from bot.http import serve
    from config import Settings
    from handlers.app import handle
    from scheduler.jobs import JOB_DELIVER, build_scheduler, run_pass, stop_scheduler

    settings = Settings(_env_file=None, database={"url": args.child}, admins=["telegram:999"],  # type: ignore[call-arg]
                        log_level="WARNING")
    configure_logging(settings.log_level, settings)
    core = await open_core(settings)
    await core.db.warm()
    notifiers, _ = _notifiers(core)
    scheduler = build_scheduler(core, notifiers, lambda: NOW)
    for job in scheduler.get_jobs():  # only delivery ticks: the bench fires the pass itself, at a chosen moment
        if job.id != JOB_DELIVER:
            scheduler.remove_job(job.id)
    stop = asyncio.Event()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = asyncio.create_task(serve(build_http(core, handle, None, scheduler), host="127.0.0.1",
                                       port=sock.getsockname()[1], stop=stop, sock=sock))
    scheduler.start()
    settle_after_start()
    people = list(range(1, args.people + 1))
    chatter = Chatter(core, people, args.every / 1000)
    for person in people:  # each person's first question loads the conversation's modules and caches
        await chatter._one(person)
    report: dict[str, Any] = {"startup_s": round(time.perf_counter() - started, 2)}
    report["idle_before"] = await idle(args.idle)
    _, seconds, report["chat_baseline"] = await chatter.during(lambda: asyncio.sleep(2))
    started = time.perf_counter()
    await run_pass(core, NOW, dry_run=True, details=False)  # starts the worker pool, as yesterday's pass did
    report["warmup_s"] = round(time.perf_counter() - started, 2)
    report["idle_warm"] = await idle(args.idle)

    sampler = Sampler()
    sampler.start()
    jobs = scheduler.duban_jobs  # type: ignore[attr-defined]
    passes = jobs.passes
    _, seconds, report["chat_during_pass"] = await chatter.during(jobs.run_pass)
    report["pass"] = {"seconds": round(seconds, 2), "ran": jobs.passes > passes, **sampler.stop()}
    if jobs.last is not None:  # the steps' seconds in the worker, and its CPU seconds (less stretched by other load)
        report["pass"]["worker_phases_s"] = {step: round(value, 2) for step, value in jobs.last.phases.items()}
    report["pass"]["outbox_rows"] = await _outbox_rows(core)
    report["idle_after"] = await idle(args.idle)
    stop.set()
    await server
    await stop_scheduler(scheduler)
    await core.db.dispose()
    return report


async def _outbox_rows(core: Any) -> int:
    from sqlalchemy import func, select

    from bot.db.models import OutboxMessage

    async with core.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


# ---- the parent: databases and verdicts --------------------------------------------------------------


async def build(url: str, tasks: int) -> None:
    """Migrate an empty database to head and seed bench_scheduler's large table into it."""
    from bench.bench_scheduler import seed
    from bot.db import Database
    from bot.db.migrate import upgrade

    db = Database(url)
    await upgrade(db.engine)
    await seed(db, tasks, random.Random(4))
    if not db.is_sqlite:  # the seed writes explicit ids: move the sequences past them
        async with db.engine.begin() as conn:
            for table in ("task_tables", "sections", "people", "accounts", "chat_subscriptions", "tasks"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    await db.dispose()
    # VACUUM (it cannot run in a transaction) as autovacuum would have on a live database: visibility data, so
    # index lookups skip the table, and no autovacuum starting in the middle of a measurement. ANALYZE with it.
    if not url.startswith("sqlite"):
        await postgres_admin(url, "VACUUM ANALYZE")


def sqlite_copy(tasks: int, folder: Path) -> tuple[str, float]:
    """A fresh copy of the cached seeded SQLite database (built on first use); its URL and build seconds."""
    from bot.db.migrate import HEAD_REVISION

    cached = CACHE / f"service-{tasks}-{HEAD_REVISION}.sqlite3"  # a new migration builds it anew
    built = 0.0
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / f"service-{tasks}.partial.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        asyncio.run(build(f"sqlite+aiosqlite:///{partial}", tasks))
        built = time.perf_counter() - started
        shutil.move(partial, cached)
    target = folder / "service.sqlite3"
    with sqlite3.connect(cached) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # consistent even if a WAL is left beside the cache
    return f"sqlite+aiosqlite:///{target}", built


def run_child(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Measure in a fresh process (so the seeding's memory is not counted); its JSON report."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", url, "--people", str(args.people),
               "--every", str(args.every), "--idle", str(args.idle)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout)


def verdict(report: dict[str, Any]) -> dict[str, bool]:
    """Each target, met or not."""
    if "error" in report:
        return {}
    idle_mb = max(report["idle_before"]["main_mb"], report["idle_after"]["main_mb"])
    return {
        "main_idle_le_100_mb": idle_mb <= TARGETS["idle_mb"],
        "main_peak_le_250_mb": report["pass"]["main_peak_mb"] <= TARGETS["peak_mb"],
        "worker_peak_le_250_mb": report["pass"]["worker_peak_mb"] <= TARGETS["peak_mb"],
        "chat_p99_le_20_ms": report["chat_during_pass"]["p99"] <= TARGETS["chat_p99_ms"],
        "pass_le_2_s": report["pass"]["seconds"] <= TARGETS["pass_s"],
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    """Build the databases, measure a child on each; the report."""
    out: dict[str, Any] = {"machine_before": machine(), "tasks": args.tasks, "people": args.people,
                           "every_ms": args.every, "targets": TARGETS}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url, built = sqlite_copy(args.tasks, Path(tmp))
            sqlite = run_child(url, args)
            out["sqlite"] = {"build_s": round(built, 1), **sqlite, "meets": verdict(sqlite)}
    if args.postgres:
        from sqlalchemy.engine import make_url

        scratch = make_url(args.postgres).set(database=SCRATCH).render_as_string(hide_password=False)
        asyncio.run(postgres_admin(args.postgres, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        asyncio.run(postgres_admin(args.postgres, f"CREATE DATABASE {SCRATCH}"))
        try:
            started = time.perf_counter()
            asyncio.run(build(scratch, args.tasks))
            built = time.perf_counter() - started
            postgres = run_child(scratch, args)
            out["postgresql"] = {"build_s": round(built, 1), **postgres, "meets": verdict(postgres)}
        finally:
            asyncio.run(postgres_admin(args.postgres, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
    out["machine_after"] = machine()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="open tasks of the large table")
    parser.add_argument("--people", type=int, default=8, help="bound members asking 我的任务")
    parser.add_argument("--every", type=float, default=200.0, help="milliseconds between one person's questions")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds each idle window lasts")
    parser.add_argument("--postgres", default=os.environ.get("DUBAN_TEST_POSTGRES_URL"),
                        help="also run on a scratch database of this PostgreSQL server (default: DUBAN_TEST_POSTGRES_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    result = asyncio.run(child(parsed)) if parsed.child else main(parsed)
    print(json.dumps(result, ensure_ascii=False, indent=2))
