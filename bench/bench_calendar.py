"""Benchmark the working-day calendar as the scheduler uses it; prints JSON."""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta

from bot.workcal import WorkCalendar


def _per_call_us(fn, args: list[tuple]) -> float:
    start = time.perf_counter()
    for a in args:
        fn(*a)
    return (time.perf_counter() - start) / len(args) * 1e6


def main(calls: int = 300_000, seed: int = 7) -> dict[str, float]:
    """Time a cold start and then each hot operation over ``calls`` random dates in 2025-2027."""
    rng = random.Random(seed)
    base = date(2025, 1, 1)
    days = [base + timedelta(days=rng.randrange(3 * 365)) for _ in range(calls)]
    spans = [rng.randrange(-400, 400) for _ in range(calls)]

    start = time.perf_counter()
    cal = WorkCalendar()
    for year in (2024, 2025, 2026, 2027, 2028):
        cal.is_working_day(date(year, 6, 1))
    warmup_ms = (time.perf_counter() - start) * 1e3

    result = {
        "calls": calls,
        "warmup_ms_5_years": round(warmup_ms, 1),
        "day_us": _per_call_us(cal.day, [(d,) for d in days]),
        "is_working_day_us": _per_call_us(cal.is_working_day, [(d,) for d in days]),
        "working_days_before_3_us": _per_call_us(cal.working_days_before, [(d, 3) for d in days]),
        "add_working_days_pm400_us": _per_call_us(cal.add_working_days, list(zip(days, spans))),
        "working_days_between_pm400d_us": _per_call_us(
            cal.working_days_between, [(d, d + timedelta(days=s)) for d, s in zip(days, spans)]
        ),
        "next_working_day_us": _per_call_us(cal.next_working_day, [(d,) for d in days]),
    }
    start = time.perf_counter()
    for d in days[:100_000]:
        for n in (1, 3, 5):  # 100,000 tasks x 3 milestones
            cal.working_days_before(d, n)
    result["planning_pass_100k_x3_s"] = time.perf_counter() - start
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
