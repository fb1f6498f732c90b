"""Benchmark ``duban run``: cold start to the first getUpdates, and a clean exit on SIGTERM; prints JSON.

Target (issue 3): from spawning the process to the Bot API receiving the first getUpdates ≤ 2 s.

A fake Bot API (``tests.fakes.telegram_api.FakeTelegram``) runs in this process; ``python -m bot run`` is
spawned with ``DUBAN_TELEGRAM_TOKEN`` and the base URLs pointing at it and ``DUBAN_DATABASE_URL`` at a fresh
SQLite file. The first start on that file includes the Alembic migration; a second start on the migrated
file is timed too. After the first getUpdates the child gets SIGTERM and must exit with status 0 within
``--exit-timeout`` seconds, with no traceback in its log.

Python's bytecode cache: an installed deployment has its modules compiled, so the child writes and reads
bytecode under ``bench/.cache/pycache`` (PYTHONPYCACHEPREFIX), after one untimed priming start. One start
without any bytecode cache is reported apart (``no_bytecode_cache``), and ``-X importtime`` of one start
lists the slowest imports. Finally a few warm starts run on a copy of bench_conversation's 100,000-task
database, where the scheduler's catch-up pass at start competes with the Telegram start-up.

Run: ``python -m bench.bench_coldstart [--runs 5]`` (about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project root, for bench and tests.fakes

from bench.benchutil import CACHE, machine, spread
from tests.fakes.telegram_api import FakeTelegram

TARGET_S = 2.0
PYCACHE = CACHE / "pycache"


@dataclass
class Start:
    """One start of ``duban run``: when the fake saw each first call, how the process ended, its log."""

    first_call_s: dict[str, float] = field(default_factory=dict)
    to_get_updates_s: float | None = None
    exit_code: int | None = None
    exit_s: float | None = None
    log: str = ""

    @property
    def clean(self) -> bool:
        """Exit status 0 after SIGTERM, with no traceback logged."""
        return self.exit_code == 0 and "Traceback" not in self.log

    def as_json(self) -> dict[str, Any]:
        """The figures of this start (and the log's tail when something went wrong)."""
        out: dict[str, Any] = {
            "to_first_getUpdates_s": None if self.to_get_updates_s is None else round(self.to_get_updates_s, 3),
            "first_calls_s": {k: round(v, 3) for k, v in self.first_call_s.items()},
            "exit_code": self.exit_code,
            "exit_after_sigterm_s": None if self.exit_s is None else round(self.exit_s, 3),
        }
        if not self.clean or self.to_get_updates_s is None:
            lines = self.log.splitlines()
            out["error_lines"] = [line for line in lines if " ERROR " in line or " CRITICAL " in line][:10]
            out["first_traceback"] = _first_traceback(lines)
            if self.to_get_updates_s is None:
                out["log_tail"] = "\n".join(lines[-40:])
        return out


def _first_traceback(lines: list[str]) -> str | None:
    """The first traceback in a log, through its final exception line."""
    start = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    return "\n".join(lines[start:end + 1])


def child_env(fake: FakeTelegram, db_file: Path, *, bytecode: bool) -> dict[str, str]:
    """The environment of ``duban run``: only the settings under test, pointed at the fake and ``db_file``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "PYTHONPYCACHEPREFIX"}
    env.update({
        "DUBAN_TELEGRAM_TOKEN": fake.token,
        "DUBAN_TELEGRAM_BASE_URL": fake.base_url,
        "DUBAN_TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "DUBAN_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}",
    })
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(db_file.parent / "no-pycache")  # empty and never written: all from source
    return env


async def start_once(db_file: Path, *, bytecode: bool = True, timeout: float = 20.0, exit_timeout: float = 5.0,
                     python_flags: tuple[str, ...] = (), settle: float = 0.0) -> Start:
    """Spawn ``duban run``, wait for its first getUpdates (then ``settle`` seconds), SIGTERM it, wait for the exit."""
    result = Start()
    async with FakeTelegram() as fake:
        log_path = db_file.parent / "run.log"
        with open(log_path, "wb") as log:  # noqa: ASYNC230 - a local log file, once per start
            seen = 0

            def note_calls() -> bool:
                # Runs after every change in the fake: stamp the first arrival of each Bot API method.
                nonlocal seen
                now = time.perf_counter() - started
                for record in fake.requests[seen:]:
                    result.first_call_s.setdefault(record.method, now)
                seen = len(fake.requests)
                return "getUpdates" in result.first_call_s or process.returncode is not None

            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, *python_flags, "-m", "bot", "run", cwd=db_file.parent,
                env=child_env(fake, db_file, bytecode=bytecode), stdout=log, stderr=log,
            )
            try:
                await fake.wait_until(note_calls, timeout, "first getUpdates")
            except TimeoutError:
                pass
            result.to_get_updates_s = result.first_call_s.get("getUpdates")
            if settle and process.returncode is None:
                await asyncio.sleep(settle)
            if process.returncode is None:
                stopping = time.perf_counter()
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), exit_timeout)
                    result.exit_s = time.perf_counter() - stopping
                except TimeoutError:
                    process.kill()
                    await process.wait()
            result.exit_code = process.returncode
        result.log = log_path.read_text(errors="replace")
    return result


def slowest_imports(log: str, top: int = 15) -> dict[str, Any]:
    """Import time from ``-X importtime`` output: the total, and the packages and modules that cost most.

    Per package the modules' own (self) times are summed, so a package that imports another is not charged
    for it; the project's own modules are listed one by one with what they pulled in (cumulative).
    """
    own: dict[str, int] = {}
    project: list[tuple[int, int, str]] = []
    for match in re.finditer(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", log):
        self_us, cumulative, _indent, name = match.groups()
        package = name.split(".")[0]
        own[package] = own.get(package, 0) + int(self_us)
        if package in ("bot", "handlers", "scheduler", "config"):
            project.append((int(self_us), int(cumulative), name))
    return {
        "total_ms": round(sum(own.values()) / 1000, 1),
        "by_package_self_ms": {name: round(us / 1000, 1) for name, us in sorted(own.items(), key=lambda kv: -kv[1])[:top]},
        "project_modules_self_ms": [{"module": name, "self_ms": round(s / 1000, 1), "cumulative_ms": round(c / 1000, 1)}
                                    for s, c, name in sorted(project, reverse=True)[:8]],
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Prime the bytecode cache, then time first and warm starts ``args.runs`` times each."""
    report: dict[str, Any] = {"benchmark": "cold start of duban run to the first getUpdates",
                              "machine_before": machine(), "python": sys.executable}
    PYCACHE.mkdir(parents=True, exist_ok=True)
    first: list[Start] = []
    warm: list[Start] = []
    with tempfile.TemporaryDirectory(prefix="duban-coldstart-") as tmp:
        base = Path(tmp)
        report["priming_start"] = (await start_once(_db(base, "prime"), exit_timeout=args.exit_timeout)).as_json()
        for n in range(args.runs):
            db_file = _db(base, f"run{n}")
            first.append(await start_once(db_file, exit_timeout=args.exit_timeout))
            warm.append(await start_once(db_file, exit_timeout=args.exit_timeout))
        # These two start on an already migrated file, so that only the imports differ from a warm start.
        db_file = _db(base, "nopyc")
        await start_once(db_file, exit_timeout=args.exit_timeout)
        no_pyc = await start_once(db_file, bytecode=False, exit_timeout=args.exit_timeout)
        db_file = _db(base, "importtime")
        await start_once(db_file, exit_timeout=args.exit_timeout)
        profiled = await start_once(db_file, exit_timeout=args.exit_timeout, python_flags=("-X", "importtime"))
        # SIGTERM once the start-up work (the scheduler's catch-up pass) is over, for comparison.
        idle = await start_once(_db(base, "idle"), exit_timeout=args.exit_timeout, settle=args.settle)
        large = await large_db_starts(base, args.large_db_runs, args.exit_timeout) if args.large_db_runs else []
    report["first_start_with_migration"] = _series(first)
    report["warm_start_migrated"] = _series(warm)
    if large:
        report["warm_start_large_db"] = {
            "database": "bench_conversation's 100,000 tasks / 20,000 people; the catch-up pass runs at start",
            **_series(large),
        }
    report["sigterm_when_idle"] = {"settle_s": args.settle, **idle.as_json(), "clean": idle.clean}
    report["no_bytecode_cache_warm_start"] = no_pyc.as_json()
    report["imports"] = slowest_imports(profiled.log)
    report["importtime_start_to_getUpdates_s"] = profiled.as_json()["to_first_getUpdates_s"]
    report["target_s"] = TARGET_S
    report["ok"] = {
        "first_start_median": _median(first) is not None and _median(first) <= TARGET_S,
        "first_start_every_run": _every(first),
        "warm_start_median": _median(warm) is not None and _median(warm) <= TARGET_S,
        "warm_start_every_run": _every(warm),
        "clean_sigterm_exit": all(s.clean for s in first + warm + large),
    }
    if large:
        report["ok"]["large_db_warm_start_every_run"] = _every(large)
    report["machine_after"] = {"loadavg": machine()["loadavg"]}
    return report


async def large_db_starts(base: Path, runs: int, exit_timeout: float) -> list[Start]:
    """Warm starts on a copy of the conversation benchmark's large database (built once, then cached)."""
    from bench.bench_conversation import database

    source, _ = await database(rebuild=False, analyze=False)
    starts = []
    for n in range(runs):
        db_file = _db(base, f"large{n}")
        shutil.copyfile(source, db_file)  # each start writes (ledger, outbox): always begin from the same file
        starts.append(await start_once(db_file, exit_timeout=exit_timeout))
    return starts


def _db(base: Path, name: str) -> Path:
    """A fresh folder for one series of starts (the child's working directory) and its database file."""
    folder = base / name
    folder.mkdir()
    return folder / "duban.sqlite3"


def _series(starts: list[Start]) -> dict[str, Any]:
    """Spreads of a series of starts, how many reached getUpdates and exited cleanly, and each run."""
    times = [s.to_get_updates_s for s in starts if s.to_get_updates_s is not None]
    get_me = [s.first_call_s["getMe"] for s in starts if "getMe" in s.first_call_s]
    exits = [s.exit_s for s in starts if s.exit_s is not None]
    return {
        "to_first_getUpdates_s": spread(times) if times else None,
        "to_first_getMe_s": spread(get_me) if get_me else None,
        "exit_after_sigterm_s": spread(exits) if exits else None,
        "reached_getUpdates": len(times),
        "clean_exits": sum(s.clean for s in starts),
        "runs": [s.as_json() for s in starts],
    }


def _median(starts: list[Start]) -> float | None:
    """The median time to the first getUpdates, or None when a start never got there."""
    times = sorted(s.to_get_updates_s for s in starts if s.to_get_updates_s is not None)
    if not times or len(times) < len(starts):
        return None
    return statistics.median(times)


def _every(starts: list[Start]) -> bool:
    return all(s.to_get_updates_s is not None and s.to_get_updates_s <= TARGET_S for s in starts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-db-runs", type=int, default=3, help="warm starts on the 100,000-task database (0: skip)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after start-up before the idle SIGTERM")
    parser.add_argument("--exit-timeout", type=float, default=5.0, help="seconds allowed to exit after SIGTERM")
    began = time.perf_counter()
    output = asyncio.run(main(parser.parse_args()))
    output["total_s"] = round(time.perf_counter() - began, 1)
    print(json.dumps(output, ensure_ascii=False, indent=2))
