"""The jobs: APScheduler 3 ``AsyncIOScheduler`` in the bureau's time zone, and the pass and delivery they run.

Jobs are created at start with stable ids and ``replace_existing=True`` (nothing persists between runs, so
a restart can never duplicate a job); what must survive a restart lives in the database (ledger and outbox).

Timing choices:

- ``duban-daily-pass`` fires at send_time every day (the planner decides about working and quiet days).
  ``misfire_grace_time=None``: a run that fires late (event loop blocked, machine asleep) still runs, since
  the pass is planned from state and idempotent, and late beats never. ``coalesce=True``: several missed
  firings are one pass, because one pass already finds everything still due.
- No job of its own for the weekly report: the daily pass sends it on the week's first working day reached
  (so a Monday holiday moves it to Tuesday's pass).
- Every pass that is not a dry run also does the daily housekeeping: import previews older than a day,
  handled message ids older than a few days (bot.services.housekeeping) and ledger keys no pass can match
  any more (scheduler.ledger.forget_old) are deleted.
- ``duban-catch-up`` runs once at start: what fell due while the bot was down goes out now, coalesced.
- ``duban-deliver`` ticks every 2 s and starts a delivery run unless one is still going; a tick that finds
  one running returns at once. Short misfire grace (10 s): a missed tick is worthless, the next one comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.contracts import Capabilities
from bot.core import Core
from bot.db.clock import to_local
from bot.db.offloop import off_loop, preload
from bot.db.session import Database
from bot.workcal import WorkCalendar
from config import Settings
from bot.services.housekeeping import sweep
from scheduler.compose import Renderer, envelopes
from scheduler.coordination import once_per_slot
from scheduler.gcpause import paused_gc
from scheduler.ledger import forget_old
from bot.contracts import Notifier, Target
from scheduler.outbox import DeliveryPolicy, DeliveryResult, deliver_due, enqueue
from scheduler.planner import Notice, PlanRules, plan
from scheduler.snapshot import load_snapshot

log = logging.getLogger(__name__)
preload(__name__)  # each pass runs in a fresh worker (bot.db.offloop): have it start with the scheduler imported

JOB_PASS = "duban-daily-pass"
JOB_CATCH_UP = "duban-catch-up"
JOB_DELIVER = "duban-deliver"
DELIVER_EVERY_SECONDS = 2

__all__ = [
    "DeliveryResult",
    "PassResult",
    "PlannedMessage",
    "build_scheduler",
    "deliver_due",
    "describe_jobs",
    "format_pass",
    "install_jobs",
    "run_pass",
    "stop_scheduler",
]


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One message of a pass: who gets it, where, and the rendered text of each part."""

    recipient: str
    target: Target | None
    kind: str
    notice_keys: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(slots=True)
class PassResult:
    """What a planning pass found due and (unless a dry run) put in the outbox."""

    now: datetime
    local: datetime
    day: date
    working: bool
    dry_run: bool
    notices: list[Notice] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)
    # People with due notices but no reachable account (their notices stay due until they bind).
    unroutable: list[str] = field(default_factory=list)
    # (notices, messages, outbox rows) when the lists themselves were left behind (run_pass(details=False)).
    counted: tuple[int, int, int] | None = None
    # Seconds each step took in the worker (load, plan, enqueue, sweep) and the CPU seconds of the whole (cpu:
    # the worker's own, which other load on the machine does not stretch as it does the others), for the log.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def enqueued(self) -> int:
        """Outbox rows written (0 for a dry run)."""
        if self.counted is not None:
            return self.counted[2]
        return 0 if self.dry_run else sum(len(m.texts) for m in self.messages)

    @property
    def sizes(self) -> tuple[int, int]:
        """How many notices and messages the pass found, with or without the lists."""
        if self.counted is not None:
            return self.counted[0], self.counted[1]
        return len(self.notices), len(self.messages)


async def run_pass(core: Core, now: datetime, *, dry_run: bool = False, details: bool = True) -> PassResult:
    """Exactly the pass the scheduler runs at ``now`` (aware): plan from state, then enqueue unless ``dry_run``.

    The pass (load, plan, render, enqueue) runs in a worker process with its own database engine
    (bot.db.offloop): over a large table it takes seconds of Python, and chats must not wait for it.
    ``details=False`` brings back only the counts (all the scheduler logs), so that tens of thousands of
    notices are not unpickled on the event loop.
    """
    return await off_loop(core.db, _pass_in_worker, core.settings, core.calendar, core.capabilities, now, dry_run,
                          details)


