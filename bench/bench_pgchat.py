"""我的任务 per call on one database: wall time, and (PostgreSQL) each round trip to the server; prints JSON.

A diagnostic for issue 12's chat target: ``python bench/bench_pgchat.py URL [--calls N] [--people P]``
asks 我的任务 through ``handlers.app.handle`` N times for the first P bound people (section members of
bench_scheduler's large table), with no pass running, and reports p50/p99 of the whole call. On asyncpg it
also counts the round trips each 我的任务 makes on the driver connection and lists their statements with
their mean milliseconds (``--trace``). ``--gap`` pauses between calls, as between real messages (a bot
answering back to back runs warmer than one woken by each message).

``--build`` first (re)creates the PostgreSQL database of URL with bench_service's ``build`` (100,000 tasks,
migrated, ANALYZE), as bench_service measures it: fresh tables whose visibility map is not yet set, so every
index lookup also reads the table. ``--vacuum`` then runs VACUUM ANALYZE, as autovacuum leaves a live database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchutil import summary  # noqa: E402

NOW = datetime(2025, 10, 13, 1, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Shanghai


class Trace:
    """Per-statement round trips on asyncpg connections, gathered by wrapping the driver's methods."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = defaultdict(list)
        self.on = False

    def install(self) -> None:
        """Wrap asyncpg.Connection's round-trip methods (this process only)."""
        import asyncpg

        for name in ("fetch", "fetchrow", "fetchval", "execute", "prepare", "_get_statement", "executemany"):
            original = getattr(asyncpg.Connection, name)
            setattr(asyncpg.Connection, name, self._wrap(name, original))

    def _wrap(self, name: str, original: Any) -> Any:
        trace = self

        async def wrapped(conn: Any, query: Any = "", *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(conn, query, *args, **kwargs)
            finally:
                if trace.on:
                    text = " ".join(str(query).split())[:90]
                    trace.calls[f"{name}: {text}"].append((time.perf_counter() - started) * 1000)

        return wrapped


async def build(url: str, vacuum: bool) -> None:
    """Recreate the PostgreSQL database of ``url`` with bench_service's 100,000-task table."""
    from sqlalchemy.engine import make_url

    from bench.bench_service import build as seed
    from bench.benchutil import postgres_admin

    name = make_url(url).database
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    await postgres_admin(admin, f'DROP DATABASE IF EXISTS "{name}"')
    await postgres_admin(admin, f'CREATE DATABASE "{name}"')
    await seed(url, 100_000)
    if vacuum:
        await postgres_admin(url, "VACUUM ANALYZE")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Open the core as ``duban run`` does and time 我的任务 calls."""
    if args.build:
        await build(args.url, args.vacuum)
    from bot.app import open_core
    from bot.contracts import Chat, Request, Sender
    from config import Settings
    from handlers.app import handle

    trace = Trace()
    if args.url.startswith("postgresql+asyncpg"):
        trace.install()
    settings = Settings(_env_file=None, database={"url": args.url}, admins=["telegram:999"],  # type: ignore[call-arg]
                        log_level="WARNING")
    core = await open_core(settings)

    async def ask(person: int) -> float:
        ident = str(100_000 + person)
        started = time.perf_counter()
        replies = await handle(core, Request(Sender("telegram", ident, ident), Chat("telegram", ident), NOW,
                                             text="我的任务"))
        assert replies and "抱歉" not in replies[0].text, replies
        return (time.perf_counter() - started) * 1000

    for person in range(1, args.people + 1):
        await ask(person)
    trace.on = True
    samples = []
    for n in range(args.calls):
        samples.append(await ask(1 + n % args.people))
        if args.gap:  # a pause between calls, as between real messages: caches cool, the server's backend sleeps
            await asyncio.sleep(args.gap / 1000)
    trace.on = False
    await core.db.dispose()
    report: dict[str, Any] = {"calls": args.calls, "ms": summary(samples)}
    if trace.calls:
        # _get_statement is asyncpg's prepared-statement cache: a round trip only the first time on a connection.
        trips = sum(len(v) for k, v in trace.calls.items() if not k.startswith("_get_statement"))
        report["round_trips_per_ask"] = round(trips / args.calls, 2)
        if args.trace:
            report["statements"] = {k: {"n": len(v), "mean_ms": round(sum(v) / len(v), 3)}
                                    for k, v in sorted(trace.calls.items(), key=lambda kv: -sum(kv[1]))}
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--gap", type=float, default=0.0, help="milliseconds of pause between calls")
    parser.add_argument("--trace", action="store_true", help="list the statements and their mean milliseconds")
    parser.add_argument("--build", action="store_true", help="(re)create the PostgreSQL database first")
    parser.add_argument("--vacuum", action="store_true", help="with --build: VACUUM ANALYZE it")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=1, ensure_ascii=False))
