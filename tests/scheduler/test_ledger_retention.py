"""The notice ledger stays bounded: a pass reads only keys that can still match, and forgets the rest, while every
notice is still said exactly as often as before (daily ones daily, reminders and escalations once)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from dataclasses import dataclass

from bot.core import Core
from scheduler.ledger import DAY_KEYS_KEPT, DAY_KINDS, every_key
from scheduler.snapshot import load_snapshot
from tests.scheduler.conftest import at, pass_at, seen
from tests.scheduler.seed import Bureau, add_task, dated


@dataclass(frozen=True)
class _Key:
    key: str
    kind: str
    created_at: datetime


async def _ledger(core: Core) -> list[_Key]:
    async with core.db.session() as s:
        return [_Key(key, kind, at) for key, kind, _, at in await every_key(s)]


async def test_day_stamped_keys_are_neither_read_nor_kept_once_their_day_is_over(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])  # overdue from Friday 10-10
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 24))])  # reminders before it
    told: Counter[tuple[str, str, str]] = Counter()
    keys_planned: list[str] = []
    unbound = {pid for name, pid in bureau.people.items() if name not in bureau.telegram}
    day = date(2025, 10, 10)
    while day <= date(2025, 10, 31):
        if day.weekday() < 5:
            result = await pass_at(core, f"{day.isoformat()}T09:00")
            told.update(seen(result, bureau))
            # A person with no account is planned for again each day until they bind (nothing was sent).
            keys_planned += [n.key for n in result.notices if n.recipient.person_id not in unbound]
        day += timedelta(days=1)
    # 16 working days from 10-10 to 10-31: the overdue notice every one of them, and no notice planned twice
    # (each reminder step and each rung of the ladder once).
    overdue = {k: n for k, n in told.items() if k[1] == "overdue" and k[2] == "1"}
    assert overdue and set(overdue.values()) == {16}
    assert {n for k, n in told.items() if k[1].startswith("escalation")} == {1}
    assert any(kind == "reminder" for _, kind, _ in told)
    assert len(keys_planned) == len(set(keys_planned))

    now = at("2025-10-31T09:00")
    keys = await _ledger(core)
    day_keys = [k for k in keys if k.kind in DAY_KINDS]
    assert day_keys and all(now - k.created_at.replace(tzinfo=now.tzinfo) <= DAY_KEYS_KEPT for k in day_keys)
    assert any(k.kind == "reminder" for k in keys) and any(k.kind.startswith("escalation") for k in keys)

    async with core.db.session() as s:
        snap = await load_snapshot(s, date(2025, 10, 31))
    # Of the day-stamped keys only today's are read; the others are all there.
    stamped = {k.key for k in keys if k.kind in DAY_KINDS}
    assert {k for k in snap.sent if k in stamped} == {k for k in stamped if "2025-10-31" in k}
    assert {k.key for k in keys if k.kind not in DAY_KINDS} <= snap.sent


async def test_reminder_keys_go_after_the_window_and_nothing_is_said_again(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "2", milestones=[dated(date(2025, 10, 24))])
    await add_task(core, bureau, "3", milestones=[dated(date(2026, 1, 30))])
    first = seen(await pass_at(core, "2025-10-20T09:00"), bureau)
    assert any(kind == "reminder" and no == "2" for _, kind, no in first)
    assert any(k.kind == "reminder" for k in await _ledger(core))
    # 62 days later the reminder keys of October are gone, and task 2 (long overdue) gets its overdue notice only.
    later = seen(await pass_at(core, "2025-12-22T09:00"), bureau)
    assert not any(k.kind == "reminder" and k.created_at.date() < date(2025, 12, 1) for k in await _ledger(core))
    assert "overdue" in {kind for _, kind, no in later if no == "2"}
    assert not any(kind == "reminder" and no == "2" for _, kind, no in later)

