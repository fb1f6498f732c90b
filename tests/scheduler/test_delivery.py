"""Delivery through the real Telegram notifier against the fake Bot API: faults, flood limits, no loss, no repeats."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.db.models import Account, OutboxMessage
from scheduler.outbox import DeliveryPolicy, drain
from tests.fakes.telegram_api import FakeTelegram, FloodLimits
from tests.scheduler.conftest import GROUP, at, pass_at
from tests.scheduler.seed import T0, Bureau, add_task, dated
from tests.scheduler.telegram_kit import moving_clock, telegram_notifier

FAST = DeliveryPolicy(backoff_base=0.2, backoff_max=1.0, lease_seconds=30)
ADMIN = 1000


@pytest.fixture
async def fake(bureau: Bureau) -> FakeTelegram:  # type: ignore[misc]
    """The fake Bot API with Telegram's flood limits enforced, knowing every seeded user, the admin and the group."""
    async with FakeTelegram(enforce_limits=True) as fake:
        for name, uid in bureau.telegram.items():
            fake.add_user(uid, name)
        fake.add_user(ADMIN, "管理员")
        fake.add_group(GROUP, "疾控股群")
        yield fake


async def outbox(core: Core) -> list[OutboxMessage]:
    async with core.db.session() as s:
        return list((await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


def assert_each_sent_row_arrived_once(fake: FakeTelegram, rows: list[OutboxMessage]) -> None:
    """Every sent row is in its chat exactly once, and the chat holds nothing else."""
    by_chat: dict[int, list[str]] = {}
    for row in rows:
        if row.status == "sent":
            by_chat.setdefault(int(row.target), []).append(row.text)
    for chat, texts in by_chat.items():
        got = [m.raw_text for m in fake.messages(chat)]
        assert Counter(got) == Counter(texts), chat


async def test_every_notice_arrives_once_through_429_500_timeouts_and_a_blocked_user(core: Core, bureau: Bureau, fake: FakeTelegram) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 14))])
    result = await pass_at(core, "2025-10-13T09:00")
    targets = {m.target.chat_id for m in result.messages if m.target}
    assert targets == {"101", "102", "103", "105", "1000", str(GROUP)}
    fake.inject("sendMessage", 429, chat_id=101, retry_after=1)
    fake.inject("sendMessage", 500, times=2, chat_id=102)
    fake.inject("sendMessage", "hang", chat_id=105, seconds=3)  # longer than the client's 1 s time-out
    fake.block(103)  # 王五, the head getting the escalation, blocked the bot
    async with telegram_notifier(fake) as notifier:
        done = await drain(core, {"telegram": notifier}, moving_clock(at("2025-10-13T09:00")), timeout=30, policy=FAST)
    rows = await outbox(core)
    assert_each_sent_row_arrived_once(fake, rows)
    assert (done.rate_limited, done.unreachable, done.dead) == (1, 1, 0) and done.retried >= 3
    assert fake.stats.too_many == 1  # only the injected one: the limiter itself never provoked a 429
    # 403: the account is marked unreachable, the admins are told, the section group is asked to prompt him.
    async with core.db.session() as s:
        assert (await s.execute(select(Account.unreachable).where(Account.external_id == "103"))).scalar_one() is True
    assert [r.status for r in rows if r.target == "103"] == ["dead"]
    admin = [m.text for m in fake.messages(ADMIN)]
    assert any("王五" in t and "无法送达" in t for t in admin if t)
    prompt = [m for m in fake.messages(GROUP) if "请先" in (m.text or "")]
    assert len(prompt) == 1 and "王五" in prompt[0].raw_text and 'href="https://t.me/duban_test_bot"' in prompt[0].raw_text
    # The next pass skips the unreachable account instead of writing to it again.
    nxt = await pass_at(core, "2025-10-14T09:00")
    assert "王五" in nxt.unroutable or all(m.target is None or m.target.chat_id != "103" for m in nxt.messages)


async def test_the_limiter_keeps_to_telegrams_flood_limits_with_zero_429(core: Core, bureau: Bureau, fake: FakeTelegram) -> None:
    users = list(range(5000, 5060))
    for uid in users:
        fake.add_user(uid, f"u{uid}")
    # 101's three come first: they need 2 s at 1/s, while the 60 others go out at the overall cap meanwhile.
    await _queue(core, [("101", "private", f"第{i}条") for i in range(3)] + [(str(uid), "private", f"通知 {uid}") for uid in users])
    started = time.monotonic()
    async with telegram_notifier(fake) as notifier:
        done = await drain(core, {"telegram": notifier}, moving_clock(at("2025-10-13T09:00")), timeout=30, policy=FAST)
    elapsed = time.monotonic() - started
    assert done.sent == 63 and fake.stats.too_many == 0
    assert elapsed >= 62 / 30  # not faster than the overall cap
    assert [m.raw_text for m in fake.messages(101)] == [f"第{i}条" for i in range(3)]  # in order, ≥ 1 s apart
    assert_each_sent_row_arrived_once(fake, await outbox(core))


