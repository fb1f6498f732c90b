"""Flood limits shared by replicas: buckets in PostgreSQL taken by two engines never exceed the rate."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.db import Database
from bot.services.buckets import MemoryBuckets, SharedBuckets, share_limits, shared_buckets, take
from bot.channels.wecom.limits import KeyedLimiter, window_rate
from scheduler.limits import RateLimitedNotifier
from bot.contracts import Target
from tests.service.pg_replicas import second_engine


def most_in_any_window(stamps: list[float], window: float) -> int:
    """The most sends that fell within any ``window`` seconds (a window starting at each send)."""
    stamps = sorted(stamps)
    return max(sum(1 for s in stamps[i:] if s - start < window) for i, start in enumerate(stamps))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_memory_bucket_lets_a_burst_through_then_one_per_period():
    clock = Clock()
    buckets = MemoryBuckets(clock=clock)
    waits = [await buckets.reserve("k", 2.0, burst=3) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 2.0, 4.0]
    assert not buckets.ready("k")
    clock.now += 8.0  # every reservation has gone out
    assert buckets.ready("k") and await buckets.reserve("k", 2.0, burst=3) == 0.0
    assert await buckets.reserve("other", 2.0) == 0.0 and await buckets.reserve("other", 2.0) == 2.0


def test_wecom_window_rate_keeps_every_minute_under_the_cap():
    period, burst = window_rate(30, 60.0)
    assert burst + 60.0 / period <= 29 + 1e-9
    period, burst = window_rate(20, 60.0)
    assert burst + 60.0 / period <= 19 + 1e-9


async def test_an_unreachable_database_falls_back_to_memory_limits():
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    try:
        buckets = SharedBuckets(db)
        assert await buckets.reserve("k", 0.5) == 0.0
        assert await buckets.reserve("k", 0.5) == pytest.approx(0.5, abs=0.05)
    finally:
        await db.dispose()


def test_share_limits_only_on_postgresql(tmp_path):
    share_limits(Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"))
    assert shared_buckets() is None
    share_limits(Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing"))
    try:
        assert isinstance(shared_buckets(), SharedBuckets)
        assert isinstance(KeyedLimiter(30, 60).buckets, SharedBuckets)
    finally:
        share_limits(None)
    assert isinstance(KeyedLimiter(30, 60).buckets, MemoryBuckets)


async def _replicas(db: Database) -> tuple[SharedBuckets, SharedBuckets, Database]:
    if db.is_sqlite:
        pytest.skip("buckets are shared through PostgreSQL only; SQLite keeps them in memory")
    other = await second_engine(db)
    return SharedBuckets(db), SharedBuckets(other), other


@pytest.mark.postgres
async def test_one_bucket_taken_by_two_engines_keeps_the_rate(db):
    a, b, other = await _replicas(db)
    period, stamps = 0.05, []

    async def replica(buckets: SharedBuckets) -> None:
        for _ in range(15):
            await take(buckets, "telegram:all", period)
            stamps.append(time.monotonic())

    try:
        started = time.monotonic()
        await asyncio.gather(replica(a), replica(b))
        elapsed = time.monotonic() - started
    finally:
        await other.dispose()
    assert len(stamps) == 30
    assert elapsed >= 29 * period * 0.95  # 30 sends one per period, whoever sent them
    # Any window of 0.5 s holds at most 1 + 0.5/period sends (a little slack for the scheduler's jitter).
    assert most_in_any_window(stamps, 0.5) <= 11 + 1


@pytest.mark.postgres
async def test_wecom_member_cap_shared_by_two_replicas(db):
    a, b, other = await _replicas(db)
    cap, window = 7, 1.4  # 6 allowed per window: a burst of 2, then one per 0.35 s
    stamps: list[float] = []

    async def replica(buckets: SharedBuckets) -> None:
        limiter = KeyedLimiter(cap, window, buckets=buckets)
        for _ in range(6):
            await limiter.acquire("zhangsan")
            stamps.append(time.monotonic())

    try:
        await asyncio.gather(replica(a), replica(b))
    finally:
        await other.dispose()
    assert most_in_any_window(stamps, window) <= cap - 1


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []

    async def send(self, target: Target, text: str, buttons: list) -> None:
        self.sent.append((target.key, time.monotonic()))

    async def start_link(self) -> str | None:
        return None


@pytest.mark.postgres
async def test_telegram_overall_and_per_chat_caps_hold_across_replicas(db):
    a, b, other = await _replicas(db)
    inner = Recorder()
    replicas = [RateLimitedNotifier(inner, global_per_second=40, private_per_second=4, buckets=buckets)
                for buckets in (a, b)]

    async def run(notifier: RateLimitedNotifier, chats: list[str]) -> None:
        for chat in chats:
            await notifier.send(Target("telegram", chat, "private"), "hi", [])

    try:
        # Both replicas send to chat "1" (per-chat cap) and to chats of their own (overall cap).
        await asyncio.gather(run(replicas[0], ["1", "a1", "1", "a2", "1", "a3"] * 2),
                             run(replicas[1], ["1", "b1", "1", "b2", "1", "b3"] * 2))
    finally:
        await other.dispose()
    stamps = [at for _, at in inner.sent]
    assert len(stamps) == 24
    overall = 1.0 / (40 * 0.97)
    assert most_in_any_window(stamps, 0.25) <= 1 + 0.25 / overall + 1
    chat_one = [at for key, at in inner.sent if key == "telegram:1"]
    gaps = [later - earlier for earlier, later in zip(chat_one, chat_one[1:])]
    assert len(chat_one) == 12 and min(gaps) >= 1.0 / (4 * 0.97) * 0.9
