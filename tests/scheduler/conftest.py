"""Scheduler test helpers: local wall-clock instants, a seeded bureau, and a compact view of a pass."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import Core
from bot.db.clock import UTC
from scheduler.jobs import PassResult, run_pass
from tests.scheduler.seed import Bureau, seed_bureau

TZ = ZoneInfo("Asia/Shanghai")
GROUP = -500  # subscribed to 疾控股


def at(stamp: str) -> datetime:
    """A local (Asia/Shanghai) wall-clock time such as ``2025-10-09T09:00`` as an aware UTC instant."""
    return datetime.fromisoformat(stamp).replace(tzinfo=TZ).astimezone(UTC)


def seen(result: PassResult, b: Bureau) -> set[tuple[str, str, str]]:
    """(recipient name or chat, kind, task no) for every notice of a pass."""
    names = {pid: name for name, pid in b.people.items()}
    numbers = {tid: no for no, tid in b.tasks.items()}
    out = set()
    for n in result.notices:
        who = names.get(n.recipient.person_id or 0) if n.recipient.kind == "person" else f"{n.recipient.kind}:{n.recipient.address}"
        for tid in n.task_ids:
            out.add((who or "?", n.kind, numbers.get(tid, "?")))
    return out


async def pass_at(core: Core, stamp: str, **kwargs: object) -> PassResult:
    """The scheduler's pass at a local wall-clock time."""
    return await run_pass(core, at(stamp), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def bureau(core: Core) -> Bureau:
    """The seeded bureau (no tasks yet), with a group subscribed to 疾控股."""
    return await seed_bureau(core, groups={GROUP: "疾控股"})