async def _pass_in_worker(db: Database, settings: Settings, calendar: WorkCalendar,
                          capabilities: dict[str, Capabilities], now: datetime, dry_run: bool, details: bool) -> PassResult:
    """In the worker: the pass on the worker's own database, with the collector paused."""
    with paused_gc():
        return await _run_pass(Core(settings=settings, db=db, calendar=calendar, capabilities=capabilities), now, dry_run,
                               details)


async def _run_pass(core: Core, now: datetime, dry_run: bool, details: bool = True) -> PassResult:
    """Load, plan, render and (unless ``dry_run``) enqueue and sweep, each step in its own transaction; without
    ``details`` only the counts come back (run_pass)."""
    tz = core.tz
    local = to_local(now, tz)
    day = local.date()
    rules = PlanRules.from_settings(core.settings.reminders)
    phases: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    async with core.db.session() as session:
        snap = await load_snapshot(session, day, tz=tz, admins=core.settings.admins, silent=core.silent_channels)
    phases["load"] = time.perf_counter() - started
    notices = plan(snap, local.replace(tzinfo=None), core.calendar, rules)
    envs = envelopes(notices, snap, core.settings.language)
    renderer = Renderer(snap, day, core.caps, core.settings.reminders.max_listed)
    phases["plan"] = time.perf_counter() - started - phases["load"]
    result = PassResult(now, local, day, core.calendar.is_working_day(day), dry_run, notices, phases=phases)
    result.unroutable = sorted({e.label for e in envs if e.target is None})
    if dry_run:
        for env in envs:
            if env.target is not None:
                texts = tuple(c.text for c in renderer.render(env))
                result.messages.append(PlannedMessage(env.label, env.target, env.bucket, tuple(n.key for n in env.notices), texts))
        return result if details else _counts_only(result, len(result.messages), 0)
    # A fresh transaction for the writes: the ledger under the pass's lock, not the snapshot alone, decides what
    # is new (keys recorded after the snapshot are dropped there).
    mark = time.perf_counter()
    async with core.db.session() as session:
        done = await enqueue(session, envs, renderer, day, now, seen=snap.sent_upto)
    phases["enqueue"] = time.perf_counter() - mark
    if details:
        for item in done:
            result.messages.append(PlannedMessage(item.envelope.label, item.envelope.target, item.envelope.bucket,
                                                  tuple(n.key for n in item.notices), item.texts))
    else:
        _counts_only(result, len(done), sum(len(item.texts) for item in done))
    # Daily housekeeping rides on the pass: old import previews, handled message ids and ledger keys go.
    mark = time.perf_counter()
    async with core.db.session() as session:
        swept = await sweep(session, now)
        forgotten = await forget_old(session, now)
    phases["sweep"] = time.perf_counter() - mark
    phases["cpu"] = time.process_time() - cpu
    if swept.pending_imports or swept.handled_messages or forgotten:
        log.info("housekeeping: %d import previews, %d handled message ids, %d old ledger keys deleted",
                 swept.pending_imports, swept.handled_messages, forgotten)
    return result


def _counts_only(result: PassResult, messages: int, rows: int) -> PassResult:
    """Keep the counts of ``result``, not its lists (tens of thousands of notices are not sent back to the loop)."""
    result.counted = (len(result.notices), messages, rows)
    result.notices, result.messages = [], []
    return result


def format_pass(result: PassResult) -> list[str]:
    """Plain lines listing every message of a pass (for ``duban remind``): recipient, target, text."""
    lines = [f"{result.local:%Y-%m-%d %H:%M} {'dry run' if result.dry_run else 'enqueued'}: {len(result.messages)} messages, {len(result.notices)} notices"]
    for m in result.messages:
        where = f"{m.target.key} ({m.target.kind})" if m.target else "-"
        for i, text in enumerate(m.texts, start=1):
            part = f" [{i}/{len(m.texts)}]" if len(m.texts) > 1 else ""
            lines.append(f"--- {m.kind} → {m.recipient} @ {where}{part}")
            lines.append(text)
    for label in result.unroutable:
        lines.append(f"--- not routable (no reachable account): {label}")
    return lines


# ---- the scheduler -------------------------------------------------------------------------------------


class DubanScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler that remembers the injected clock (for describe_jobs before start)."""

    clock: Callable[[], datetime]


class _Jobs:
    """The job callables, sharing one pass lock and at most one delivery run at a time."""

    def __init__(self, core: Core, notifiers: Mapping[str, Notifier], clock: Callable[[], datetime], policy: DeliveryPolicy | None) -> None:
        self.core, self.notifiers, self.clock, self.policy = core, notifiers, clock, policy
        self._pass_lock: asyncio.Lock | None = None
        self.passes = 0  # passes finished (tests and health checks watch it)
        self.last: PassResult | None = None  # the last pass this process ran (counts and phases only)
        self._delivery: asyncio.Task[DeliveryResult] | None = None
        self._pass: asyncio.Task | None = None

    async def run_pass(self) -> None:
        """The daily/weekly/catch-up pass; errors are logged, never raised into the scheduler."""
        self._pass_lock = self._pass_lock or asyncio.Lock()
        async with self._pass_lock:
            self._pass = asyncio.current_task()
            try:
                result = await once_per_slot(self.core, self.clock(),
                                             lambda now: run_pass(self.core, now, details=False))
                if result is not None:  # None: another replica ran (or is running) this slot's pass
                    self.last = result
                    log.info("pass at %s: %d notices, %d messages (%s)", result.local, *result.sizes,
                             ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.phases.items()))
            except asyncio.CancelledError:
                log.info("planning pass stopped by shutdown; its worker ends its own transaction, the next start catches up")
                return
            except Exception:
                log.exception("planning pass failed")
            finally:
                self._pass = None
            self.passes += 1
        self.kick()

    def kick(self) -> None:
        """Start a delivery run unless one is going (the 2-second tick and the end of a pass call this)."""
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.get_running_loop().create_task(self._deliver())

    async def tick(self) -> None:
        """The delivery job."""
        self.kick()

    async def stop(self) -> None:
        """Cancel the delivery run in progress, if any."""
        for task in (self._pass, self._delivery):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._delivery = None

    async def _deliver(self) -> DeliveryResult:
        try:
            return await deliver_due(self.core, self.notifiers, self.clock(), policy=self.policy)
        except Exception:
            log.exception("delivery run failed")
            return DeliveryResult()


def build_scheduler(
    core: Core,
    notifier_by_channel: Mapping[str, Notifier],
    clock: Callable[[], datetime],
    *,
    policy: DeliveryPolicy | None = None,
) -> AsyncIOScheduler:
    """The scheduler with Duban's four jobs (not started: call ``.start()`` inside the running event loop)."""
    sched = DubanScheduler(timezone=ZoneInfo(core.tz), job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    sched.clock = clock
    install_jobs(sched, core, notifier_by_channel, clock, policy=policy)
    return sched


def install_jobs(
    sched: AsyncIOScheduler,
    core: Core,
    notifier_by_channel: Mapping[str, Notifier],
    clock: Callable[[], datetime],
    *,
    policy: DeliveryPolicy | None = None,
) -> None:
    """Add (or replace, by their stable ids) Duban's jobs on ``sched``."""
    tz = ZoneInfo(core.tz)
    hour, minute = (int(x) for x in core.settings.reminders.send_time.split(":")[:2])
    jobs = _Jobs(core, notifier_by_channel, clock, policy)
    sched.duban_jobs = jobs  # type: ignore[attr-defined]
    sched.add_job(jobs.run_pass, CronTrigger(hour=hour, minute=minute, timezone=tz), id=JOB_PASS,
                  name="daily planning pass", replace_existing=True, coalesce=True, misfire_grace_time=None)
    sched.add_job(jobs.run_pass, DateTrigger(run_date=clock(), timezone=tz), id=JOB_CATCH_UP,
                  name="catch-up pass at start", replace_existing=True, misfire_grace_time=None)
    sched.add_job(jobs.tick, IntervalTrigger(seconds=DELIVER_EVERY_SECONDS, timezone=tz), id=JOB_DELIVER,
                  name="outbox delivery", replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=10)


async def stop_scheduler(sched: AsyncIOScheduler) -> None:
    """Shut the scheduler down and end a delivery run in progress (its rows are leased, so nothing is lost)."""
    if sched.running:
        sched.shutdown(wait=False)
    jobs = getattr(sched, "duban_jobs", None)
    if jobs is not None:
        await jobs.stop()


def describe_jobs(scheduler: AsyncIOScheduler, now: datetime | None = None) -> list[tuple[str, datetime | None]]:
    """(job id, next run time) for every job; works before the scheduler is started too."""
    now = now or scheduler.clock()  # type: ignore[attr-defined]  # set by build_scheduler
    out = []
    for job in scheduler.get_jobs():
        next_run = getattr(job, "next_run_time", None) if scheduler.running else job.trigger.get_next_fire_time(None, now.astimezone(scheduler.timezone))
        out.append((job.id, next_run))
    return out
