"""Helpers shared by the benchmarks: the project on sys.path, percentiles and a note of the machine's load."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"  # generated databases; ``*.sqlite3`` keeps them out of git


def summary(samples: list[float], digits: int = 2) -> dict[str, float | int]:
    """Count, p50/p90/p99, mean and max of ``samples`` (same unit in and out)."""
    if len(samples) < 2:
        value = round(samples[0], digits) if samples else 0.0
        return {"n": len(samples), "p50": value, "p90": value, "p99": value, "mean": value, "max": value}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "p50": round(cuts[49], digits),
        "p90": round(cuts[89], digits),
        "p99": round(cuts[98], digits),
        "mean": round(statistics.fmean(samples), digits),
        "max": round(max(samples), digits),
    }


def spread(samples: list[float], digits: int = 3) -> dict[str, float | int]:
    """Min, median and max of a few runs."""
    return {
        "n": len(samples),
        "min": round(min(samples), digits),
        "median": round(statistics.median(samples), digits),
        "max": round(max(samples), digits),
    }


def machine() -> dict[str, object]:
    """What the numbers were measured on: CPUs, load averages (1, 5, 15 min), Python and SQLite versions."""
    import sqlite3

    return {
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(terse=True),
    }


async def postgres_admin(url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE, VACUUM: none can run in a transaction) on the database of ``url``."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    conn = await asyncpg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                                 database=parts.database)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
