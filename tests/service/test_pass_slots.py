"""One reminder pass per slot across replicas (PostgreSQL advisory lock), recorded for ``duban jobs``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from bot.services.pass_slots import recent_slots
from scheduler.coordination import lock_key, once_per_slot, slot_for
from tests.service.pg_replicas import replica_core

NINE = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)  # 09:00 in Asia/Shanghai, a Monday


def test_slot_is_the_latest_send_time_at_or_before_the_instant():
    assert slot_for(NINE, "Asia/Shanghai", "09:00") == "2026-12-07 09:00"
    assert slot_for(datetime(2026, 12, 7, 5, 30, tzinfo=timezone.utc), "Asia/Shanghai", "09:00") == "2026-12-07 09:00"
    # 08:59 local still belongs to yesterday's slot: a catch-up then does not repeat yesterday's pass.
    assert slot_for(datetime(2026, 12, 7, 0, 59, tzinfo=timezone.utc), "Asia/Shanghai", "09:00") == "2026-12-06 09:00"
    assert lock_key("2026-12-07 09:00") == lock_key("2026-12-07 09:00") != lock_key("2026-12-06 09:00")
    assert -(2**63) <= lock_key("x") < 2**63


class Body:
    """A pass stand-in that counts its runs and takes a while, so racing replicas overlap."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.runs: list[datetime] = []
        self.seconds = seconds
        self.enqueued = 7

    async def __call__(self, now: datetime) -> "Body":
        self.runs.append(now)
        await asyncio.sleep(self.seconds)
        return self


@pytest.mark.postgres
async def test_two_replicas_racing_for_one_slot_run_one_pass(core, db, settings):
    if db.is_sqlite:
        pytest.skip("one machine, one process: nothing to coordinate")
    other = await replica_core(db, settings)
    try:
        body = Body()
        results = await asyncio.gather(once_per_slot(core, NINE, body, replica="a:1"),
                                       once_per_slot(other, NINE, body, replica="b:2"))
        assert len(body.runs) == 1 and sorted(r is None for r in results) == [False, True]
        # Later in the same slot (the Monday report, a catch-up at restart) nobody runs it again.
        later = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
        assert await once_per_slot(other, later, body, replica="b:2") is None
        assert len(body.runs) == 1
        # The next day's slot is a new pass.
        assert await once_per_slot(other, datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc), body, replica="b:2")
        records = await recent_slots(core)
        assert [(r.slot, r.messages) for r in records] == [("2026-12-08 09:00", 7), ("2026-12-07 09:00", 7)]
        assert records[0].replica == "b:2" and records[1].replica in ("a:1", "b:2")
    finally:
        await other.db.dispose()


@pytest.mark.postgres
async def test_a_failed_pass_leaves_no_record_and_the_next_replica_runs_it(core, db, settings):
    if db.is_sqlite:
        pytest.skip("one machine, one process: nothing to coordinate")
    other = await replica_core(db, settings)

    async def crash(now: datetime) -> None:
        raise RuntimeError("killed mid-pass")

    try:
        with pytest.raises(RuntimeError):
            await once_per_slot(core, NINE, crash, replica="a:1")
        body = Body(0)
        assert await once_per_slot(other, NINE, body, replica="b:2") is body
        assert [(r.slot, r.replica) for r in await recent_slots(core)] == [("2026-12-07 09:00", "b:2")]
    finally:
        await other.db.dispose()


async def test_sqlite_always_runs_and_records_the_latest(core, db):
    if not db.is_sqlite:
        pytest.skip("the PostgreSQL behaviour is tested above")
    body = Body(0)
    assert await once_per_slot(core, NINE, body, replica="a:1") is body
    assert await once_per_slot(core, NINE, body, replica="a:2") is body
    assert len(body.runs) == 2
    assert [(r.slot, r.replica) for r in await recent_slots(core)] == [("2026-12-07 09:00", "a:2")]


def test_duban_jobs_lists_the_latest_passes(tmp_path):
    import asyncio as aio
    import os
    import subprocess
    import sys
    from pathlib import Path

    from bot.core import Core
    from bot.db import Database
    from bot.db.migrate import upgrade
    from config import Settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite3'}"

    async def one_pass() -> None:
        db = Database(url)
        await upgrade(db.engine)
        core = Core(settings=Settings(_env_file=None), db=db)  # type: ignore[call-arg]
        await once_per_slot(core, NINE, Body(0), replica="host-a:4242")
        await db.dispose()

    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(DUBAN_DATABASE_URL=url, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    run = lambda: subprocess.run([sys.executable, "-m", "bot", "--lang", "en", "jobs"], cwd=tmp_path, env=env,  # noqa: E731
                                 capture_output=True, text=True, timeout=120)
    before = run()
    assert before.returncode == 0, before.stderr
    assert "No reminder pass recorded yet." in before.stdout
    aio.run(one_pass())
    after = run()
    assert "pass 2026-12-07 09:00: run by host-a:4242, finished 2026-12-07 09:00:00, 7 messages queued" in after.stdout
