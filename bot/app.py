"""The composition root: builds the core and wires channels, handlers and the scheduler together."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.db import Database
from bot.db.clock import UTC
from bot.db.migrate import at_head
from bot.channels.registry import record_capabilities
from bot.core import Core
from bot.redact import Redactor, install_redactor
from config import Settings

log = logging.getLogger("duban")

SAMPLE_TABLE = "sample-2023-tasks.xlsx"


def system_now() -> datetime:
    """The real clock; the only place outside the channels that reads it."""
    return datetime.now(UTC)


def sample_table() -> tuple[str, bytes]:
    """The bundled 2023 sample table (沅江市 2023 责任分解表) as (file name, bytes)."""
    return SAMPLE_TABLE, resources.files("bot.data").joinpath(SAMPLE_TABLE).read_bytes()


async def open_core(settings: Settings, *, migrate: bool | None = None) -> Core:
    """Open the database (upgrading an embedded SQLite by itself) and build the core."""
    db = Database(settings.database.url, echo=settings.database.echo, busy_timeout=settings.database.busy_timeout)
    if (migrate if migrate is not None else db.is_sqlite) and not await at_head(db.engine):
        from bot.db.migrate import upgrade

        await upgrade(db.engine)
    core = Core(settings=settings, db=db)
    record_capabilities(core)
    await core.reload_calendar()
    return core


def demo_database(folder: Path) -> str:
    """A fresh embedded SQLite URL for the console demo, replacing an earlier demo file."""
    path = folder / "duban-demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


def configure_logging(level: str, settings: Settings | None = None) -> Redactor:
    """Log lines (text, or JSON with DUBAN_LOG_FORMAT=json) with every configured secret masked and the id of
    the update being handled; returns the redactor for other output too."""
    import sys

    from bot.logformat import log_handler

    logging.basicConfig(level=level, handlers=[log_handler(sys.stderr, settings.log_format if settings else "text")])
    redactor = install_redactor(Redactor.from_settings(settings) if settings is not None else Redactor())
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: robot keys and invite codes among them.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    # APScheduler logs two INFO lines per job run, and the delivery job runs every 2 seconds.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    return redactor


def _notifiers(core: Core) -> tuple[dict, object | None]:
    """One Notifier per configured channel (each counted in the metrics), and the Telegram Application when there
    is a token; every configured platform (bot.channels.registry) records its abilities on ``core``."""
    from bot.channels.registry import configured
    from handlers.app import handle
    from scheduler.limits import limited
    from scheduler.metered import metered

    notifiers: dict = {}
    app = None
    for platform in configured(core.settings):
        built = platform.build(core, handle, system_now, http=False)
        app = app if built.app is None else built.app
        if built.notifier is not None:
            # WeCom and DingTalk keep their own caps; the Telegram limiter would only slow them down.
            notifiers[platform.name] = limited(built.notifier, core.settings.reminders) if platform.rate_limited else built.notifier
    # Telegram's rate limiter counts every 429 itself (bot.channels.telegram.FloodCountingLimiter).
    return metered(notifiers, core.metrics, floods_counted=frozenset({"telegram"})), app


def _http_channels(core: Core, handle: object, tg_app: object | None) -> list:
    """What each configured channel serves on the one HTTP server: a list of routes or a Starlette app.

    One entry per channel; a channel's package builds its own routes (and checks its own signatures). Telegram
    serves its webhook only with the Application ``tg_app`` the process runs.
    """
    from bot.channels.registry import configured

    contributions: list = []
    for platform in configured(core.settings):
        built = platform.build(core, handle, system_now, notifier=False, app=tg_app)  # type: ignore[arg-type]
        if built.http is not None:
            contributions.append(built.http)
    return contributions


def build_http(core: Core, handle: object, tg_app: object | None, scheduler: object | None):  # type: ignore[no-untyped-def]
    """The process's Starlette app: the channels' webhooks and callbacks, /healthz, /readyz and /metrics; with a
    scheduler, its heartbeat gates /readyz and its passes are timed into /metrics."""
    from bot.http import Readiness, build_http_app
    from bot.http.health import Heartbeat
    from bot.http.scheduler_watch import watch_scheduler
    from scheduler.jobs import JOB_CATCH_UP, JOB_PASS

    heartbeat = None
    if scheduler is not None:
        heartbeat = Heartbeat()
        watch_scheduler(scheduler, heartbeat=heartbeat, metrics=core.metrics,  # type: ignore[arg-type]
                        pass_jobs=(JOB_PASS, JOB_CATCH_UP))
    return build_http_app(_http_channels(core, handle, tg_app), readiness=Readiness(core.db, heartbeat),
                          metrics=core.metrics, clock=system_now)


async def run_all(settings: Settings) -> int:
    """Every configured channel and the scheduler in one process, until SIGINT or SIGTERM."""
    import asyncio
    import signal

    from bot.http import serve
    from handlers.app import handle
    from scheduler.jobs import build_scheduler, stop_scheduler

    core = await open_core(settings)
    await core.db.warm()
    from bot.services.buckets import share_limits

    share_limits(core.db)  # replicas on PostgreSQL keep the platforms' flood limits together
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    notifiers, tg_app = _notifiers(core)
    if tg_app is not None:  # polling replicas on PostgreSQL take turns: one getUpdates at a time, no 409
        from bot.channels.telegram_lease import leased
        from scheduler.coordination import replica_name

        tg_app.updater = leased(tg_app.updater, core.db, replica_name())
    scheduler = build_scheduler(core, notifiers, system_now)
    http = build_http(core, handle, tg_app, scheduler)
    runners = [serve(http, host=settings.http.host, port=settings.http.port, stop=stop)]
    if tg_app is not None:
        from bot.channels.telegram import run_until
        from bot.channels.telegram_webhook import webhook_settings

        runners.append(run_until(tg_app, stop, webhook=webhook_settings(core)))  # type: ignore[arg-type]
    scheduler.start()
    settle_after_start()
    log.info("duban running: channels %s, jobs %s, http on %s:%s", sorted(notifiers),
             [job.id for job in scheduler.get_jobs()], settings.http.host, settings.http.port)
    try:
        await _together(runners, stop)
    finally:
        await stop_scheduler(scheduler)
        share_limits(None)
        await core.db.dispose()
    return 0


def settle_after_start() -> None:
    """Collect once, then hide what start-up built from the cyclic collector (``gc.freeze``)."""
    import gc

    # Start-up leaves hundreds of thousands of long-lived objects (modules, SQLAlchemy's mappers and compiled
    # statements, PTB, the calendar); each full collection walked all of them while a chat waited (50–140 ms
    # at 100,000 tasks, bench/bench_service.py). Frozen, they are never scanned; nothing frozen is freed.
    gc.collect()
    gc.freeze()


async def _together(runners: list, stop: asyncio.Event) -> None:
    """Run ``runners`` until ``stop`` is set or one of them fails; then let the others stop cleanly (the HTTP
    server finishes its requests, Telegram its updates) and raise the first failure."""
    tasks = [asyncio.ensure_future(runner) for runner in runners]
    waiting = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([*tasks, waiting], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.set()
        waiting.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    failure = next((r for r in results if isinstance(r, Exception)), None)
    if failure is not None:
        raise failure


async def remind_once(settings: Settings, now: datetime, *, dry_run: bool, lang: str) -> int:
    """The scheduler's pass at ``now``; without ``dry_run`` the notices are queued and sent on configured channels."""
    from scheduler.jobs import format_pass, run_pass
    from scheduler.outbox import drain

    core = await open_core(settings)
    try:
        result = await run_pass(core, now, dry_run=dry_run)
        print("\n".join(format_pass(result)))
        if not dry_run:
            notifiers, _ = _notifiers(core)
            if notifiers:
                sent = await drain(core, notifiers, system_now, timeout=120)
                print(sent)
    finally:
        await core.db.dispose()
    return 0


async def print_jobs(settings: Settings, now: datetime) -> int:
    """List the scheduler's jobs and their next run times in local time."""
    from scheduler.jobs import build_scheduler, describe_jobs

    core = await open_core(settings)
    try:
        scheduler = build_scheduler(core, {}, lambda: now)
        for job_id, next_run in describe_jobs(scheduler, now):
            when = next_run.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M %Z") if next_run else "-"
            print(f"{job_id:<24} {when}")
    finally:
        await core.db.dispose()
    return 0