async def test_without_the_limiter_telegram_answers_429_and_every_notice_still_arrives_once(
    core: Core, bureau: Bureau, fake: FakeTelegram
) -> None:
    await _queue(core, [("101", "private", f"第{i}条") for i in range(3)] + [("102", "private", "一条")])
    async with telegram_notifier(fake, limited=False) as notifier:
        done = await drain(core, {"telegram": notifier}, moving_clock(at("2025-10-13T09:00")), timeout=30, policy=FAST)
    assert fake.stats.too_many >= 1 and done.rate_limited == fake.stats.too_many
    assert [m.raw_text for m in fake.messages(101)] == ["第0条", "第1条", "第2条"]
    assert_each_sent_row_arrived_once(fake, await outbox(core))


async def test_group_messages_are_spaced_to_the_group_limit(core: Core, bureau: Bureau) -> None:
    # A scaled-down group limit (2/s instead of 20/min) so the test is quick; the mechanism is the same.
    async with FakeTelegram(enforce_limits=True, limits=FloodLimits(group_capacity=1, group_rate=2.0)) as fake:
        fake.add_group(GROUP, "疾控股群")
        await _queue(core, [(str(GROUP), "group", f"日报{i}") for i in range(5)])
        started = time.monotonic()
        async with telegram_notifier(fake, group_per_minute=120) as notifier:
            done = await drain(core, {"telegram": notifier}, moving_clock(at("2025-10-13T09:00")), timeout=30, policy=FAST)
        assert done.sent == 5 and fake.stats.too_many == 0 and time.monotonic() - started >= 4 * 0.5
        assert [m.raw_text for m in fake.messages(GROUP)] == [f"日报{i}" for i in range(5)]


@pytest.mark.parametrize(("status", "outcome"), [(400, "dead"), (500, "dead"), (403, "dead")])
async def test_refused_or_failing_messages_end_dead_and_the_bot_carries_on(
    core: Core, bureau: Bureau, fake: FakeTelegram, status: int, outcome: str
) -> None:
    await _queue(core, [(str(GROUP), "group", "日报"), ("102", "private", "之后的通知")])
    fake.inject("sendMessage", status, times=10, chat_id=GROUP)
    fake.limits = FloodLimits(group_capacity=10, group_rate=10.0)  # the retries come faster than 20/min here
    policy = DeliveryPolicy(backoff_base=0.05, backoff_max=0.1, max_attempts=3)
    async with telegram_notifier(fake, group_per_minute=600) as notifier:
        done = await drain(core, {"telegram": notifier}, moving_clock(at("2025-10-13T09:00")), timeout=20, policy=policy)
    rows = {r.target: r for r in await outbox(core)}
    assert rows[str(GROUP)].status == outcome and rows["102"].status == "sent"
    assert rows[str(GROUP)].attempts == (3 if status == 500 else 1 if status == 400 else 0)
    if status == 403:  # the bot was removed from the group: the admins hear of it
        assert done.unreachable == 1 and any("疾控股群" in (m.text or "") for m in fake.messages(ADMIN))


async def test_two_deliverers_never_send_the_same_row_on_postgresql(core: Core, bureau: Bureau, fake: FakeTelegram) -> None:
    if core.db.is_sqlite:
        pytest.skip("SQLite runs one deliverer per process; claims need FOR UPDATE SKIP LOCKED")
    users = list(range(6000, 6080))
    for uid in users:
        fake.add_user(uid, f"u{uid}")
    await _queue(core, [(str(uid), "private", f"通知 {uid}") for uid in users])
    policy = DeliveryPolicy(batch=10, per_private=1, backoff_base=0.2)
    # Each replica has its own limiter, so together they may exceed the overall cap (and get 429s): no matter here.
    async with telegram_notifier(fake, global_per_second=20) as a, telegram_notifier(fake, global_per_second=20) as b:
        clock = moving_clock(at("2025-10-13T09:00"))
        r1, r2 = await asyncio.gather(drain(core, {"telegram": a}, clock, policy=policy, timeout=20),
                                      drain(core, {"telegram": b}, clock, policy=policy, timeout=20))
    assert r1.sent + r2.sent == 80 and r1.sent > 0 and r2.sent > 0
    assert_each_sent_row_arrived_once(fake, await outbox(core))


async def _queue(core: Core, items: list[tuple[str, str, str]]) -> None:
    async with core.db.session() as s:
        for i, (target, kind, text) in enumerate(items):
            s.add(OutboxMessage(key=f"test:{i}", kind="test", channel="telegram", target=target, target_kind=kind, text=text,
                                buttons=[], next_attempt_at=T0, created_at=T0))
